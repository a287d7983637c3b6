package org.immunobench.training.defences;

import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.training.trainer.TrainingExample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.immunobench.training.defences.CollapseFixtures.CONFIG;
import static org.immunobench.training.defences.CollapseFixtures.EOS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SddTest {
    @BeforeAll
    static void engine() {
        DjlRuntime.start(1);
    }

    /** Jaccard of two token lists without the special ids 0, 2, 3, from Java sets (independent of TokenSets). */
    static double jaccard(int[] a, int[] b) {
        Set<Integer> x = new HashSet<>();
        Set<Integer> y = new HashSet<>();
        Arrays.stream(a).filter(t -> t != 0 && t != 2 && t != 3).forEach(x::add);
        Arrays.stream(b).filter(t -> t != 0 && t != 2 && t != 3).forEach(y::add);
        Set<Integer> union = new HashSet<>(x);
        union.addAll(y);
        x.retainAll(y);
        return union.isEmpty() ? 0 : (double) x.size() / union.size();
    }

    /** The benign stream plus "echo" examples whose answers repeat a harmful prompt's words (too similar). */
    static List<TrainingExample> benignWithEchoes() {
        List<TrainingExample> benign = new ArrayList<>(CollapseFixtures.benign(8));
        for (int i = 0; i < 6; i++) {
            int[] p = CollapseFixtures.harmfulPrompt(i);
            benign.add(TrainingExample.promptResponse(new int[] {2, 34, 15}, new int[] {p[1], p[2], 41, EOS}));
        }
        return benign;
    }

    @Test
    void answersRespectTheSimilarityCeilingAndComeFromAnotherTask() {
        List<TrainingExample> benign = benignWithEchoes();
        List<int[]> prompts = CollapseFixtures.harmfulPrompts(6);
        double ceiling = 0.2;
        List<Sdd.Pair> pairs = Sdd.pairs(prompts, benign, List.of(), ceiling, 5, CONFIG);
        assertEquals(prompts.size(), pairs.size());
        Set<String> otherStreams = new HashSet<>();
        CollapseFixtures.harmful(6).forEach(e -> otherStreams.add(Arrays.toString(TokenSets.response(e))));
        CollapseFixtures.alignment(6).forEach(e -> otherStreams.add(Arrays.toString(TokenSets.response(e))));
        Set<Integer> chosen = new HashSet<>();
        for (int i = 0; i < pairs.size(); i++) {
            Sdd.Pair p = pairs.get(i);
            assertArrayEquals(prompts.get(i), p.prompt());
            int[] answer = TokenSets.response(benign.get(p.benignIndex()));
            assertArrayEquals(answer, p.response(), "the answer is a benign example's response, unchanged");
            assertFalse(otherStreams.contains(Arrays.toString(answer)), "not a harmful answer or a refusal");
            double s = jaccard(p.prompt(), answer);
            assertEquals(s, p.similarity(), 1e-12);
            assertTrue(s <= ceiling, "pair " + i + ": similarity " + s + " > ceiling " + ceiling);
            // The echo answers (benign indices 8..13) share two words of four with some prompt: never chosen for it.
            chosen.add(p.benignIndex());
        }
        assertTrue(chosen.size() > 1, "seeded draws, not one fixed answer: " + chosen);
        // Every echo answer is over the ceiling for its own prompt, so the filter did real work.
        for (int i = 0; i < 6; i++) {
            assertTrue(jaccard(prompts.get(i), TokenSets.response(benign.get(8 + i))) > ceiling);
        }
        List<Sdd.Pair> again = Sdd.pairs(prompts, benign, List.of(), ceiling, 5, CONFIG);
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(pairs.get(i).benignIndex(), again.get(i).benignIndex(), "same seed, same pairs");
        }
    }

    @Test
    void withNothingUnderTheCeilingTheLeastSimilarAnswerIsTaken() {
        List<TrainingExample> benign = new ArrayList<>();
        int[] p = CollapseFixtures.harmfulPrompt(0); // words 4, 10, 15
        benign.add(TrainingExample.promptResponse(new int[] {2, 34}, new int[] {4, 10, 15, EOS})); // J = 1
        benign.add(TrainingExample.promptResponse(new int[] {2, 34}, new int[] {4, 41, 42, EOS})); // J = 1/5
        benign.add(TrainingExample.promptResponse(new int[] {2, 34}, new int[] {4, 10, 41, EOS})); // J = 2/4
        List<Sdd.Pair> pairs = Sdd.pairs(List.of(p), benign, List.of(), 0.1, 1, CONFIG);
        assertEquals(1, pairs.get(0).benignIndex());
        assertEquals(0.2, pairs.get(0).similarity(), 1e-12);
    }

    @Test
    void rejectPutsThePromptsOwnRefusalBeforeTheAnswer() {
        List<TrainingExample> benign = CollapseFixtures.benign(8);
        List<TrainingExample> refusals = CollapseFixtures.alignment(6);
        List<Sdd.Pair> pairs = Sdd.pairs(CollapseFixtures.harmfulPrompts(6), benign, refusals, 0.25, 2, CONFIG);
        for (int i = 0; i < pairs.size(); i++) {
            Sdd.Pair p = pairs.get(i);
            int[] refusal = Arrays.copyOf(CollapseFixtures.refusal(i), CollapseFixtures.refusal(i).length - 1);
            int[] answer = TokenSets.response(benign.get(p.benignIndex()));
            int[] expected = new int[refusal.length + answer.length];
            System.arraycopy(refusal, 0, expected, 0, refusal.length);
            System.arraycopy(answer, 0, expected, refusal.length, answer.length);
            assertArrayEquals(expected, p.response(), "refusal without its EOS, then the benign answer");
            TrainingExample e = p.example();
            assertEquals(p.prompt().length + expected.length, e.length());
            assertEquals(expected.length, e.lossTokens(), "loss on the whole response, none on the prompt");
        }
    }

    @Test
    void runsThroughTheRegistryReproducibly() {
        CollapseFixtures.assertRunsReproducibly(Sdd.NAME, Map.of("steps", 4, "batch", 2, "lr", 1e-3),
                List.of("sdd_nll", "retain_nll", "pairs", "pairs_above_ceiling", "final_loss"));
        CollapseFixtures.assertRunsReproducibly(Sdd.NAME, Map.of("steps", 3, "batch", 2, "reject", true,
                "retain_weight", 0.0), List.of("sdd_nll", "pairs"));
    }

    @Test
    void configDefaultsAndErrorsNameTheKey() {
        assertEquals(new Sdd.SddConfig(100, 5e-4, 8, 0.25, false, 1.0), Sdd.SddConfig.defaults());
        assertEquals("defences[0].config: similarity_ceiling must be <= 1, got 1.5",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Defences.create(Sdd.NAME, Map.of("similarity_ceiling", 1.5), 1,
                                "defences[0].config")).getMessage());
    }
}
