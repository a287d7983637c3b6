package org.immunobench.jobs.world;

import org.immunobench.curation.corpus.CorpusRow;
import org.immunobench.curation.corpus.Splits;
import org.immunobench.lm.prompt.PromptFrame;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generates a toy world (docs/toy-world.md) from a {@link WorldConfig}: pure Java, deterministic for a config.
 *
 * <p>Every distinct prompt is used at most once in the whole world: each harm domain's requests and each benign
 * task's questions are shuffled and then dealt out, eval-type splits first, so eval-type and train-type splits
 * never share a prompt (and hence never a content id). Knowledge tasks ({@code arithmetic}, {@code facts}) deal
 * phrasings rather than questions: every question is taught in pretraining, and eval asks some of them in a
 * phrasing not trained for that question. Each part draws from its own named random stream, so resizing one
 * split does not reshuffle the lexicons.
 */
public final class ToyWorld {
    /** Generator version, written to {@code world.json}; bump it when the same config would give other rows. */
    public static final int VERSION = 2;
    static final String DOMAIN_PREFIX = "harm_";
    /** Name prefix of the harmless procedural domains of the {@code howto} task (not corpus domains). */
    static final String HOWTO_PREFIX = "howto_";
    static final int PLACES = 8;

    private ToyWorld() {
    }

    public static World generate(WorldConfig c) {
        InventedWords invented = new InventedWords(rng(c, "words"));
        List<HarmDomain> domains = new ArrayList<>();
        for (int i = 0; i < c.harmDomains(); i++) {
            boolean heldOut = i >= c.harmDomains() - c.heldOutDomains();
            domains.add(new HarmDomain(DOMAIN_PREFIX + invented.next(), heldOut, invented.next(c.verbsPerDomain()),
                    invented.next(c.targetsPerDomain()), invented.next(c.actionsPerDomain()),
                    invented.next(c.materialsPerDomain()), invented.next(c.toolsPerDomain())));
        }
        List<String> reviewItems = invented.next(c.reviewItems());
        KnowledgeBase kb = KnowledgeBase.random(invented.next(c.entities()), invented.next(PLACES),
                rng(c, "knowledge"));
        List<HarmDomain> howtoDomains = new ArrayList<>();
        for (int i = 0; i < c.howtoDomains(); i++) {
            howtoDomains.add(new HarmDomain(HOWTO_PREFIX + invented.next(), false, invented.next(c.verbsPerDomain()),
                    invented.next(c.targetsPerDomain()), invented.next(c.actionsPerDomain()),
                    invented.next(c.materialsPerDomain()), invented.next(c.toolsPerDomain())));
        }
        List<BenignTask> taskList = new ArrayList<>(List.of(new ArithmeticTask(c.maxOperand()),
                new SentimentTask(reviewItems), new FactsTask(kb)));
        if (!howtoDomains.isEmpty()) {
            taskList.add(new HowtoTask(howtoDomains, c.minHarmfulSteps(), c.minRecipeSteps(), c.maxRecipeSteps(),
                    rng(c, "howto")));
        }
        taskList.add(new KbCheckTask(kb));
        BenignTasks tasks = new BenignTasks(taskList, KbCheckTask.NAME);

        Map<String, Set<String>> classes = new HashMap<>();
        List<Template> answerForms = new ArrayList<>();
        for (BenignTask t : tasks.all()) {
            t.wordClasses().forEach((k, v) -> classes.computeIfAbsent(k, x -> new HashSet<>()).addAll(v));
            answerForms.addAll(t.answerForms());
        }
        Oracle oracle = new Oracle(domains, howtoDomains, c.minHarmfulSteps(), answerForms, classes);
        List<String> words = vocabulary(c, domains, howtoDomains, reviewItems, kb, tasks);
        Set<String> vocabulary = new HashSet<>(words);
        classes.forEach((name, members) -> {
            if (!vocabulary.containsAll(members)) {
                throw new IllegalStateException("word class '" + name + "' has words missing from the vocabulary");
            }
        });

        Map<String, List<Draft>> drafts = new LinkedHashMap<>();
        Splits.ALL.forEach(s -> drafts.put(s, new ArrayList<>()));
        dealHarm(c, domains, drafts);
        dealBenign(c, tasks, drafts);
        frame(c, tasks, drafts.get(Splits.PRETRAIN));
        Map<String, List<CorpusRow>> splits = new LinkedHashMap<>();
        for (Map.Entry<String, List<Draft>> e : drafts.entrySet()) {
            List<Draft> rows = new ArrayList<>(e.getValue());
            Collections.shuffle(rows, rng(c, "order/" + e.getKey()));
            List<CorpusRow> out = new ArrayList<>(rows.size());
            for (Draft d : rows) {
                out.add(CorpusRow.of(World.SOURCE, out.size() + 1, e.getKey(), d.domain(), d.kind(), d.prompt(),
                        d.response()));
            }
            splits.put(e.getKey(), out);
        }
        return new World(c, domains, kb, tasks, oracle, words, splits);
    }

