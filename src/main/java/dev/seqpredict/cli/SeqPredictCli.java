package dev.seqpredict.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code seqpredict} command line: one picocli command per task. */
@Command(name = "seqpredict",
        mixinStandardHelpOptions = true,
        versionProvider = SeqPredictCli.Version.class,
        description = "Recurrent networks (RNN, LSTM, GRU) stepped event by event on keyed streams.",
        subcommands = {
                DemoCommand.class,
                BenchCommand.class,
                InspectCommand.class,
                PredictCommand.class,
                TrainCommand.class,
                CompareCommand.class,
                EvaluateCommand.class,
                NabScoreCommand.class,
                KeygenCommand.class,
                SignCommand.class,
                VerifyCommand.class,
                PublishCommand.class,
                NabCommand.class,
                DetectSessionsCommand.class,
                AbnormalSessionsCommand.class,
                CommandLine.HelpCommand.class
        })
public final class SeqPredictCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    /** Runs the CLI with the given console streams (tests capture them); returns the exit code. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = newCommandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new SeqPredictCli());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // A user error gets one clear line, not a stack trace.
            commandLine.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (Boolean.getBoolean("seqpredict.debug")) {
                ex.printStackTrace(commandLine.getErr());
            }
            return ex instanceof CliException ce ? ce.exitCode() : 1;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SeqPredictCli.class.getPackage().getImplementationVersion();
            return new String[] {"seqpredict " + (v == null ? "dev" : v)};
        }
    }
}
