package org.immunobench.jobs;

import org.immunobench.jobs.world.WorldCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The {@code immunobench} command line: one subcommand per job. Also the spark-submit entry point
 * ({@code --class org.immunobench.jobs.Cli}).
 *
 * <p>Exit codes: 0 done, 2 usage error (the message names the flag), 1 failure (one line; {@code --verbose} adds
 * the stack trace).
 */
@Command(name = "immunobench", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Measures how well open-weight language models resist harmful fine-tuning, on Spark and DJL.",
        subcommands = {DemoCommand.class, RunCommand.class, ImmuniseCommand.class, AttackCommand.class,
            LeaderboardCommand.class, LandscapeCommand.class, WorldCommand.class, CurateCommand.class,
            ScoreCommand.class, InitModelCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Cli implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces on failure (bin/immunobench also turns on Spark's logs).")
    private boolean verbose;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code, without exiting (tests call this). */
    public static int execute(String... args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cmd = new CommandLine(new Cli());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setParameterExceptionHandler((ex, arguments) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter err = c.getErr();
            err.println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parseResult) -> {
            PrintWriter err = c.getErr();
            err.println(c.getCommandSpec().qualifiedName() + ": error: " + oneLine(ex));
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return FAILURE;
        });
        return cmd.execute(args);
    }

    /**
     * The message worth showing: Spark wraps task failures (in exceptions whose text holds whole stack traces),
     * so unwrap to the first exception that is not Spark's, and keep its first line.
     */
    public static String oneLine(Throwable t) {
        Throwable e = t;
        while (e.getCause() != null && e.getCause() != e
                && (e.getClass().getName().startsWith("org.apache.spark.") || e.getMessage() == null
                || e instanceof java.util.concurrent.ExecutionException
                || e instanceof java.lang.reflect.InvocationTargetException)) {
            e = e.getCause();
        }
        String msg = e.getMessage() == null || e.getMessage().isBlank() ? "" : e.getMessage().strip();
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl).strip();
        }
        boolean plain = e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UncheckedIOException;
        return plain && !msg.isEmpty() ? msg : e.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }

    /** {@code --version}: the Maven version and, when known, the git commit. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"immunobench " + CodeVersion.describe()};
        }
    }
}
