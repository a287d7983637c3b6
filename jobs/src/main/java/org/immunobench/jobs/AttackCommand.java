package org.immunobench.jobs;

import picocli.CommandLine.Command;

import java.util.List;

/** {@code immunobench attack}: the attack stage of {@code run} alone, on the checkpoints already made. */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = "Attacks and evaluates the experiment's checkpoints made so far (the run's attack stage alone).")
final class AttackCommand extends ExperimentCommand {
    @Override
    List<String> stages() {
        return List.of("attack");
    }
}
