package org.immunobench.jobs;

import picocli.CommandLine.Command;

import java.util.List;

/** {@code immunobench immunise}: the immunise stage of {@code run} alone. */
@Command(name = "immunise", mixinStandardHelpOptions = true,
        description = "Makes the immunised checkpoints of an experiment (the run's immunise stage alone).")
final class ImmuniseCommand extends ExperimentCommand {
    @Override
    List<String> stages() {
        return List.of("immunise");
    }
}
