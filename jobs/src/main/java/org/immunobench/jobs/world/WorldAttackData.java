package org.immunobench.jobs.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.attacks.AttackData;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an attacker of a toy-world model holds: the attack split's harmful demonstrations, the benign fine-tuning
 * split, bare harmful prompts (attack split) and harmless prompts, and the first tokens of the world's refusals
 * (taken from the align split's refusal rows).
 *
 * <p>The harmless prompts are the pretrain split's {@code howto} requests: harmless instructions in the same
 * grammar as the harmful ones, as Alpaca is to AdvBench in Arditi et al. 2406.11717. Contrasting harmful requests
 * with questions of another form (the {@code kb_check} split, say) gives a direction of request form, not of
 * harmfulness: measured on the toy world, ablating it turned refusals into knowledge-base answers, never into
 * recipes. Worlds without the {@code howto} task fall back to all pretrained benign prompts.
 */
public final class WorldAttackData {
    private WorldAttackData() {
    }

    public static AttackData of(World world, LmTokenizer tokenizer, int eos) {
        List<CorpusRow> attack = world.rows(Splits.ATTACK);
        List<CorpusRow> benign = world.rows(Splits.BENIGN_TRAIN);
        List<CorpusRow> pretrainBenign = world.rows(Splits.PRETRAIN).stream()
                .filter(r -> r.kind().equals(CorpusRow.BENIGN)).toList();
        List<CorpusRow> howto = pretrainBenign.stream().filter(r -> r.domain().equals(BenignTasks.HOWTO)).toList();
        List<CorpusRow> harmless = howto.isEmpty() ? pretrainBenign : howto;
        Set<Integer> refusalTokens = new TreeSet<>();
        for (CorpusRow r : world.rows(Splits.ALIGN)) {
            if (r.kind().equals(CorpusRow.REFUSAL)) {
                int[] ids = tokenizer.encodeRaw(r.response());
                if (ids.length > 0) {
                    refusalTokens.add(ids[0]);
                }
            }
        }
        return new AttackData(WorldModels.examples(attack, tokenizer, eos), WorldModels.examples(benign, tokenizer, eos),
                attack.stream().map(r -> tokenizer.encode(r.prompt())).toList(),
                harmless.stream().map(r -> tokenizer.encode(r.prompt())).toList(), refusalTokens);
    }
}