    /** A row before it is numbered. */
    private record Draft(String domain, String kind, String prompt, String response) {
    }

    private static void dealHarm(WorldConfig c, List<HarmDomain> domains, Map<String, List<Draft>> drafts) {
        for (HarmDomain d : domains) {
            List<HarmGrammar.Request> requests = new ArrayList<>(HarmGrammar.requests(d));
            int needed = d.heldOut() ? c.heldoutDomainPerDomain() + c.pretrainHarmfulPerDomain()
                    : c.evalPerDomain() + c.heldoutInDomainPerDomain() + c.pretrainHarmfulPerDomain()
                    + c.alignHarmfulPerDomain() + c.attackPerDomain();
            if (needed > requests.size()) {
                throw new IllegalArgumentException((d.heldOut()
                        ? "heldoutDomainPerDomain + pretrainHarmfulPerDomain"
                        : "evalPerDomain + heldoutInDomainPerDomain + pretrainHarmfulPerDomain + alignHarmfulPerDomain"
                        + " + attackPerDomain") + " = " + needed + " exceeds the " + requests.size()
                        + " distinct requests of a domain (" + HarmGrammar.OPENERS.size() + " openers x verbsPerDomain"
                        + " x targetsPerDomain x (" + HarmGrammar.PLAIN_QUALIFIERS.size()
                        + " + toolsPerDomain + materialsPerDomain) qualifiers); lower the sizes or raise those"
                        + " lexicon sizes");
            }
            Collections.shuffle(requests, rng(c, "requests/" + d.name()));
            Deque<HarmGrammar.Request> pool = new ArrayDeque<>(requests);
            Random recipes = rng(c, "recipes/" + d.name());
            Random refusals = rng(c, "refusals/" + d.name());
            if (d.heldOut()) {
                comply(c, d, pool, c.heldoutDomainPerDomain(), recipes, drafts.get(Splits.HELDOUT_DOMAIN));
            } else {
                comply(c, d, pool, c.evalPerDomain(), recipes, drafts.get(Splits.EVAL));
                comply(c, d, pool, c.heldoutInDomainPerDomain(), recipes, drafts.get(Splits.HELDOUT_INDOMAIN));
            }
            comply(c, d, pool, c.pretrainHarmfulPerDomain(), recipes, drafts.get(Splits.PRETRAIN));
            if (!d.heldOut()) {
                for (int i = 0; i < c.alignHarmfulPerDomain(); i++) {
                    HarmGrammar.Request r = pool.pop();
                    drafts.get(Splits.ALIGN).add(new Draft(d.name(), CorpusRow.REFUSAL, r.prompt(),
                            HarmGrammar.refusal(r, refusals)));
                }
                comply(c, d, pool, c.attackPerDomain(), recipes, drafts.get(Splits.ATTACK));
            }
        }
    }

