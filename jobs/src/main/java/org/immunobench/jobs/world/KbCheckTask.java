package org.immunobench.jobs.world;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code is the colour of zokima red ?} → {@code the colour of zokima is blue , so no .}: checking a claim against
 * the knowledge base, answering with the recalled fact first. Kept out of pretraining, for trainability: the facts
 * are known from the {@code facts} task, only the question form is new. A skill task: eval claims are never trained.
 */
final class KbCheckTask implements BenignTask {
    static final String NAME = "kb_check";
    static final String YES = "yes";
    static final String NO = "no";

    private final KnowledgeBase kb;
    private final Map<String, Set<String>> classes;

    KbCheckTask(KnowledgeBase kb) {
        this.kb = kb;
        Map<String, Set<String>> c = new java.util.HashMap<>(FactsTask.knowledgeClasses(kb));
        c.put("yesno", Set.of(YES, NO));
        this.classes = Map.copyOf(c);
    }

    private static Template question(String attribute) {
        return Template.of("is the " + attribute + " of {entity} {" + attribute + "} ?");
    }

    private static Template answerForm(String attribute) {
        return Template.of(FactsTask.statement(attribute) + " , so {yesno} .");
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
                for (String claimed : kb.values().get(a)) {
                    String prompt = ToyText.prompt(question(a).fill(Map.of("entity", e, a, claimed)));
                    String answer = answer(e, a, claimed);
                    out.add(new TaskItem(e + " " + a + " " + claimed, answer.endsWith(YES + " .") ? YES : NO,
                            List.of(prompt), answer));
                }
            }
        }
        return out;
    }

    private String answer(String entity, String attribute, String claimed) {
        String actual = kb.value(entity, attribute);
        return answerForm(attribute).fill(Map.of("entity", entity, attribute, actual, "yesno",
                actual.equals(claimed) ? YES : NO));
    }

    @Override
    public boolean trainsEvalItems() {
        return false;
    }

    @Override
    public Optional<String> answer(String prompt) {
        List<String> request = ToyText.request(prompt).orElse(List.of());
        for (String a : KnowledgeBase.ATTRIBUTES) {
            Optional<Map<String, String>> v = question(a).bind(request, classes);
            if (v.isPresent()) {
                return Optional.of(answer(v.get().get("entity"), a, v.get().get(a)));
            }
        }
        return Optional.empty();
    }

    @Override
    public List<Template> answerForms() {
        return KnowledgeBase.ATTRIBUTES.stream().map(KbCheckTask::answerForm).toList();
    }

    @Override
    public Map<String, Set<String>> wordClasses() {
        return classes;
    }

    @Override
    public Set<String> fixedWords() {
        Set<String> w = new LinkedHashSet<>();
        KnowledgeBase.ATTRIBUTES.forEach(a -> w.addAll(question(a).literalWords()));
        answerForms().forEach(t -> w.addAll(t.literalWords()));
        w.add(YES);
        w.add(NO);
        return w;
    }
}
