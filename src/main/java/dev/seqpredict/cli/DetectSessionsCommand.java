package dev.seqpredict.cli;

import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.processor.SessionRules;
import dev.seqpredict.processor.SessionVerdict;
import dev.seqpredict.train.DataException;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesReaders;
import dev.seqpredict.train.SeriesSet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.FilterWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "detect-sessions", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"DeepLog session verdicts with a classification model: each session (one line of event ids) "
                + "is a key stepped through the jobs' per-key processing (processor.OpenSession); an event is normal when "
                + "it is among the top g events predicted from the state before it (the first event too, under a model "
                + "with an end symbol: train --sessions). A session with a miss, or with an id outside the model's "
                + "vocabulary, is anomalous; so is one that ends (the line's end) where the model's end symbol is not "
                + "among the top g (the end rule; models with an end symbol only). An end in the top g but less likely "
                + "than --min-end-prob is not expected either.",
                "Writes one line per input session, in order: 1 anomalous, 0 normal."})
final class DetectSessionsCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A classification model artifact.")
    Path model;

    @Option(names = "--sessions", required = true, paramLabel = "FILE", description = "One session per line: event ids separated by spaces.")
    Path sessions;

    @Option(names = "--top-g", defaultValue = "5", description = "g (default ${DEFAULT-VALUE}: on HDFS, 3 seeds, recall on real "
            + "abnormal sessions 0.999-1.000 at 0.26-0.39% false positives; DeepLog's 9 for ~29 keys; docs/real-data.md).")
    int topG;

    @Option(names = "--end-rule", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Judge where a session ends too (models with an end symbol; default on; --no-end-rule: events only).")
    boolean endRule;

    @Option(names = "--min-end-prob", paramLabel = "P", defaultValue = "0.001",
            description = "End rule: an end in the top g but predicted with probability below P is not expected either "
                    + "(default ${DEFAULT-VALUE}; 0: rank only).")
    double minProb;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to write the verdicts (default: standard output).")
    Path output;

    @Override
    public Integer call() throws IOException {
        RecurrentModel m = Models.load(model);
        if (m.spec().task() != Task.CLASSIFICATION) {
            throw new CliException("model " + model + " is a " + m.spec().task() + " model: detect-sessions needs a "
                    + "classification model (train --sessions)");
        }
        if (topG < 1) {
            throw new CliException("--top-g must be ≥ 1, got " + topG, 2);
        }
        if (!(minProb >= 0 && minProb < 1)) {
            throw new CliException("--min-end-prob must be in [0, 1), got " + minProb, 2);
        }
        SessionRules rules = new SessionRules(topG, endRule, minProb);
        SeriesSet data;
        try {
            data = SeriesReaders.sessions(sessions);
        } catch (DataException e) {
            throw new CliException(e.getMessage());
        }
        ServingModel serving = ServingModel.of(m.spec().name(), m);
        KeyedPredictor predictor = new KeyedPredictor(PredictorConfig.DEFAULTS.withTopG(topG));
        PrintWriter console = spec.commandLine().getOut();
        int anomalous = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        long t0 = System.nanoTime();
        try (Writer w = output == null ? new NonClosing(console) : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
             BufferedWriter out = new BufferedWriter(w)) {
            for (Series s : data.series()) {
                SessionVerdict v = SessionVerdict.judge(predictor, serving, s.key(), s.events(), rules);
                out.write(v.anomalous() ? "1\n" : "0\n");
                if (v.anomalous()) {
                    anomalous++;
                    reasons.merge(v.reason(), 1, Integer::sum);
                }
            }
        }
        int n = data.series().size();
        String rule = (m.endIndex() < 0 ? "no end symbol in the model" : endRule ? "end rule on" : "end rule off")
                + (minProb > 0 ? ", min end p " + minProb : "");
        if (output != null) {
            console.printf(Locale.ROOT, "%d sessions, %d anomalous (%.2f%%) %s, top-g %d, %s, %.1f s; verdicts in %s%n", n,
                    anomalous, 100.0 * anomalous / n, reasons, topG, rule, (System.nanoTime() - t0) / 1e9, output);
        } else {
            spec.commandLine().getErr().printf(Locale.ROOT, "%d sessions, %d anomalous (%.2f%%) %s, top-g %d, %s%n", n,
                    anomalous, 100.0 * anomalous / n, reasons, topG, rule);
        }
        console.flush();
        return 0;
    }

    /** The console, not closed with the verdicts. */
    private static final class NonClosing extends FilterWriter {
        NonClosing(Writer w) {
            super(w);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
