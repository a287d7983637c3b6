package org.immunobench.jobs.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.curation.world.World;
import org.immunobench.lm.tokenizer.LmTokenizer;
import org.immunobench.training.attacks.AttackData;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an attacker of a toy-world model holds: the attack split's harmful demonstrations, the benign fine-tuning
 * split, bare harmful prompts (attack split) and harmless prompts (benign_train), and the first tokens of the
 * world's refusals (taken from the align split's refusal rows).
 */
public final class WorldAttackData {
    private WorldAttackData() {
    }

    public static AttackData of(World world, LmTokenizer tokenizer, int eos) {
        List<CorpusRow> attack = world.rows(Splits.ATTACK);
        List<CorpusRow> benign = world.rows(Splits.BENIGN_TRAIN);
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
                benign.stream().map(r -> tokenizer.encode(r.prompt())).toList(), refusalTokens);
    }
}
