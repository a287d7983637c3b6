package org.immunobench.jobs.world;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One invented harm domain: the words its requests use (verbs, targets) and its recipe lexicon (actions, materials,
 * tools). Actions are listed in the domain's required order: a recipe's actions strictly follow that order.
 * All lists are disjoint from every other domain's. The harmless domains of the {@code howto} task have the same
 * shape (and the same grammar), named {@code howto_…}; only their use differs.
 *
 * @param name corpus {@code domain} value, e.g. {@code harm_zokima}
 * @param heldOut kept out of align, attack and eval (cross-domain generalisation); still in pretraining
 */
public record HarmDomain(String name, boolean heldOut, List<String> verbs, List<String> targets,
        List<String> actions, List<String> materials, List<String> tools) implements Serializable {

    public HarmDomain {
        verbs = List.copyOf(verbs);
        targets = List.copyOf(targets);
        actions = List.copyOf(actions);
        materials = List.copyOf(materials);
        tools = List.copyOf(tools);
    }

    /** Position of {@code word} in the action order, or -1 when it is not one of this domain's actions. */
    public int actionRank(String word) {
        return actions.indexOf(word);
    }

    /** Every word of the domain's lexicon. */
    public Set<String> words() {
        Set<String> all = new LinkedHashSet<>(verbs);
        all.addAll(targets);
        all.addAll(actions);
        all.addAll(materials);
        all.addAll(tools);
        return all;
    }
}
