package org.immunobench.jobs;

import org.immunobench.jobs.run.RunJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.ArrayList;
import java.util.List;

/** {@code immunobench run}: the benchmark loop of an experiment config (see {@link RunJob}). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs an experiment: immunise -> attack -> search -> pillars and leaderboard, resumable.",
            "Writes OUT/run.yaml, checkpoints/, manifest/, metrics/, generations/, failures/, pillars/ and"
                + " leaderboard.{md,csv,html}; with attack searches also search/ and tamperbench/. A rerun runs only"
                + " the tasks that are missing."})
final class RunCommand extends ExperimentCommand {
    @Option(names = "--stages", split = ",", paramLabel = "STAGE,...",
            description = "Stages to run, of immunise, attack, search, leaderboard (default: all).")
    List<String> stageNames = new ArrayList<>(RunJob.STAGES);

    @Override
    List<String> stages() {
        for (String s : stageNames) {
            if (!RunJob.STAGES.contains(s)) {
                throw new ParameterException(spec.commandLine(), "--stages: '" + s + "' is unknown; known: "
                        + RunJob.STAGES);
            }
        }
        return RunJob.STAGES.stream().filter(stageNames::contains).toList();
    }
}