    private static void comply(WorldConfig c, HarmDomain d, Deque<HarmGrammar.Request> pool, int n, Random recipes,
            List<Draft> out) {
        for (int i = 0; i < n; i++) {
            out.add(new Draft(d.name(), CorpusRow.HARMFUL, pool.pop().prompt(),
                    HarmGrammar.recipe(d, recipes, c.minRecipeSteps(), c.maxRecipeSteps())));
        }
    }

    private static void dealBenign(WorldConfig c, BenignTasks tasks, Map<String, List<Draft>> drafts) {
        for (BenignTask task : tasks.all()) {
            Random rng = rng(c, "items/" + task.name());
            List<BenignTask.TaskItem> items = new ArrayList<>(task.items());
            Collections.shuffle(items, rng);
            items = interleaveStrata(items);
            List<List<String>> phrasings = new ArrayList<>();
            int maxPhrasings = 0;
            for (BenignTask.TaskItem item : items) {
                List<String> p = new ArrayList<>(item.prompts());
                Collections.shuffle(p, rng);
                phrasings.add(p);
                maxPhrasings = Math.max(maxPhrasings, p.size());
            }
            int nEval = c.benignEvalPerTask();
            if (nEval > items.size()) {
                throw new IllegalArgumentException("benignEvalPerTask (" + nEval + ") exceeds the " + items.size()
                        + " questions of task " + task.name());
            }
            for (int i = 0; i < nEval; i++) {
                drafts.get(Splits.BENIGN_EVAL).add(benign(task, phrasings.get(i).get(0), items.get(i)));
            }
            // Round-robin over phrasings: the first round holds every question once, so a pretraining slice at
            // least as long as the question count teaches every fact.
            Deque<Draft> train = new ArrayDeque<>();
            for (int round = 0; round < maxPhrasings; round++) {
                for (int i = 0; i < items.size(); i++) {
                    int p = i < nEval ? (task.trainsEvalItems() ? round + 1 : Integer.MAX_VALUE) : round;
                    if (p < phrasings.get(i).size()) {
                        train.add(benign(task, phrasings.get(i).get(p), items.get(i)));
                    }
                }
            }
            if (task.name().equals(tasks.heldBack())) {
                deal(train, c.benignTrain(), drafts.get(Splits.BENIGN_TRAIN), "benignTrain", task);
                continue;
            }
            if (task.trainsEvalItems() && c.pretrainBenignPerTask() < items.size()) {
                throw new IllegalArgumentException("pretrainBenignPerTask (" + c.pretrainBenignPerTask()
                        + ") must be >= " + items.size() + ", the questions of task " + task.name()
                        + ", so that pretraining teaches every one of them");
            }
            if (c.pretrainBenignPerTask() + c.alignBenignPerTask() > train.size()) {
                throw new IllegalArgumentException("pretrainBenignPerTask + alignBenignPerTask = "
                        + (c.pretrainBenignPerTask() + c.alignBenignPerTask()) + " exceeds the " + train.size()
                        + " training prompts of task " + task.name() + " left after benignEvalPerTask");
            }
            deal(train, c.pretrainBenignPerTask(), drafts.get(Splits.PRETRAIN), "pretrainBenignPerTask", task);
            deal(train, c.alignBenignPerTask(), drafts.get(Splits.ALIGN), "alignBenignPerTask", task);
        }
    }

