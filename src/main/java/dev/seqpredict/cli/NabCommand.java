package dev.seqpredict.cli;

import dev.seqpredict.model.CellType;
import dev.seqpredict.nab.NabLabels;
import dev.seqpredict.nab.NabRunner;
import dev.seqpredict.nab.NabWindow;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.SensorScoring;
import dev.seqpredict.processor.SwapPolicy;
import dev.seqpredict.train.DataException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "nab", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run NAB data files (<category>/<name>.csv, columns timestamp,value) through the streaming "
                + "jobs' per-key processing, one key per file, and write NAB result files "
                + "<out>/<detector>/<category>/<detector>_<name>.csv (timestamp,value,anomaly_score,label).",
                "No look-ahead: a model is trained (DJL) on the probationary 15% of each file, then retrained every "
                        + "--retrain-every rows on the trailing --train-window rows, gated against the serving model "
                        + "and hot-swapped as the jobs do. Score the output with nab-score.",
                "Also writes <out>/<detector>-summary.csv: one-step forecast error per file against the last value."})
final class NabCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "NAB data directory (holds <category>/<name>.csv).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Results directory.")
    Path out;

    @Option(names = "--labels", paramLabel = "FILE", description = "NAB combined_windows.json, for the label column (default: all 0).")
    Path labels;

    @Option(names = "--detector", defaultValue = "seqpredict", description = "Detector name (default ${DEFAULT-VALUE}).")
    String detector;

    @Option(names = "--seed", defaultValue = "42", description = "Training seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cell", defaultValue = "lstm", description = "lstm, gru, rnn_tanh or rnn_relu (default ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--hidden", defaultValue = "16", description = "Hidden units (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "Layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--window", defaultValue = "24", description = "Training window (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--epochs", defaultValue = "6", description = "Epochs per training (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--retrain-every", defaultValue = "1500", paramLabel = "ROWS",
            description = "Rows between retrainings after the first model; 0 = never (default ${DEFAULT-VALUE}).")
    int retrainEvery;

    @Option(names = "--train-window", defaultValue = "3000", paramLabel = "ROWS",
            description = "Trailing rows a retraining uses (default ${DEFAULT-VALUE}).")
    int trainWindow;

    @Option(names = "--gate-tolerance", defaultValue = "0.05",
            description = "The evaluation gate's relative tolerance (default ${DEFAULT-VALUE}).")
    double gateTolerance;

    @Option(names = "--swap-policy", defaultValue = "rewarm", description = "keep, reset or rewarm (default ${DEFAULT-VALUE}).")
    String swapPolicy;

    @Option(names = "--rewarm-window", defaultValue = "64", description = "Inputs replayed by rewarm (default ${DEFAULT-VALUE}).")
    int rewarmWindow;

    @Option(names = "--threshold", defaultValue = "0.5",
            description = "Anomaly threshold: an alarm for --suppress (default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--suppress", defaultValue = "100", paramLabel = "ROWS",
            description = "Rows after an alarm whose score is capped at 0 (default ${DEFAULT-VALUE}).")
    int suppress;

    @Option(names = "--short-window", defaultValue = "20", description = "Anomaly score: recent-error window (default ${DEFAULT-VALUE}).")
    int shortWindow;

    @Option(names = "--long-window", defaultValue = "2000", description = "Anomaly score: error-history window (default ${DEFAULT-VALUE}).")
    int longWindow;

    @Option(names = "--warmup", defaultValue = "20", description = "Anomaly score: errors before the score leaves 0 (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--spike-factor", defaultValue = "0", paramLabel = "X",
            description = "A row whose forecast error is more than X typical errors scores 1 (the jobs flag spikes at 6); "
                    + "0 = off, the default here: NAB's labels do not count the single-row spikes of spiky metrics "
                    + "(on the 35 development files 40 cost 8 points, 10 cost 25; docs/real-data.md).")
    double spikeFactor;

    @Option(names = "--range-margin", defaultValue = "0.02", paramLabel = "M",
            description = "A value more than M × the seen range outside it scores 1; 0 = no range check (default ${DEFAULT-VALUE}).")
    double rangeMargin;

    @Option(names = "--season-hours", defaultValue = "24", paramLabel = "H",
            description = "The value H hours earlier is compared with; 0 = no season view (default ${DEFAULT-VALUE}).")
    double seasonHours;

    @Option(names = "--season-cycles", defaultValue = "7", paramLabel = "C",
            description = "Seasons kept: the season's error is the smaller of the differences from one and from C "
                    + "seasons earlier (7 with a day: also a week earlier); 1 = one season (default ${DEFAULT-VALUE}).")
    int seasonCycles;

    @Option(names = "--season-jitter", defaultValue = "3", paramLabel = "J",
            description = "Rows a season's pattern may shift: the season's error is the smallest over the rows up to J "
                    + "before and after one season earlier (and up to J after C seasons earlier); 0 = the exact row "
                    + "(default ${DEFAULT-VALUE}).")
    int seasonJitter;

    @Option(names = "--blend-alpha", defaultValue = "" + SensorScoring.BLEND_ALPHA, paramLabel = "A",
            description = "Forecast blend: per file, the model's predicted change is shrunk towards the last value by the "
                    + "factor (0, 0.25 .. 1) with the least recent mean absolute error, an exponentially weighted mean with "
                    + "this weight of the newest row; 0 = the model's forecast as it is (default ${DEFAULT-VALUE}).")
    double blendAlpha;

    @Option(names = "--variant", paramLabel = "NAME:THRESHOLD:SUPPRESS[:SHORT:LONG]",
            description = "Also write detector NAME: the same rows and models, scored with another threshold and "
                    + "suppression (and short/long windows) (for tuning; repeatable).")
    List<String> variantSpecs = new java.util.ArrayList<>();

    @Option(names = "--residual", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Models predict the change from the last value (spec 'residual'); --no-residual: the next "
                    + "value itself (default ${DEFAULT-VALUE}).")
    boolean residual;

    @Option(names = "--differenced", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Residual models whose input is the change from the previous row (spec 'differenced'); "
                    + "--no-differenced: the value itself (default ${DEFAULT-VALUE}).")
    boolean differenced;

    @Option(names = "--forecasts", description = "Also write <out>/<detector>-forecasts/<category>/<name>.csv: "
            + "timestamp,value,forecast (the one-step forecast made at the row before; empty where there was none).")
    boolean writeForecasts;

    @Option(names = "--verbose", description = "Print every training and gate decision.")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        NabRunner.Options options;
        try {
            PredictorConfig pc = PredictorConfig.DEFAULTS.withSwapPolicy(SwapPolicy.fromId(swapPolicy))
                    .withRewarmWindow(rewarmWindow).withAlarms(threshold, suppress)
                    .withScoreWindows(warmup, shortWindow, longWindow)
                    .withSensorScoring(SensorScoring.DEFAULTS.withSpikeFactor(spikeFactor).withBlendAlpha(blendAlpha)
                            .withRangeMargin(rangeMargin)
                            .withSeason(Math.round(seasonHours * 3_600_000), SensorScoring.DEFAULTS.maxSeasonEvents())
                            .withSeasonCycles(seasonCycles).withSeasonJitter(seasonJitter));
            java.util.Map<String, PredictorConfig> variants = new java.util.LinkedHashMap<>();
            for (String v : variantSpecs) {
                String[] f = v.split(":");
                if ((f.length != 3 && f.length != 5) || f[0].isBlank() || f[0].equals(detector)) {
                    throw new IllegalArgumentException("--variant must be NAME:THRESHOLD:SUPPRESS[:SHORT:LONG] with a new "
                            + "name, got '" + v + "'");
                }
                PredictorConfig vc = pc.withAlarms(Double.parseDouble(f[1]), Integer.parseInt(f[2]));
                if (f.length == 5) {
                    vc = vc.withScoreWindows(warmup, Integer.parseInt(f[3]), Integer.parseInt(f[4]));
                }
                variants.put(f[0], vc);
            }
            options = new NabRunner.Options(detector, seed, CellType.fromId(cell), hidden, layers, window, epochs, batch, lr,
                    retrainEvery, trainWindow, gateTolerance, pc, variants, residual, differenced);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), 2);
        }
        long t0 = System.nanoTime();
        try {
            NabLabels l = labels == null ? null : NabLabels.read(labels);
            List<NabRunner.DataFile> files = NabRunner.readAll(data);
            NabRunner runner = new NabRunner(options, verbose ? console : new PrintWriter(java.io.OutputStream.nullOutputStream()));
            Path summary = out.resolve(detector + "-summary.csv");
            Files.createDirectories(out);
            long rows = 0;
            int trainings = 0;
            double trainSeconds = 0;
            console.printf("%-50s %7s %6s %5s %11s %11s %11s %11s %9s%n", "file", "rows", "from", "train",
                    "MAE", "RMSE", "lastval MAE", "lastval RMSE", "seconds");
            for (NabRunner.DataFile f : files) {
                if (l != null && l.windows().get(f.file()) == null) {
                    throw new CliException("no labels for " + f.file() + " in " + labels);
                }
            }
            // One file at a time: DJL allows one gradient collector per process (training cannot run in
            // parallel threads); to use more cores, run one process per category directory.
            try (BufferedWriter w = Files.newBufferedWriter(summary, StandardCharsets.UTF_8)) {
                w.write("file,rows,first_model_row,predictions,mae,rmse,baseline_mae,baseline_rmse,trainings,accepted,"
                        + "train_seconds,seconds\n");
                for (int i = 0; i < files.size(); i++) {
                    NabRunner.DataFile f = files.get(i);
                    NabRunner.FileResult r = runner.run(f);
                    List<NabWindow> windows = l == null ? null : l.windows().get(f.file());
                    NabRunner.write(out, detector, f, r.scores(), windows);
                    if (writeForecasts) {
                        NabRunner.writeForecasts(out.resolve(detector + "-forecasts"), f, r.forecasts());
                    }
                    for (var v : r.variantScores().entrySet()) {
                        NabRunner.write(out, v.getKey(), f, v.getValue(), windows);
                    }
                    rows += r.rows();
                    trainings += r.trainings();
                    trainSeconds += r.trainSeconds();
                    console.printf(Locale.ROOT, "%-50s %7d %6d %2d/%-2d %11.4g %11.4g %11.4g %11.4g %9.1f%n", f.file(), r.rows(),
                            r.trainAt(), r.accepted(), r.trainings(), r.mae(), r.rmse(), r.baselineMae(), r.baselineRmse(),
                            r.seconds());
                    console.flush();
                    w.write(String.format(Locale.ROOT, "%s,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%d,%d,%.2f,%.2f%n", f.file(), r.rows(),
                            r.trainAt(), r.predictions(), r.mae(), r.rmse(), r.baselineMae(), r.baselineRmse(),
                            r.trainings(), r.accepted(), r.trainSeconds(), r.seconds()));
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            console.printf(Locale.ROOT, "%d files, %d rows, %d trainings (%.1f s training) in %.1f s; results in %s, summary %s%n",
                    files.size(), rows, trainings, trainSeconds, s, out.resolve(detector), summary);
        } catch (IOException | DataException e) {
            throw new CliException(e.getMessage(), e);
        }
        console.flush();
        return 0;
    }
}
