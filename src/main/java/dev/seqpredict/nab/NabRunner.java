package dev.seqpredict.nab;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.PersistenceModel;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.train.EvaluationGate;
import dev.seqpredict.train.SequenceTrainer;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesSet;
import dev.seqpredict.train.Split;
import dev.seqpredict.train.TrainingOptions;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Runs NAB data files through the per-key processing the streaming jobs use, one key per file, rows in
 * order, and writes NAB result files.
 *
 * <p>Per file: nothing is scored during the first {@code train-at} rows (NAB's probationary 15%); at that
 * row a model is trained (DJL) on the rows before it and published to a {@link ModelRegistry} exactly as
 * the models topic would publish it. From then on every row is an {@link Event} processed by
 * {@link KeyedPredictor#process} with the registry's {@link ServingModel}; its anomaly score is the row's
 * {@code anomaly_score}. Every {@code retrainEvery} rows a candidate is trained on the trailing
 * {@code trainWindow} rows (all strictly before the current row), compared with the serving model by the
 * {@link EvaluationGate} on the most recent 20% of them, and, if it passes, published: the predictor
 * applies the swap policy lazily on the next row. So the score of row t depends on rows ≤ t only, and
 * any model used at row t was trained on rows &lt; t only. Deterministic for a given seed.
 */
public final class NabRunner {

    /** The registry key the file's models are published under. */
    static final String MODEL = "nab";

    /**
     * @param retrainEvery rows between candidate trainings after the first model (0 = never retrain)
     * @param trainWindow  the trailing rows a candidate is trained on
     * @param gateTolerance the gate's relative tolerance (0.05: the candidate may be up to 5% worse)
     * @param residual     train models that predict the change from the last value (spec {@code residual})
     * @param differenced  ... whose input is the change from the previous row (spec {@code differenced})
     */
    public record Options(String detector, long seed, CellType cell, int hidden, int layers, int window, int epochs,
                          int batch, float lr, int retrainEvery, int trainWindow, double gateTolerance,
                          PredictorConfig predictor, java.util.Map<String, PredictorConfig> variants, boolean residual,
                          boolean differenced) {
        /** Models in the absolute form ({@code residual} false). */
        public Options(String detector, long seed, CellType cell, int hidden, int layers, int window, int epochs,
                       int batch, float lr, int retrainEvery, int trainWindow, double gateTolerance,
                       PredictorConfig predictor, java.util.Map<String, PredictorConfig> variants) {
            this(detector, seed, cell, hidden, layers, window, epochs, batch, lr, retrainEvery, trainWindow, gateTolerance,
                    predictor, variants, false, false);
        }

        public Options {
            variants = variants == null ? java.util.Map.of() : new java.util.LinkedHashMap<>(variants);
            if (detector == null || detector.isBlank() || detector.contains("/")) {
                throw new IllegalArgumentException("detector name must be non-empty without '/', got '" + detector + "'");
            }
            if (retrainEvery < 0 || trainWindow < window + 2) {
                throw new IllegalArgumentException("need --retrain-every ≥ 0 and --train-window ≥ --window + 2");
            }
        }
    }

    /** What one file gave: scores per row plus forecast error against the last-value baseline. */
    public record FileResult(String file, int rows, int trainAt, double[] scores, long predictions, double mae,
                             double rmse, double baselineMae, double baselineRmse, int trainings, int accepted,
                             double trainSeconds, double seconds, java.util.Map<String, double[]> variantScores,
                             double[] forecasts) {
    }

    /** One data file as read: relative path (category/name.csv), timestamps and value texts as in the file. */
    public record DataFile(String file, String[] timestamps, String[] valueTexts, float[] values) {
        public int rows() {
            return values.length;
        }

        /** The rows' times as epoch milliseconds (NAB's timestamps have no zone: read as UTC). */
        public long[] epochMillis() {
            long[] ms = new long[timestamps.length];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = NabTimestamps.parse(timestamps[i]).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            }
            return ms;
        }
    }


    private final Options o;
    private final PrintWriter log;

    public NabRunner(Options options, PrintWriter log) {
        this.o = options;
        this.log = log;
    }

    /** Every {@code *.csv} under {@code dataDir}, sorted by relative path. */
    public static List<DataFile> readAll(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            throw new IOException("data directory not found: " + dataDir);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dataDir)) {
            files = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no .csv files under " + dataDir);
        }
        List<DataFile> out = new ArrayList<>();
        for (Path p : files) {
            out.add(read(p, dataDir.relativize(p).toString().replace('\\', '/')));
        }
        return out;
    }

    /** Reads one NAB data file ({@code timestamp,value}). */
    public static DataFile read(Path csv, String relative) throws IOException {
        List<String> ts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        float[] v = new float[1024];
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.replace("\uFEFF", "").trim().equals("timestamp,value")) {
                throw new IOException(csv + ": expected the header timestamp,value, got " + header);
            }
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != 2) {
                    throw new IOException(csv + ":" + lineNo + ": expected 2 columns, got: " + line);
                }
                float x;
                try {
                    NabTimestamps.parse(f[0]);
                    x = Float.parseFloat(f[1].trim());
                } catch (IllegalArgumentException e) {
                    throw new IOException(csv + ":" + lineNo + ": " + e.getMessage(), e);
                }
                if (!Float.isFinite(x)) {
                    throw new IOException(csv + ":" + lineNo + ": value is not finite: " + f[1]);
                }
                if (ts.size() == v.length) {
                    v = Arrays.copyOf(v, v.length * 2);
                }
                v[ts.size()] = x;
                ts.add(f[0].trim());
                texts.add(f[1].trim());
            }
        }
        return new DataFile(relative, ts.toArray(String[]::new), texts.toArray(String[]::new), Arrays.copyOf(v, ts.size()));
    }

    /**
     * The row at which the first model is trained: NAB's probationary length, but at least enough rows for
     * one training window plus the 20% validation tail.
     */
    public int trainAt(int rows) {
        return Math.max((int) NabScorer.probationaryLength(rows), (int) Math.ceil((o.window() + 2) / 0.8));
    }

    /** Streams one file through the predictor; returns a score per row. */
    public FileResult run(DataFile f) {
        long t0 = System.nanoTime();
        int n = f.rows();
        int trainAt = trainAt(n);
        double[] scores = new double[n];
        double[] forecasts = new double[n];
        Arrays.fill(forecasts, Double.NaN);
        ModelRegistry registry = ModelRegistry.single(MODEL);
        KeyedPredictor predictor = new KeyedPredictor(o.predictor());
        EvaluationGate gate = new EvaluationGate(o.gateTolerance(), 1);
        KeyState state = null;
        // extra detectors: the same rows and models through predictors with other score settings
        List<String> vNames = new ArrayList<>(o.variants().keySet());
        KeyedPredictor[] vPredictors = new KeyedPredictor[vNames.size()];
        KeyState[] vStates = new KeyState[vNames.size()];
        double[][] vScores = new double[vNames.size()][n];
        for (int k = 0; k < vNames.size(); k++) {
            vPredictors[k] = new KeyedPredictor(o.variants().get(vNames.get(k)));
        }
        int trainings = 0;
        int accepted = 0;
        double trainSeconds = 0;
        long count = 0;
        double abs = 0;
        double sq = 0;
        double babs = 0;
        double bsq = 0;
        int nextTraining = trainAt;
        long[] millis = f.epochMillis();
        // Until the first model is trained the key is served by "no change" (the forecast is the last value), so the
        // score's statistics (typical error, season, seen range) learn during the probationary rows as NAB allows.
        if (registry.offer(MODEL, ModelArtifact.toBytes(PersistenceModel.of(1, MODEL, "0"))) instanceof ModelRegistry.Update.Rejected r) {
            throw new IllegalStateException("the registry rejected the persistence model: " + r.detail());
        }
        for (int t = 0; t < n; t++) {
            if (t == nextTraining && t < n) {
                long s0 = System.nanoTime();
                int from = Math.max(0, t - o.trainWindow());
                RecurrentModel candidate = train(f, from, t, trainings);
                trainings++;
                ServingModel current = registry.get(MODEL);
                boolean ok;
                String why;
                if (trainings == 1) {
                    ok = true;
                    why = "first model";
                } else {
                    int gateFrom = t - Math.max(o.window() + 2, (int) Math.round(0.2 * (t - from)));
                    EvaluationGate.Decision d = gate.decide(candidate, current.model(), slice(f, gateFrom, t));
                    ok = d.accepted();
                    why = d.reason();
                }
                if (ok) {
                    ModelRegistry.Update u = registry.offer(MODEL, ModelArtifact.toBytes(candidate));
                    if (u instanceof ModelRegistry.Update.Rejected r) {
                        throw new IllegalStateException("the registry rejected a trained model: " + r.detail());
                    }
                    accepted++;
                }
                trainSeconds += (System.nanoTime() - s0) / 1e9;
                log.printf(Locale.ROOT, "  %s row %d: trained on rows %d..%d, %s: %s%n", f.file(), t, from, t - 1,
                        ok ? "published" : "kept the current model", why);
                log.flush();
                nextTraining = o.retrainEvery() == 0 ? Integer.MAX_VALUE : t + o.retrainEvery();
            }
            Event event = Event.sensor(f.file(), millis[t], f.values()[t]);
            ServingModel serving = registry.select(event);
            Outcome outcome = predictor.process(state, event, serving);
            if (!(outcome instanceof Outcome.Predicted p)) {
                throw new IllegalStateException(f.file() + " row " + t + ": " + ((Outcome.Rejected) outcome).rejection());
            }
            state = p.state();
            scores[t] = t < trainAt ? 0 : p.prediction().anomalyScore(); // NAB does not score the probationary rows
            if (t + 1 < n) {
                forecasts[t + 1] = p.prediction().values()[0];
            }
            for (int k = 0; k < vNames.size(); k++) {
                Outcome.Predicted vp = (Outcome.Predicted) vPredictors[k].process(vStates[k], event, serving);
                vStates[k] = vp.state();
                vScores[k][t] = t < trainAt ? 0 : vp.prediction().anomalyScore();
            }
            float e = p.prediction().error();
            if (!Float.isNaN(e) && t > trainAt) { // the trained models' forecasts only
                double b = (double) f.values()[t] - f.values()[t - 1];
                abs += Math.abs(e);
                sq += (double) e * e;
                babs += Math.abs(b);
                bsq += b * b;
                count++;
            }
        }
        return new FileResult(f.file(), n, trainAt, scores, count, abs / count, Math.sqrt(sq / count), babs / count,
                Math.sqrt(bsq / count), trainings, accepted, trainSeconds, (System.nanoTime() - t0) / 1e9, variantMap(vNames, vScores), forecasts);
    }

    private static java.util.Map<String, double[]> variantMap(List<String> names, double[][] scores) {
        java.util.Map<String, double[]> m = new java.util.LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            m.put(names.get(k), scores[k]);
        }
        return m;
    }

    private RecurrentModel train(DataFile f, int from, int to, int index) {
        TrainingOptions options = new TrainingOptions(o.cell(), o.hidden(), o.layers(), o.window(), 1, o.epochs(), o.batch(),
                o.lr(), o.seed() + 1000L * index, Task.REGRESSION, 0.2, Split.TAIL, false, 1, 1.0f, MODEL,
                Integer.toString(index + 1), o.residual() || o.differenced(), o.differenced());
        try (SequenceTrainer trainer = new SequenceTrainer(options)) {
            return trainer.train(slice(f, from, to), new PrintWriter(OutputStream.nullOutputStream())).model();
        }
    }

    private static SeriesSet slice(DataFile f, int from, int to) {
        float[][] x = new float[to - from][];
        for (int i = from; i < to; i++) {
            x[i - from] = new float[] {f.values()[i]};
        }
        Series s = new Series(f.file(), Arrays.copyOfRange(f.timestamps(), from, to), x, null);
        return new SeriesSet(Task.REGRESSION, List.of("value"), List.of(s), f.file() + " rows " + from + ".." + (to - 1));
    }

    /**
     * Writes NAB's result file {@code <out>/<detector>/<category>/<detector>_<name>.csv}:
     * {@code timestamp,value,anomaly_score,label} (label 1 inside a labelled window, 0 otherwise or without labels).
     */
    public static Path write(Path outDir, String detector, DataFile f, double[] scores, List<NabWindow> windows)
            throws IOException {
        Path p = NabResultFile.resultPath(outDir, detector, f.file());
        Files.createDirectories(p.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            w.write("timestamp,value,anomaly_score,label\n");
            for (int t = 0; t < f.rows(); t++) {
                int label = 0;
                if (windows != null) {
                    LocalDateTime ts = NabTimestamps.parse(f.timestamps()[t]);
                    for (NabWindow win : windows) {
                        if (!ts.isBefore(win.start()) && !ts.isAfter(win.end())) {
                            label = 1;
                            break;
                        }
                    }
                }
                w.write(f.timestamps()[t] + "," + f.valueTexts()[t] + "," + format(scores[t]) + "," + label + "\n");
            }
        }
        return p;
    }

    /** Writes {@code <dir>/<category>/<name>.csv}: timestamp,value,forecast (empty where none was made). */
    public static Path writeForecasts(Path dir, DataFile f, double[] forecasts) throws IOException {
        Path p = dir.resolve(f.file());
        Files.createDirectories(p.getParent());
        try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            w.write("timestamp,value,forecast\n");
            for (int t = 0; t < f.rows(); t++) {
                w.write(f.timestamps()[t] + "," + f.valueTexts()[t] + "," + (Double.isNaN(forecasts[t]) ? "" : Float.toString((float) forecasts[t])) + "\n");
            }
        }
        return p;
    }

    private static String format(double score) {
        if (score == 0) {
            return "0";
        }
        String s = String.format(Locale.ROOT, "%.12f", score);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
