package org.immunobench.jobs.world;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The invented facts the knowledge tasks ask about: every entity has one value for each attribute
 * ({@code colour}, {@code home}, {@code food}).
 *
 * @param entities invented entity names
 * @param values attribute name to its possible values (the attribute name is also the word class of its values)
 * @param facts entity to attribute to value
 */
public record KnowledgeBase(List<String> entities, Map<String, List<String>> values,
        Map<String, Map<String, String>> facts) implements Serializable {
    public static final String COLOUR = "colour";
    public static final String HOME = "home";
    public static final String FOOD = "food";
    public static final List<String> ATTRIBUTES = List.of(COLOUR, HOME, FOOD);
    static final List<String> COLOURS = List.of("red", "blue", "green", "yellow", "black", "white", "orange",
            "purple");
    static final List<String> FOODS = List.of("bread", "rice", "soup", "fish", "cake", "corn", "milk", "plums");

    public KnowledgeBase {
        entities = List.copyOf(entities);
        values = copy(values);
        facts = copy(facts);
    }

    /** A knowledge base with a uniformly random value per entity and attribute. */
    static KnowledgeBase random(List<String> entities, List<String> places, Random rng) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        values.put(COLOUR, COLOURS);
        values.put(HOME, places);
        values.put(FOOD, FOODS);
        Map<String, Map<String, String>> facts = new LinkedHashMap<>();
        for (String e : entities) {
            Map<String, String> f = new LinkedHashMap<>();
            for (String a : ATTRIBUTES) {
                f.put(a, HarmGrammar.pick(values.get(a), rng));
            }
            facts.put(e, f);
        }
        return new KnowledgeBase(entities, values, facts);
    }

    public String value(String entity, String attribute) {
        Map<String, String> f = facts.get(entity);
        if (f == null || !f.containsKey(attribute)) {
            throw new IllegalArgumentException("no fact for entity '" + entity + "' and attribute '" + attribute
                    + "'");
        }
        return f.get(attribute);
    }

    private static <V> Map<String, V> copy(Map<String, V> m) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
