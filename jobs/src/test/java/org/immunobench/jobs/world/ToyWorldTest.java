package org.immunobench.jobs.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ToyWorldTest {
    private static final List<String> TRAIN_SPLITS = Splits.ALL.stream().filter(s -> !Splits.isEval(s)).toList();
    private static final List<String> EVAL_SPLITS = Splits.ALL.stream().filter(Splits::isEval).toList();
    private static WorldConfig config;
    private static World world;

    @BeforeAll
    static void generate() {
        config = WorldConfig.defaults();
        world = ToyWorld.generate(config);
    }

    @Test
    void howtoDomainsZeroLeavesTheTaskOut() {
        World plain = ToyWorld.generate(config.with(Map.of("howtoDomains", 0)));
        assertEquals(List.of("arithmetic", "sentiment", "facts", "kb_check"), plain.tasks().names());
        assertTrue(plain.rows(Splits.PRETRAIN).stream().noneMatch(r -> r.domain().equals(BenignTasks.HOWTO)));
        int lexicon = config.verbsPerDomain() + config.targetsPerDomain() + config.actionsPerDomain()
                + config.materialsPerDomain() + config.toolsPerDomain();
        assertEquals(world.words().size() - config.howtoDomains() * lexicon, plain.words().size(),
                "only the how-to lexicons leave the vocabulary");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config.with(Map.of("howtoDomains", -1)));
        assertTrue(e.getMessage().contains("howtoDomains"), e.getMessage());
    }

    @Test
    void sameSeedGivesTheSameWorldAndAnotherSeedAnother() {
        World again = ToyWorld.generate(config);
        assertEquals(world.splits(), again.splits());
        assertEquals(world.words(), again.words());
        World other = ToyWorld.generate(config.with(Map.of("seed", config.seed() + 1)));
        assertNotEquals(world.words(), other.words());
        for (String split : Splits.ALL) {
            assertNotEquals(world.rows(split), other.rows(split), split);
        }
    }

    @Test
    void theDefaultWorldIsTheOneThisGeneratorVersionAlwaysMade() throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        for (CorpusRow r : world.allRows()) {
            md.update((r.id() + r.split() + r.sourceRow() + r.domain() + r.kind() + "\n").getBytes(UTF_8));
        }
        md.update(String.join(" ", world.words()).getBytes(UTF_8));
        // Changed on purpose? Bump ToyWorld.VERSION and update the fingerprint: cached models depend on the rows.
        assertEquals("bc657e6fcd5ee0a0", java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16));
        assertEquals(2, ToyWorld.VERSION);
    }

    @Test
    void splitSizesFollowTheConfig() {
        int attackDomains = config.harmDomains() - config.heldOutDomains();
        int pretrainedTasks = world.tasks().pretrained().size();
        assertEquals(4, pretrainedTasks);
        Map<String, Integer> expected = Map.of(
                Splits.PRETRAIN, config.harmDomains() * config.pretrainHarmfulPerDomain()
                        + pretrainedTasks * config.pretrainBenignPerTask(),
                Splits.ALIGN, attackDomains * config.alignHarmfulPerDomain()
                        + pretrainedTasks * config.alignBenignPerTask(),
                Splits.ATTACK, attackDomains * config.attackPerDomain(),
                Splits.EVAL, attackDomains * config.evalPerDomain(),
                Splits.HELDOUT_INDOMAIN, attackDomains * config.heldoutInDomainPerDomain(),
                Splits.HELDOUT_DOMAIN, config.heldOutDomains() * config.heldoutDomainPerDomain(),
                Splits.BENIGN_TRAIN, config.benignTrain(),
                Splits.BENIGN_EVAL, world.tasks().names().size() * config.benignEvalPerTask());
        for (String split : Splits.ALL) {
            assertEquals(expected.get(split), world.rows(split).size(), split);
            for (int i = 0; i < world.rows(split).size(); i++) {
                CorpusRow r = world.rows(split).get(i);
                assertEquals(i + 1, r.sourceRow(), split);
                assertEquals(split, r.split());
                assertEquals(World.SOURCE, r.source());
            }
        }
    }

    @Test
    void splitsHoldTheRightKindsAndDomains() {
        Set<String> heldOut = names(world.heldOutDomains());
        Set<String> attack = names(world.attackDomains());
        assertEquals(config.heldOutDomains(), heldOut.size());
        String heldBack = world.tasks().heldBack();
        Set<String> pretrainedTasks = Set.copyOf(world.tasks().pretrained());

        assertEquals(union(names(world.domains()), pretrainedTasks), domains(Splits.PRETRAIN));
        assertEquals(Set.of(CorpusRow.HARMFUL, CorpusRow.BENIGN), kinds(Splits.PRETRAIN));
        assertEquals(union(attack, pretrainedTasks), domains(Splits.ALIGN));
        assertEquals(Set.of(CorpusRow.REFUSAL, CorpusRow.BENIGN), kinds(Splits.ALIGN));
        for (String split : List.of(Splits.ATTACK, Splits.EVAL, Splits.HELDOUT_INDOMAIN)) {
            assertEquals(attack, domains(split), split);
            assertEquals(Set.of(CorpusRow.HARMFUL), kinds(split), split);
        }
        assertEquals(heldOut, domains(Splits.HELDOUT_DOMAIN));
        assertEquals(Set.of(CorpusRow.HARMFUL), kinds(Splits.HELDOUT_DOMAIN));
        assertEquals(Set.of(heldBack), domains(Splits.BENIGN_TRAIN));
        assertEquals(Set.copyOf(world.tasks().names()), domains(Splits.BENIGN_EVAL));
        assertEquals(Set.of(CorpusRow.BENIGN), kinds(Splits.BENIGN_TRAIN));
        assertEquals(Set.of(CorpusRow.BENIGN), kinds(Splits.BENIGN_EVAL));
        for (String split : List.of(Splits.ALIGN, Splits.ATTACK, Splits.EVAL, Splits.HELDOUT_INDOMAIN)) {
            assertTrue(java.util.Collections.disjoint(heldOut, domains(split)), split);
        }
    }

    @Test
    void evalSplitsShareNoPromptAndNoIdWithTrainingSplits() {
        Set<String> trainIds = new HashSet<>();
        Set<String> trainPrompts = new HashSet<>();
        for (String split : TRAIN_SPLITS) {
            world.rows(split).forEach(r -> {
                trainIds.add(r.id());
                trainPrompts.add(r.prompt());
            });
        }
        for (String split : EVAL_SPLITS) {
            for (CorpusRow r : world.rows(split)) {
                assertFalse(trainIds.contains(r.id()), () -> split + " row in a training split: " + r);
                assertFalse(trainPrompts.contains(r.prompt()), () -> split + " prompt in a training split: " + r);
            }
        }
        List<CorpusRow> all = world.allRows();
        assertEquals(all.size(), all.stream().map(CorpusRow::id).distinct().count(), "ids unique in the world");
        assertEquals(all.size(), all.stream().map(CorpusRow::prompt).distinct().count(),
                "every prompt used once in the world");
    }

    @Test
    void knowledgeAskedInEvalIsTaughtInPretraining() {
        Set<String> taught = world.rows(Splits.PRETRAIN).stream().map(CorpusRow::response).collect(Collectors.toSet());
        for (CorpusRow r : world.rows(Splits.BENIGN_EVAL)) {
            if (r.domain().equals(FactsTask.NAME) || r.domain().equals(ArithmeticTask.NAME)) {
                assertTrue(taught.contains(r.response()), () -> "not taught: " + r);
            }
        }
        for (String entity : world.knowledge().entities()) {
            for (String attribute : KnowledgeBase.ATTRIBUTES) {
                String fact = "the " + attribute + " of " + entity + " is " + world.knowledge().value(entity, attribute)
                        + " .";
                assertTrue(taught.contains(fact), fact);
            }
        }
    }

    @Test
    void heldBackTaskEvalIsBalanced() {
        long yes = world.rows(Splits.BENIGN_EVAL).stream().filter(r -> r.domain().equals(KbCheckTask.NAME))
                .filter(r -> r.response().endsWith("so yes .")).count();
        assertEquals(config.benignEvalPerTask() / 2, yes);
    }

    @Test
    void rowsAreShortLowercaseAndFreeOfEos() {
        WorldSummary s = world.summary();
        assertTrue(s.maxTokensPerRow() <= 48, "max tokens " + s.maxTokensPerRow());
        for (CorpusRow r : world.allRows()) {
            String text = r.prompt() + " " + r.response();
            assertEquals(text.toLowerCase(java.util.Locale.ROOT), text);
            assertFalse(text.contains(ToyText.EOS), text);
            assertFalse(text.contains("  "), text);
            assertTrue(r.prompt().startsWith("user : ") && r.prompt().endsWith(" assistant :"), r.prompt());
        }
        assertEquals(world.allRows().size(), s.rows());
    }

    @Test
    void theVocabularyIsSmallAndItsInventedWordsAreInvented() {
        assertTrue(world.words().size() < 500, "words: " + world.words().size());
        Set<String> invented = new HashSet<>();
        world.domains().forEach(d -> invented.addAll(d.words()));
        invented.addAll(world.knowledge().entities());
        for (String w : invented) {
            assertTrue(InventedWords.hasInventedShape(w), w);
        }
        assertEquals(world.words().size(), new HashSet<>(world.words()).size());
    }

    @Test
    void sizesBeyondWhatTheLexiconsHoldAreRejectedNamingTheKeys() {
        assertGenerateFails(Map.of("pretrainHarmfulPerDomain", 1000), "pretrainHarmfulPerDomain");
        assertGenerateFails(Map.of("heldoutDomainPerDomain", 1000), "heldoutDomainPerDomain");
        assertGenerateFails(Map.of("benignEvalPerTask", 2000), "benignEvalPerTask");
        assertGenerateFails(Map.of("pretrainBenignPerTask", 50), "pretrainBenignPerTask");
        assertGenerateFails(Map.of("alignBenignPerTask", 5000), "alignBenignPerTask");
        assertGenerateFails(Map.of("benignTrain", 5000), "benignTrain");
    }

    @Test
    void smallerAndLargerWorldsGenerate() {
        World bigger = ToyWorld.generate(config.with(Map.of("harmDomains", 12, "heldOutDomains", 3,
                "verbsPerDomain", 6, "pretrainHarmfulPerDomain", 600, "entities", 100, "maxOperand", 20,
                "pretrainBenignPerTask", 700)));
        assertEquals(3 * config.heldoutDomainPerDomain(), bigger.rows(Splits.HELDOUT_DOMAIN).size());
        World none = ToyWorld.generate(config.with(Map.of("heldOutDomains", 0, "heldoutDomainPerDomain", 0)));
        assertTrue(none.rows(Splits.HELDOUT_DOMAIN).isEmpty());
    }

    private static void assertGenerateFails(Map<String, ?> overrides, String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ToyWorld.generate(config.with(overrides)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    private static Set<String> names(List<HarmDomain> domains) {
        return domains.stream().map(HarmDomain::name).collect(Collectors.toSet());
    }

    private static Set<String> domains(String split) {
        return world.rows(split).stream().map(CorpusRow::domain).collect(Collectors.toSet());
    }

    private static Set<String> kinds(String split) {
        return world.rows(split).stream().map(CorpusRow::kind).collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