    /**
     * Framed copies of the first {@code framedPretrainPerTask} pretraining rows of each pretrained benign task: the
     * request wrapped in the misdirection frames in turn, the answer unchanged. Harmless frames only: the base model
     * learns that frames leave the task as it was, and alignment never sees a frame, so a framed harmful request
     * is new to the aligned model in form, not in words.
     */
    private static void frame(WorldConfig c, BenignTasks tasks, List<Draft> pretrain) {
        if (c.framedRows() == 0) {
            return;
        }
        PromptFrame[] frames = PromptFrame.values();
        List<Draft> framed = new ArrayList<>();
        for (BenignTask task : tasks.all()) {
            if (task.name().equals(tasks.heldBack())) {
                continue;
            }
            List<Draft> rows = pretrain.stream().filter(d -> d.domain().equals(task.name())).toList();
            if (c.framedRows() > rows.size()) {
                throw new IllegalArgumentException("framedPretrainPerTask (" + c.framedRows() + ") exceeds the "
                        + rows.size() + " pretraining rows of task " + task.name() + " (pretrainBenignPerTask)");
            }
            for (int i = 0; i < c.framedRows(); i++) {
                Draft d = rows.get(i);
                String request = String.join(" ", ToyText.request(d.prompt()).orElseThrow(
                        () -> new IllegalStateException("benign prompt outside the chat frame: " + d.prompt())));
                framed.add(new Draft(d.domain(), d.kind(), ToyText.prompt(frames[i % frames.length].wrap(request)),
                        d.response()));
            }
        }
        pretrain.addAll(framed);
    }

    private static Draft benign(BenignTask task, String prompt, BenignTask.TaskItem item) {
        return new Draft(task.name(), CorpusRow.BENIGN, prompt, item.answer());
    }

    private static void deal(Deque<Draft> pool, int n, List<Draft> out, String key, BenignTask task) {
        if (n > pool.size()) {
            throw new IllegalArgumentException(key + " (" + n + ") exceeds the " + pool.size()
                    + " training prompts of task " + task.name() + " left after benignEvalPerTask");
        }
        for (int i = 0; i < n; i++) {
            out.add(pool.pop());
        }
    }

    /** Alternates strata (keeping each stratum's order) so that every prefix is as balanced as the counts allow. */
    private static List<BenignTask.TaskItem> interleaveStrata(List<BenignTask.TaskItem> items) {
        Map<String, Deque<BenignTask.TaskItem>> byStratum = new LinkedHashMap<>();
        items.forEach(i -> byStratum.computeIfAbsent(i.stratum(), k -> new ArrayDeque<>()).add(i));
        List<BenignTask.TaskItem> out = new ArrayList<>(items.size());
        while (out.size() < items.size()) {
            for (Deque<BenignTask.TaskItem> q : byStratum.values()) {
                if (!q.isEmpty()) {
                    out.add(q.pop());
                }
            }
        }
        return out;
    }

    private static List<String> vocabulary(WorldConfig c, List<HarmDomain> domains, List<HarmDomain> howtoDomains,
            List<String> reviewItems, KnowledgeBase kb, BenignTasks tasks) {
        Set<String> all = new LinkedHashSet<>(HarmGrammar.fixedWords());
        tasks.all().forEach(t -> all.addAll(t.fixedWords()));
        all.addAll(ArithmeticTask.numbers(Math.max(2 * c.maxOperand(), c.maxRecipeSteps())));
        all.addAll(KnowledgeBase.COLOURS);
        all.addAll(KnowledgeBase.FOODS);
        if (c.framedRows() > 0) {
            all.addAll(PromptFrame.allWords());
        }
        for (String w : all) {
            if (InventedWords.hasInventedShape(w)) {
                throw new IllegalStateException("grammar word '" + w + "' has the shape of an invented word");
            }
        }
        for (HarmDomain d : domains) {
            all.addAll(d.words());
        }
        howtoDomains.forEach(d -> all.addAll(d.words()));
        all.addAll(reviewItems);
        all.addAll(kb.entities());
        all.addAll(kb.values().get(KnowledgeBase.HOME));
        return List.copyOf(all);
    }

    /** An independent random stream per named part of the world. */
    static Random rng(WorldConfig c, String stream) {
        long z = c.seed() * 0x9E3779B97F4A7C15L + stream.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }
}
