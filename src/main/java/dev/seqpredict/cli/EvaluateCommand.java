package dev.seqpredict.cli;

import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.train.Baselines;
import dev.seqpredict.train.DataException;
import dev.seqpredict.train.EvaluationGate;
import dev.seqpredict.train.Evaluator;
import dev.seqpredict.train.SeriesReaders;
import dev.seqpredict.train.SeriesSet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure a model on data by stepping it event by event per key, as the stream does.",
                "With --candidate and --current: the evaluation gate. Exit 0 only if the candidate is at least as good "
                        + "as the current model (RMSE, or top-1 accuracy) within --tolerance; exit "
                        + EvaluateCommand.EXIT_REJECTED + " if it is worse; 1 on errors."})
final class EvaluateCommand implements Callable<Integer> {

    static final int EXIT_REJECTED = 3;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class Single {
        @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model to evaluate.")
        Path model;
    }

    static final class Pair {
        @Option(names = "--candidate", paramLabel = "FILE", required = true, description = "The new model.")
        Path candidate;

        @Option(names = "--current", paramLabel = "FILE", required = true, description = "The model in service.")
        Path current;
    }

    static final class Which {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Single single;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Pair pair;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Input {
        @Option(names = "--input", paramLabel = "CSV", description = "CSV: key,ts,<features...> or key,ts,event.")
        Path csv;

        @Option(names = "--sessions", paramLabel = "FILE", description = "One session per line, event ids separated by spaces.")
        Path sessions;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--tolerance", defaultValue = "0.0",
            description = "Gate: how much worse the candidate may be, relative (0.02 = 2%%) (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--top-k", defaultValue = "9", description = "k of the top-k hit rate (default ${DEFAULT-VALUE}).")
    int topK;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (topK < 1) {
            throw new CliException("--top-k must be ≥ 1", 2);
        }
        try {
            if (which.single != null) {
                RecurrentModel m = Models.load(which.single.model);
                SeriesSet data = read(m.spec().task());
                Evaluator.Report r = Evaluator.evaluate(m, data, Evaluator.scoreAll(data), Baselines.inSample(data), topK);
                requirePredictions(r);
                header(out, m, data);
                TrainCommand.printReport(out, "model", r, m.spec().task());
                if (m.spec().task() == Task.CLASSIFICATION) {
                    out.println("            (the baseline is fitted on this input itself)");
                }
                out.flush();
                return 0;
            }
            RecurrentModel cand = Models.load(which.pair.candidate);
            RecurrentModel cur = Models.load(which.pair.current);
            SeriesSet data = read(cand.spec().task());
            EvaluationGate gate;
            try {
                gate = new EvaluationGate(tolerance, topK);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), 2);
            }
            EvaluationGate.Decision d = gate.decide(cand, cur, data);
            out.printf(Locale.ROOT, "data        %s: %d rows, %d keys%n", data.source(), data.rows(), data.series().size());
            out.printf(Locale.ROOT, "candidate   %s  (%s %s)%n", d.candidate().model().summary(), cand.spec().name(), cand.spec().version());
            out.printf(Locale.ROOT, "current     %s  (%s %s)%n", d.current().model().summary(), cur.spec().name(), cur.spec().version());
            if (d.candidate().baseline() != null) {
                out.printf(Locale.ROOT, "baseline    %s%n", d.candidate().baseline().summary());
            }
            out.printf("%s: %s%n", d.accepted() ? "ACCEPTED" : "REJECTED", d.reason());
            out.flush();
            return d.accepted() ? 0 : EXIT_REJECTED;
        } catch (DataException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static void requirePredictions(Evaluator.Report r) {
        if (r.model().n() == 0) {
            throw new DataException("the input yields no predictions (every key has a single event)");
        }
    }

    private static void header(PrintWriter out, RecurrentModel m, SeriesSet data) {
        out.printf(Locale.ROOT, "evaluate    %s %s (%s %dx%d) on %s: %d rows, %d keys%s%n", m.spec().name(), m.spec().version(),
                m.spec().cell(), m.spec().numLayers(), m.spec().hiddenSize(), data.source(), data.rows(), data.series().size(),
                data.firstTs() == null ? "" : ", ts " + data.firstTs() + " .. " + data.lastTs());
    }

    private SeriesSet read(Task task) {
        if (input.csv != null) {
            return SeriesReaders.csv(input.csv, task);
        }
        if (task != Task.CLASSIFICATION) {
            throw new CliException("--sessions holds event ids, but the model is a " + task + " model");
        }
        return SeriesReaders.sessions(input.sessions);
    }
}
