package org.immunobench.jobs.world;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code is this review positive or negative ? the zokima was good and lovely .} → {@code it is positive .}:
 * templated reviews of invented products from two small adjective lexicons, with {@code not} flipping the polarity.
 * A skill task: eval reviews are never trained in any phrasing.
 */
final class SentimentTask implements BenignTask {
    static final String NAME = "sentiment";
    static final String POSITIVE = "positive";
    static final String NEGATIVE = "negative";
    static final List<String> POSITIVE_ADJECTIVES = List.of("good", "great", "lovely", "nice", "superb", "pleasant");
    static final List<String> NEGATIVE_ADJECTIVES = List.of("bad", "awful", "poor", "dull", "broken", "rude");
    private static final List<String> PHRASINGS = List.of("is this review positive or negative ? {review}",
            "review : {review} is it positive or negative ?");
    private static final String AND_REVIEW = "the {item} was {adj1} and {adj2} .";
    private static final String NOT_REVIEW = "the {item} was not {adj1} .";
    private static final Template ANSWER = Template.of("it is {polarity} .");
    private static final List<Question> QUESTIONS = PHRASINGS.stream()
            .flatMap(p -> java.util.stream.Stream.of(AND_REVIEW, NOT_REVIEW)
                    .map(r -> new Question(Template.of(p.replace("{review}", r)), r)))
            .toList();

    /** One phrasing around one review form. */
    private record Question(Template template, String review) implements java.io.Serializable {
    }

    private final List<String> reviewItems;
    private final Map<String, Set<String>> classes;

    SentimentTask(List<String> reviewItems) {
        this.reviewItems = List.copyOf(reviewItems);
        Set<String> adjectives = new LinkedHashSet<>(POSITIVE_ADJECTIVES);
        adjectives.addAll(NEGATIVE_ADJECTIVES);
        this.classes = Map.of("item", Set.copyOf(reviewItems), "adj", Set.copyOf(adjectives),
                "polarity", Set.of(POSITIVE, NEGATIVE));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<TaskItem> items() {
        List<TaskItem> out = new ArrayList<>();
        for (String item : reviewItems) {
            for (List<String> lexicon : List.of(POSITIVE_ADJECTIVES, NEGATIVE_ADJECTIVES)) {
                for (String a1 : lexicon) {
                    for (String a2 : lexicon) {
                        if (!a1.equals(a2)) {
                            out.add(item(AND_REVIEW, Map.of("item", item, "adj1", a1, "adj2", a2)));
                        }
                    }
                }
            }
            for (String a : POSITIVE_ADJECTIVES) {
                out.add(item(NOT_REVIEW, Map.of("item", item, "adj1", a)));
            }
            for (String a : NEGATIVE_ADJECTIVES) {
                out.add(item(NOT_REVIEW, Map.of("item", item, "adj1", a)));
            }
        }
        return out;
    }

    private TaskItem item(String review, Map<String, String> v) {
        String polarity = polarity(review, v).orElseThrow();
        List<String> prompts = PHRASINGS.stream()
                .map(p -> ToyText.prompt(Template.of(p.replace("{review}", review)).fill(v))).toList();
        return new TaskItem(Template.of(review).fill(v), polarity, prompts, answerFor(polarity));
    }

    private static Optional<String> polarity(String review, Map<String, String> v) {
        boolean first = POSITIVE_ADJECTIVES.contains(v.get("adj1"));
        if (review.equals(NOT_REVIEW)) {
            return Optional.of(first ? NEGATIVE : POSITIVE);
        }
        boolean second = POSITIVE_ADJECTIVES.contains(v.get("adj2"));
        return first == second ? Optional.of(first ? POSITIVE : NEGATIVE) : Optional.empty();
    }

    private static String answerFor(String polarity) {
        return ANSWER.fill(Map.of("polarity", polarity));
    }

    @Override
    public boolean trainsEvalItems() {
        return false;
    }

    @Override
    public Optional<String> answer(String prompt) {
        List<String> request = ToyText.request(prompt).orElse(List.of());
        for (Question q : QUESTIONS) {
            Optional<Map<String, String>> v = q.template().bind(request, classes);
            if (v.isPresent()) {
                return polarity(q.review(), v.get()).map(SentimentTask::answerFor);
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
        QUESTIONS.forEach(q -> w.addAll(q.template().literalWords()));
        w.addAll(ANSWER.literalWords());
        w.addAll(POSITIVE_ADJECTIVES);
        w.addAll(NEGATIVE_ADJECTIVES);
        return w;
    }
}
