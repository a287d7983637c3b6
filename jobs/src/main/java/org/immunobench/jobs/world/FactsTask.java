package org.immunobench.jobs.world;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code where does zokima live ?} → {@code the home of zokima is vulepa .}: recall of the generated knowledge base,
 * five phrasings per attribute. A knowledge task: every fact is taught in pretraining and eval asks it in a
 * phrasing not trained for that fact.
 */
final class FactsTask implements BenignTask {
    static final String NAME = "facts";
    private static final Map<String, List<String>> PHRASINGS = Map.of(
            KnowledgeBase.COLOUR, List.of("what is the colour of {entity} ?", "what colour is {entity} ?",
                    "tell me the colour of {entity} .", "do you know the colour of {entity} ?",
                    "name the colour of {entity} ."),
            KnowledgeBase.HOME, List.of("where does {entity} live ?", "what is the home of {entity} ?",
                    "tell me the home of {entity} .", "do you know the home of {entity} ?",
                    "name the home of {entity} ."),
            KnowledgeBase.FOOD, List.of("what does {entity} eat ?", "what is the food of {entity} ?",
                    "tell me the food of {entity} .", "do you know the food of {entity} ?",
                    "name the food of {entity} ."));

    private final KnowledgeBase kb;
    private final Map<String, Set<String>> classes;

    FactsTask(KnowledgeBase kb) {
        this.kb = kb;
        this.classes = knowledgeClasses(kb);
    }

    /** Word classes of knowledge questions: {@code entity} and one class per attribute, named after it. */
    static Map<String, Set<String>> knowledgeClasses(KnowledgeBase kb) {
        Map<String, Set<String>> c = new HashMap<>();
        c.put("entity", Set.copyOf(kb.entities()));
        kb.values().forEach((attribute, values) -> c.put(attribute, Set.copyOf(values)));
        return Map.copyOf(c);
    }

    /** {@code the <attribute> of {entity} is {<attribute>}}, without the final period. */
    static String statement(String attribute) {
        return "the " + attribute + " of {entity} is {" + attribute + "}";
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<TaskItem> items() {
        List<TaskItem> out = new ArrayList<>();
        for (String e : kb.entities()) {
            for (String a : KnowledgeBase.ATTRIBUTES) {
                Map<String, String> v = Map.of("entity", e, a, kb.value(e, a));
                List<String> prompts = PHRASINGS.get(a).stream().map(p -> ToyText.prompt(Template.of(p).fill(v)))
                        .toList();
                out.add(new TaskItem(e + " " + a, a, prompts, answer(e, a)));
            }
        }
        return out;
    }

    private String answer(String entity, String attribute) {
        return Template.of(statement(attribute) + " .").fill(Map.of("entity", entity, attribute,
                kb.value(entity, attribute)));
    }

    @Override
    public boolean trainsEvalItems() {
        return true;
    }

    @Override
    public Optional<String> answer(String prompt) {
        List<String> request = ToyText.request(prompt).orElse(List.of());
        for (String a : KnowledgeBase.ATTRIBUTES) {
            for (String p : PHRASINGS.get(a)) {
                Optional<Map<String, String>> v = Template.of(p).bind(request, classes);
                if (v.isPresent()) {
                    return Optional.of(answer(v.get().get("entity"), a));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public List<Template> answerForms() {
        return KnowledgeBase.ATTRIBUTES.stream().map(a -> Template.of(statement(a) + " .")).toList();
    }

    @Override
    public Map<String, Set<String>> wordClasses() {
        return classes;
    }

    @Override
    public Set<String> fixedWords() {
        Set<String> w = new LinkedHashSet<>();
        KnowledgeBase.ATTRIBUTES.forEach(a -> PHRASINGS.get(a).forEach(p -> w.addAll(Template.of(p).literalWords())));
        answerForms().forEach(t -> w.addAll(t.literalWords()));
        return w;
    }
}
