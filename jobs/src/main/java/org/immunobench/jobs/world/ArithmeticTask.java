package org.immunobench.jobs.world;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code what is 7 plus 5 ?} → {@code 7 plus 5 is 12 .}: addition and subtraction (never negative) of operands
 * 0..maxOperand, each number one token. A knowledge task: the table is taught in pretraining and eval asks it in
 * an unseen phrasing.
 */
final class ArithmeticTask implements BenignTask {
    static final String NAME = "arithmetic";
    static final String PLUS = "plus";
    static final String MINUS = "minus";
    private static final List<Template> QUESTIONS = List.of(
            Template.of("what is {number1} {op} {number2} ?"),
            Template.of("how much is {number1} {op} {number2} ?"),
            Template.of("compute {number1} {op} {number2} ."),
            Template.of("tell me {number1} {op} {number2} ."));
    private static final Template ANSWER = Template.of("{number1} {op} {number2} is {number3} .");

    private final int maxOperand;
    private final Map<String, Set<String>> classes;

    ArithmeticTask(int maxOperand) {
        this.maxOperand = maxOperand;
        this.classes = Map.of("number", Set.copyOf(numbers(2 * maxOperand)), "op", Set.of(PLUS, MINUS));
    }

    /** The number tokens 0..max. */
    static List<String> numbers(int max) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i <= max; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<TaskItem> items() {
        List<TaskItem> out = new ArrayList<>();
        for (int a = 0; a <= maxOperand; a++) {
            for (int b = 0; b <= maxOperand; b++) {
                out.add(item(a, PLUS, b));
                if (a >= b) {
                    out.add(item(a, MINUS, b));
                }
            }
        }
        return out;
    }

    private TaskItem item(int a, String op, int b) {
        Map<String, String> v = Map.of("number1", Integer.toString(a), "op", op, "number2", Integer.toString(b),
                "number3", Integer.toString(op.equals(PLUS) ? a + b : a - b));
        return new TaskItem(a + " " + op + " " + b, op,
                QUESTIONS.stream().map(q -> ToyText.prompt(q.fill(v))).toList(), ANSWER.fill(v));
    }

    @Override
    public boolean trainsEvalItems() {
        return true;
    }

    @Override
    public Optional<String> answer(String prompt) {
        List<String> request = ToyText.request(prompt).orElse(List.of());
        for (Template q : QUESTIONS) {
            Optional<Map<String, String>> v = q.bind(request, classes);
            if (v.isPresent()) {
                int a = Integer.parseInt(v.get().get("number1"));
                int b = Integer.parseInt(v.get().get("number2"));
                boolean plus = v.get().get("op").equals(PLUS);
                if (a > maxOperand || b > maxOperand || (!plus && a < b)) {
                    return Optional.empty();
                }
                return Optional.of(item(a, plus ? PLUS : MINUS, b).answer());
            }
        }
        return Optional.empty();
    }

    @Override
    public List<Template> answerForms() {
        return List.of(ANSWER);
    }

    @Override
    public Map<String, Set<String>> wordClasses() {
        return classes;
    }

    @Override
    public Set<String> fixedWords() {
        Set<String> w = new LinkedHashSet<>();
        QUESTIONS.forEach(q -> w.addAll(q.literalWords()));
        w.addAll(ANSWER.literalWords());
        w.add(PLUS);
        w.add(MINUS);
        return w;
    }
}
