package dev.seqpredict.cli;

import dev.seqpredict.lab.CompareLab;
import dev.seqpredict.train.DataException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Vanilla RNN vs LSTM vs GRU, same hidden size and training budget (DJL): parameters and FLOPs,",
                "a long-range recall task for several lags, ‖∂L/∂h_t‖ per step at initialization and after training,",
                "training and streaming-step speed, and a one-step forecast of a real series against the last value.",
                "Writes results.md and PNG plots to --out."})
final class CompareCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Small settings that run in seconds (lags 5 and 20, 160 updates of 16).")
    boolean quick;

    @Option(names = "--out", defaultValue = "compare-out", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed for data, weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--series", paramLabel = "CSV",
            description = "A NAB data file (timestamp,value) for the real-series part; default: the demo's simulated sensor.")
    Path series;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getOut();
        CompareLab.Options o = quick ? CompareLab.Options.quick(seed) : CompareLab.Options.full(seed);
        if (series != null) {
            if (!Files.isRegularFile(series)) {
                throw new CliException("--series " + series + ": no such file", 2);
            }
            o = o.withSeries(series);
        }
        try {
            CompareLab.Result r = CompareLab.run(o, out, log);
            log.printf(Locale.ROOT, "wrote %s (%.0f s)%n", r.files(), r.seconds());
        } catch (IOException | DataException e) {
            throw new CliException(e.getMessage(), e);
        }
        log.flush();
        return 0;
    }
}
