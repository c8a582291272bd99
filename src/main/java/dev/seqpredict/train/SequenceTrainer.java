package dev.seqpredict.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.Normalization;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a recurrent network offline with DJL on the PyTorch engine (CPU) and exports it as our
 * {@link RecurrentModel}.
 *
 * <p>Training uses truncated back-propagation through time: windows of {@code window} consecutive events
 * of a key, each started from a zero state, the loss taken at every step on the next event (MSE on
 * normalized features, or softmax cross-entropy over the vocabulary; with {@code residual} the regression
 * target is the next event's change from the current one, z_{t+1} - z_t, and the spec says so). After every epoch the network is
 * exported and the exported model is stepped event by event over the validation data exactly as the
 * stream will step it (zero state at each key's first event, the whole history stepped), so the reported
 * metric is the one the stream gets. The epoch with the best validation metric is kept.
 *
 * <p>Sessions ({@link SeriesSet#sessions()}, classification): every training session is one sequence, trained
 * whole from a zero state, exactly as the stream steps a key: inputs [END, e1, .., en], targets [e1, .., en, END],
 * where END is an end-of-session symbol appended to the vocabulary ({@link ModelSpec#endSymbol()}), so the model
 * learns the first event and where sessions end. No session is too short; {@code window}, {@code stride} and
 * {@code skipShort} do not apply. Batches hold sessions of similar length (sorted by length, then the batches
 * shuffled), padded at the end; padded steps have no target, so they add nothing to the loss (the network is
 * causal, so padding after a session cannot change its outputs). The learning rate decays from --lr to --lr/20
 * (cosine) over the run.
 *
 * <p>Deterministic for a given seed: initial weights come from a seeded {@link Random}, batches are
 * shuffled by another, and the engine runs single-threaded unless {@code ai.djl.pytorch.num_threads} is set.
 */
public final class SequenceTrainer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingOptions o;
    private DjlNetwork net;
    private Model model;
    private Trainer trainer;
    private Prepared data;

    public SequenceTrainer(TrainingOptions options) {
        this.o = options;
    }

    /** The outcome: the exported model (with provenance in its spec) and its validation report. */
    public record Result(RecurrentModel model, Evaluator.Report validation, int bestEpoch, double finalLoss,
                         long trainingWindows, double seconds) {
    }

    public Result train(SeriesSet raw, PrintWriter out) {
        if (o.task() != null && o.task() != raw.task()) {
            throw new DataException("--task " + o.task() + " but " + raw.source() + " holds " + raw.task() + " data");
        }
        long t0 = System.nanoTime();
        Split split = o.split() != null ? o.split()
                : raw.series().stream().allMatch(s -> s.ts() == null) ? Split.KEYS : Split.TAIL;
        data = Prepared.of(raw, o, split);
        ModelSpec spec = data.spec(o);

        Engine engine = DjlNetwork.engine(o.seed());
        DjlCpuGuard.Status cpu = DjlCpuGuard.ensure();
        if (!cpu.agrees()) {
            throw new DataException("DJL's recurrent forward on this CPU differs from the core's step by "
                    + cpu.maxDifference() + " (" + cpu.detail() + "): refusing to train a model on wrong numbers");
        }
        net = new DjlNetwork(o.cell(), spec.inputSize(), o.hidden(), o.layers(), spec.outputSize(), o.seed());
        model = Model.newInstance("seqpredict", Device.cpu(), DjlNetwork.ENGINE);
        model.setBlock(net.block());
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                .optDevices(new Device[] {Device.cpu()})
                .optOptimizer(Adam.builder().optLearningRateTracker(learningRate())
                        .optClipGrad(o.clipGradient()).build());
        trainer = model.newTrainer(config);
        trainer.initialize(new Shape(1, o.window(), spec.inputSize()));

        out.printf(Locale.ROOT, "training %s %dx%d on %s: %d rows, %d keys, %d %s %d, %s split %.0f%% (%d predictions), "
                        + "DJL %s on %s %s%n",
                o.cell(), o.layers(), o.hidden(), raw.source(), raw.rows(), raw.series().size(), data.windows.length,
                data.sessionMode ? "whole sessions trained from a zero state with an end symbol, steps up to"
                        : "windows of", data.sessionMode ? data.maxSessionLength + 1 : o.window(), split.id(), 100 * o.validationFraction(), data.validationPredictions(), Engine.getDjlVersion(),
                engine.getEngineName(), engine.getVersion());
        if (data.skippedShort > 0) {
            out.printf("skipped %d key(s) shorter than window+1 = %d events%n", data.skippedShort, o.window() + 1);
        }
        out.flush();

        Evaluator.BigramBaseline bigram = raw.task() == Task.CLASSIFICATION ? data.bigram() : null;
        Random shuffle = new Random(o.seed() ^ 0x5DEECE66DL);
        Evaluator.Report best = null;
        int bestEpoch = 0;
        Map<Parameter, float[]> bestWeights = null;
        double loss = Double.NaN;
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            long e0 = System.nanoTime();
            loss = data.sessionMode ? sessionEpoch(spec, shuffle) : windowEpoch(spec, shuffle);
            Evaluator.Report r = null;
            if (data.validationPredictions() > 0) {
                r = Evaluator.evaluate(net.export(spec), data.raw, data.scoreFrom, bigram, o.topK());
            }
            boolean improved = r != null && (best == null || better(r.model(), best.model()));
            if (r == null || improved) {
                best = r;
                bestEpoch = epoch;
                bestWeights = snapshot();
            }
            out.printf(Locale.ROOT, "epoch %3d/%d  loss %.5f  %s  %.1f s%s%n", epoch, o.epochs(), loss,
                    r == null ? "(no validation data)" : "val " + r.model().summary(),
                    (System.nanoTime() - e0) / 1e9, improved ? "  *" : "");
            out.flush();
        }
        if (bestEpoch != o.epochs()) {
            restore(bestWeights);
        }
        float headScale = 1f;
        if (data.residual && data.validationPredictions() > 0) {
            headScale = headScale(net.export(spec), data.raw, data.scoreFrom);
            if (headScale != 1f) {
                net.scaleHead(headScale);
                out.printf(Locale.ROOT, "residual head scaled by %.2f (least validation MAE; 0 = the last value)%n", headScale);
            }
        }
        RecurrentModel exported = net.export(spec);
        Evaluator.Report validation = data.validationPredictions() > 0
                ? Evaluator.evaluate(exported, data.raw, data.scoreFrom, bigram, o.topK()) : null;
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode training = trainingJson(raw, split, bestEpoch, loss, engine);
        if (data.residual) {
            training.put("head_scale", headScale);
        }
        ObjectNode evaluation = evaluationJson(validation, split);
        RecurrentModel result = RecurrentModel.create(spec.withProvenance(training, evaluation), net.layerWeights(),
                net.headWeight(), net.headBias(), null);
        return new Result(result, validation, bestEpoch, loss, data.windows.length, seconds);
    }

    /**
     * Residual form: the factor c in 0, 0.05, .., 1 on the predicted change (forecast = x + c (f - x)) with the
     * least MAE on the validation events, the exported model stepped as the stream steps it. c = 0 is the last
     * value, so the kept model is never worse than it on the validation data; ties keep the larger c.
     */
    static float headScale(RecurrentModel m, SeriesSet raw, int[] scoreFrom) {
        int[] target = m.spec().targetIndices();
        int steps = 20;
        double[] abs = new double[steps + 1];
        float[] out = new float[m.outputSize()];
        for (int s = 0; s < raw.series().size(); s++) {
            float[][] x = raw.series().get(s).values();
            int from = Math.max(1, scoreFrom[s]);
            if (from >= x.length) {
                continue;
            }
            float[] state = m.newState();
            for (int t = 0; t + 1 < x.length; t++) {
                m.step(state, x[t], out);
                if (t + 1 >= from) {
                    for (int j = 0; j < target.length; j++) {
                        double last = x[t][target[j]];
                        double change = out[j] - last;
                        double next = x[t + 1][target[j]];
                        for (int k = 0; k <= steps; k++) {
                            abs[k] += Math.abs(last + change * k / steps - next);
                        }
                    }
                }
            }
        }
        int best = steps;
        for (int k = steps - 1; k >= 0; k--) {
            if (abs[k] < abs[best]) {
                best = k;
            }
        }
        return best == steps ? 1f : (float) best / steps;
    }

    /**
     * Windows: the fixed --lr. Whole sessions: cosine decay from --lr to --lr/20 over all updates, so the last
     * epochs settle instead of jittering (the detector ranks ~15 symbols; a jittery last epoch moved its
     * false-positive rate between seeds).
     */
    private Tracker learningRate() {
        if (!data.sessionMode) {
            return Tracker.fixed(o.learningRate());
        }
        int updates = o.epochs() * ((data.windows.length + o.batch() - 1) / o.batch());
        return Tracker.cosine().setBaseValue(o.learningRate()).optFinalValue(o.learningRate() / 20)
                .setMaxUpdates(Math.max(1, updates)).build();
    }

    private static boolean better(Metrics a, Metrics b) {
        return a.lowerIsBetter() ? a.primary() < b.primary() : a.primary() > b.primary()
                || (a.primary() == b.primary() && a.topK() > b.topK());
    }

    private double windowEpoch(ModelSpec spec, Random shuffle) {
        shuffle(data.windows, shuffle);
        int w = o.window();
        int in = spec.inputSize();
        int outSize = spec.outputSize();
        long[] windows = data.windows;
        double lossSum = 0;
        long count = 0;
        for (int b = 0; b < windows.length; b += o.batch()) {
            int n = Math.min(o.batch(), windows.length - b);
            float[] x = new float[n * w * in];
            float[] y = new float[n * w * outSize];
            for (int i = 0; i < n; i++) {
                data.fill(windows[b + i], w, x, i * w * in, y, i * w * outSize);
            }
            try (NDManager sub = trainer.getManager().newSubManager()) {
                NDArray xa = sub.create(x, new Shape(n, w, in));
                NDArray ya = sub.create(y, new Shape(n, w, outSize));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray pred = trainer.forward(new NDList(xa)).singletonOrThrow();
                    NDArray loss = data.task == Task.REGRESSION
                            ? pred.sub(ya).square().mean()
                            : pred.logSoftmax(-1).mul(ya).sum().neg().div((float) n * w);
                    gc.backward(loss);
                    lossSum += loss.getFloat() * n;
                    count += n;
                }
                trainer.step();
            }
        }
        return lossSum / count;
    }

    /** One pass over the training sessions, whole, in batches of similar length padded at the end. */
    private double sessionEpoch(ModelSpec spec, Random shuffle) {
        int vocab = spec.outputSize();
        int end = spec.endIndex();
        long[] order = data.windows.clone();
        shuffle(order, shuffle);
        Long[] boxed = Arrays.stream(order).boxed().toArray(Long[]::new);
        Arrays.sort(boxed, java.util.Comparator.comparingInt(w -> data.ids[(int) (w >>> 32)].length)); // stable
        int batches = (boxed.length + o.batch() - 1) / o.batch();
        int[] batchOrder = new int[batches];
        for (int i = 0; i < batches; i++) {
            batchOrder[i] = i;
        }
        for (int i = batches - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = batchOrder[i];
            batchOrder[i] = batchOrder[j];
            batchOrder[j] = t;
        }
        double lossSum = 0;
        long targets = 0;
        for (int bi : batchOrder) {
            int b = bi * o.batch();
            int n = Math.min(o.batch(), boxed.length - b);
            int steps = 0;
            for (int i = 0; i < n; i++) {
                steps = Math.max(steps, data.ids[(int) (boxed[b + i] >>> 32)].length + 1);
            }
            float[] x = new float[n * steps * vocab];
            float[] y = new float[n * steps * vocab];
            int real = 0;
            for (int i = 0; i < n; i++) {
                int[] e = data.ids[(int) (boxed[b + i] >>> 32)];
                int off = i * steps * vocab;
                x[off + end] = 1f;                                   // input 0: the boundary
                for (int t = 0; t < e.length; t++) {
                    x[off + (t + 1) * vocab + e[t]] = 1f;            // input t+1: event t
                    y[off + t * vocab + e[t]] = 1f;                  // target t: event t
                }
                y[off + e.length * vocab + end] = 1f;                // target n: the end
                real += e.length + 1;
            }
            try (NDManager sub = trainer.getManager().newSubManager()) {
                NDArray xa = sub.create(x, new Shape(n, steps, vocab));
                NDArray ya = sub.create(y, new Shape(n, steps, vocab));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray pred = trainer.forward(new NDList(xa)).singletonOrThrow();
                    NDArray loss = pred.logSoftmax(-1).mul(ya).sum().neg().div((float) real);
                    gc.backward(loss);
                    lossSum += loss.getFloat() * real;
                    targets += real;
                }
                trainer.step();
            }
        }
        return lossSum / targets;
    }

    private Map<Parameter, float[]> snapshot() {
        Map<Parameter, float[]> m = new HashMap<>();
        for (Pair<String, Parameter> p : net.block().getParameters()) {
            m.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        return m;
    }

    private void restore(Map<Parameter, float[]> weights) {
        if (weights == null) {
            return;
        }
        for (Pair<String, Parameter> p : net.block().getParameters()) {
            p.getValue().getArray().set(weights.get(p.getValue()));
        }
    }

    /**
     * DJL's own forward of the trained network over one whole series from a zero state (for parity checks):
     * de-normalized forecasts (regression) or probabilities (classification), one row per event.
     */
    public float[][] djlForward(Series s) {
        ModelSpec spec = data.spec(o);
        int n = s.length();
        int in = spec.inputSize();
        float[] x = new float[n * in];
        if (data.task == Task.REGRESSION) {
            float[][] v = data.differenced ? Prepared.differences(s.values()) : s.values();
            for (int t = 0; t < n; t++) {
                spec.normalization().normalize(v[t], 0, x, t * in);
            }
        } else {
            for (int t = 0; t < n; t++) {
                int id = data.vocabIndex.getOrDefault(s.events()[t], -1);
                if (id < 0) {
                    throw new DataException("event '" + s.events()[t] + "' not in the vocabulary");
                }
                x[t * in + id] = 1f;
            }
        }
        try (NDManager sub = trainer.getManager().newSubManager()) {
            NDArray out = net.block().forward(new ParameterStore(sub, false),
                    new NDList(sub.create(x, new Shape(1, n, in))), false).singletonOrThrow();
            if (data.task == Task.CLASSIFICATION) {
                out = out.softmax(-1);
            }
            float[] flat = out.toFloatArray();
            int m = spec.outputSize();
            float[][] rows = new float[n][m];
            for (int t = 0; t < n; t++) {
                System.arraycopy(flat, t * m, rows[t], 0, m);
                if (data.residual) { // the last value plus the predicted change
                    for (int i = 0; i < m; i++) {
                        rows[t][i] = s.values()[t][i] + spec.normalization().std(i) * rows[t][i];
                    }
                } else if (data.task == Task.REGRESSION) {
                    spec.normalization().denormalize(rows[t], 0);
                }
            }
            return rows;
        }
    }

    private ObjectNode trainingJson(SeriesSet raw, Split split, int bestEpoch, double loss, Engine engine) {
        ObjectNode t = JSON.createObjectNode();
        t.put("framework", "DJL " + Engine.getDjlVersion() + " " + engine.getEngineName() + " " + engine.getVersion() + " (CPU)");
        t.put("cell", o.cell().id());
        t.put("hidden", o.hidden());
        t.put("layers", o.layers());
        t.put("task", raw.task().id());
        if (data.sessionMode) {
            t.put("sequences", "whole sessions from a zero state, [END, e1..en] -> [e1..en, END]");
            t.put("end_symbol", data.vocabulary.get(data.endIndex));
        } else {
            t.put("window", o.window());
            t.put("stride", o.stride());
        }
        t.put("epochs", o.epochs());
        t.put("best_epoch", bestEpoch);
        t.put("batch", o.batch());
        t.put("lr", o.learningRate());
        t.put("optimizer", "adam");
        t.put("clip_gradient", o.clipGradient());
        t.put("loss", data.task == Task.REGRESSION ? "mse (normalized)" : "softmax cross-entropy");
        if (data.task == Task.REGRESSION) {
            t.put("target", data.residual ? "next change (normalized)" : "next value (normalized)");
            t.put("input", data.differenced ? "change from the previous event (normalized)" : "value (normalized)");
        }
        t.put("final_loss", Double.parseDouble(String.format(Locale.ROOT, "%.6g", loss)));
        t.put("seed", o.seed());
        t.put("split", split.id());
        t.put("validation_fraction", o.validationFraction());
        t.put("source", raw.source());
        t.put("rows", raw.rows());
        t.put("keys", raw.series().size());
        if (raw.firstTs() != null) {
            t.put("first_ts", raw.firstTs());
            t.put("last_ts", raw.lastTs());
        }
        t.put("training_events", data.trainingEvents);
        t.put("training_windows", data.windows.length);
        t.put("skipped_short_keys", data.skippedShort);
        return t;
    }

    private ObjectNode evaluationJson(Evaluator.Report r, Split split) {
        ObjectNode e = JSON.createObjectNode();
        e.put("data", "validation split (" + split.id() + ", " + o.validationFraction() + ")");
        e.put("method", "exported model stepped event by event from a zero state over each key's history, "
                + "scored on the held-out events");
        if (r == null) {
            e.putNull("model");
            return e;
        }
        e.set("model", r.model().toJson());
        ObjectNode b = r.baseline().toJson();
        b.put("name", data.task == Task.REGRESSION ? "last value" : "most frequent next event after the current one");
        e.set("baseline", b);
        return e;
    }

    private static void shuffle(long[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public void close() {
        if (trainer != null) {
            trainer.close();
        }
        if (model != null) {
            model.close();
        }
        if (net != null) {
            net.close();
        }
    }

    /** The data as the trainer uses it: normalized features or event ids, the split, the windows. */
    static final class Prepared {
        Task task;
        SeriesSet raw;
        float[][][] x;
        int[][] ids;
        int[] trainEnd;
        int[] scoreFrom;
        long[] windows;
        Normalization normalization;
        List<String> vocabulary;
        Map<String, Integer> vocabIndex = new HashMap<>();
        long trainingEvents;
        int skippedShort;
        /** Regression targets are z_{t+1} - z_t (normalized) instead of z_{t+1}. */
        boolean residual;
        /** The input is x_t - x_{t-1} (normalized); the residual target is (x_{t+1} - x_t) / std. */
        boolean differenced;
        boolean sessionMode;
        int endIndex = -1;
        int maxSessionLength;

        static Prepared of(SeriesSet raw, TrainingOptions o, Split split) {
            Prepared p = new Prepared();
            p.task = raw.task();
            p.raw = raw;
            p.residual = o.residual() && p.task == Task.REGRESSION;
            int keys = raw.series().size();
            p.trainEnd = new int[keys];
            p.scoreFrom = new int[keys];
            double f = o.validationFraction();
            if (split == Split.TAIL) {
                for (int s = 0; s < keys; s++) {
                    int n = raw.series().get(s).length();
                    int hold = (int) Math.round(n * f);
                    p.trainEnd[s] = n - hold;
                    p.scoreFrom[s] = hold == 0 ? n : n - hold;
                }
            } else {
                int val = (int) Math.round(keys * f);
                if (f > 0) {
                    val = Math.max(1, val);
                }
                if (val >= keys) {
                    throw new DataException("--split keys holds out " + val + " of " + keys + " sequence(s): "
                            + "at least one must remain for training (lower --validation-fraction or use --split tail)");
                }
                for (int s = 0; s < keys; s++) {
                    int n = raw.series().get(s).length();
                    boolean validation = s >= keys - val;
                    p.trainEnd[s] = validation ? 0 : n;
                    p.scoreFrom[s] = validation ? 0 : n; // 0: the whole key (its first event, and its end with END)
                }
            }
            p.sessionMode = raw.sessions() && raw.task() == Task.CLASSIFICATION;
            if (p.sessionMode) {
                if (split == Split.TAIL) {
                    throw new DataException("sessions are trained whole (a session's end is what the model learns): "
                            + "use --split keys, not --split tail");
                }
                return sessions(p, raw);
            }
            int w = o.window();
            List<Long> windows = new ArrayList<>();
            List<String> shortKeys = new ArrayList<>();
            for (int s = 0; s < keys; s++) {
                int e = p.trainEnd[s];
                if (e == 0) {
                    continue;
                }
                if (e < w + 1) {
                    shortKeys.add(raw.series().get(s).key() + " (" + e + ")");
                    continue;
                }
                p.trainingEvents += e;
                for (int start = 0; start + w + 1 <= e; start += o.stride()) {
                    windows.add(((long) s << 32) | start);
                }
            }
            if (!shortKeys.isEmpty() && !o.skipShort()) {
                throw new DataException(shortKeys.size() + " key(s) have fewer training events than --window + 1 = " + (w + 1)
                        + " (a window of " + w + " inputs plus the event to predict): "
                        + shortKeys.subList(0, Math.min(5, shortKeys.size())) + (shortKeys.size() > 5 ? " ..." : "")
                        + "; lower --window, or pass --skip-short to train without them");
            }
            p.skippedShort = shortKeys.size();
            if (windows.isEmpty()) {
                throw new DataException("no training windows: every key is shorter than --window + 1 = " + (w + 1) + " events");
            }
            p.windows = windows.stream().mapToLong(Long::longValue).toArray();
            if (p.task == Task.REGRESSION) {
                p.differenced = o.differenced() && p.residual;
                float[][][] inputs = new float[keys][][];
                for (int s = 0; s < keys; s++) {
                    float[][] v = raw.series().get(s).values();
                    inputs[s] = p.differenced ? differences(v) : v;
                }
                p.normalization = normalization(inputs, p.trainEnd, raw.featureCount());
                p.x = new float[keys][][];
                int nf = raw.featureCount();
                for (int s = 0; s < keys; s++) {
                    float[][] v = inputs[s];
                    p.x[s] = new float[v.length][nf];
                    for (int t = 0; t < v.length; t++) {
                        p.normalization.normalize(v[t], 0, p.x[s][t], 0);
                    }
                }
            } else {
                p.vocabulary = vocabulary(raw);
                for (int i = 0; i < p.vocabulary.size(); i++) {
                    p.vocabIndex.put(p.vocabulary.get(i), i);
                }
                if (p.vocabulary.size() < 2) {
                    throw new DataException("classification needs at least 2 distinct events, found " + p.vocabulary);
                }
                p.ids = new int[keys][];
                for (int s = 0; s < keys; s++) {
                    String[] ev = raw.series().get(s).events();
                    p.ids[s] = new int[ev.length];
                    for (int t = 0; t < ev.length; t++) {
                        p.ids[s][t] = p.vocabIndex.get(ev[t]);
                    }
                }
            }
            return p;
        }

        /** Sessions: every training session is one sequence, whatever its length. */
        private static Prepared sessions(Prepared p, SeriesSet raw) {
            int keys = raw.series().size();
            List<String> vocab = new ArrayList<>(vocabulary(raw));
            if (vocab.isEmpty()) {
                throw new DataException("no events in " + raw.source());
            }
            String end = ModelSpec.DEFAULT_END_SYMBOL;
            while (vocab.contains(end)) {
                end = end + "_";
            }
            vocab.add(end);
            p.vocabulary = vocab;
            p.endIndex = vocab.size() - 1;
            for (int i = 0; i < vocab.size(); i++) {
                p.vocabIndex.put(vocab.get(i), i);
            }
            p.ids = new int[keys][];
            List<Long> windows = new ArrayList<>();
            for (int s = 0; s < keys; s++) {
                String[] ev = raw.series().get(s).events();
                p.ids[s] = new int[ev.length];
                for (int t = 0; t < ev.length; t++) {
                    p.ids[s][t] = p.vocabIndex.get(ev[t]);
                }
                if (p.trainEnd[s] > 0) {
                    windows.add((long) s << 32);
                    p.trainingEvents += ev.length;
                    p.maxSessionLength = Math.max(p.maxSessionLength, ev.length);
                }
            }
            if (windows.isEmpty()) {
                throw new DataException("no training sessions in " + raw.source());
            }
            p.windows = windows.stream().mapToLong(Long::longValue).toArray();
            return p;
        }

        ModelSpec spec(TrainingOptions o) {
            if (task == Task.REGRESSION) {
                int f = raw.featureCount();
                return ModelSpec.of(o.cell(), f, o.hidden(), o.layers(), Task.REGRESSION, f)
                        .withName(o.name(), o.version())
                        .withFeatureNames(raw.featureNames())
                        .withNormalization(normalization, null)
                        .withForecast(List.of(), residual)
                        .withDifferencedInput(differenced);
            }
            int v = vocabulary.size();
            ModelSpec spec = ModelSpec.of(o.cell(), v, o.hidden(), o.layers(), Task.CLASSIFICATION, v)
                    .withName(o.name(), o.version())
                    .withVocabulary(vocabulary, false);
            return sessionMode ? spec.withEndSymbol(vocabulary.get(endIndex)) : spec;
        }

        long validationPredictions() {
            long n = 0;
            for (int s = 0; s < scoreFrom.length; s++) {
                if (sessionMode) { // the first event and the end are predicted too
                    n += scoreFrom[s] == 0 ? raw.series().get(s).length() + 1 : 0;
                    continue;
                }
                n += Math.max(0, raw.series().get(s).length() - Math.max(1, scoreFrom[s]));
            }
            return n;
        }

        /** Writes one window's inputs and next-event targets. */
        void fill(long window, int w, float[] x, int xOff, float[] y, int yOff) {
            int s = (int) (window >>> 32);
            int start = (int) window;
            if (task == Task.REGRESSION) {
                float[][] v = this.x[s];
                int f = v[0].length;
                for (int t = 0; t < w; t++) {
                    System.arraycopy(v[start + t], 0, x, xOff + t * f, f);
                    if (differenced) {
                        float[][] r = raw.series().get(s).values();
                        for (int i = 0; i < f; i++) {
                            y[yOff + t * f + i] = (r[start + t + 1][i] - r[start + t][i]) / normalization.std(i);
                        }
                    } else if (residual) {
                        for (int i = 0; i < f; i++) {
                            y[yOff + t * f + i] = v[start + t + 1][i] - v[start + t][i];
                        }
                    } else {
                        System.arraycopy(v[start + t + 1], 0, y, yOff + t * f, f);
                    }
                }
            } else {
                int[] e = ids[s];
                int vocab = vocabulary.size();
                for (int t = 0; t < w; t++) {
                    x[xOff + t * vocab + e[start + t]] = 1f;
                    y[yOff + t * vocab + e[start + t + 1]] = 1f;
                }
            }
        }

        Evaluator.BigramBaseline bigram() {
            List<String[]> seqs = new ArrayList<>();
            for (int s = 0; s < trainEnd.length; s++) {
                if (trainEnd[s] > 0) {
                    String[] e = Arrays.copyOf(raw.series().get(s).events(), trainEnd[s]);
                    if (sessionMode) { // the baseline also learns the first event and the end
                        String end = vocabulary.get(endIndex);
                        String[] w = new String[e.length + 2];
                        System.arraycopy(e, 0, w, 1, e.length);
                        w[0] = end;
                        w[w.length - 1] = end;
                        e = w;
                    }
                    seqs.add(e);
                }
            }
            return new Evaluator.BigramBaseline(seqs);
        }

        /** d[t] = v[t] - v[t-1] in float (as the core computes it), d[0] = 0. */
        static float[][] differences(float[][] v) {
            float[][] d = new float[v.length][];
            for (int t = 0; t < v.length; t++) {
                d[t] = new float[v[t].length];
                for (int i = 0; t > 0 && i < d[t].length; i++) {
                    d[t][i] = v[t][i] - v[t - 1][i];
                }
            }
            return d;
        }

        private static Normalization normalization(float[][][] series, int[] trainEnd, int f) {
            double[] sum = new double[f];
            double[] sq = new double[f];
            long n = 0;
            for (int s = 0; s < trainEnd.length; s++) {
                float[][] v = series[s];
                for (int t = 0; t < trainEnd[s]; t++) {
                    for (int i = 0; i < f; i++) {
                        sum[i] += v[t][i];
                    }
                    n++;
                }
            }
            float[] mean = new float[f];
            float[] std = new float[f];
            for (int i = 0; i < f; i++) {
                mean[i] = (float) (sum[i] / n);
            }
            for (int s = 0; s < trainEnd.length; s++) {
                float[][] v = series[s];
                for (int t = 0; t < trainEnd[s]; t++) {
                    for (int i = 0; i < f; i++) {
                        double d = v[t][i] - mean[i];
                        sq[i] += d * d;
                    }
                }
            }
            for (int i = 0; i < f; i++) {
                double sd = Math.sqrt(sq[i] / n);
                // A constant feature would divide by zero: leave it unscaled.
                std[i] = sd > 1e-6 * Math.max(1.0, Math.abs(mean[i])) ? (float) sd : 1f;
            }
            return new Normalization(mean, std);
        }

        /** Every event of the data, in numeric order when all are integers, else in lexicographic order. */
        static List<String> vocabulary(SeriesSet raw) {
            LinkedHashSet<String> set = new LinkedHashSet<>();
            for (Series s : raw.series()) {
                set.addAll(Arrays.asList(s.events()));
            }
            List<String> v = new ArrayList<>(set);
            boolean numeric = v.stream().allMatch(e -> e.matches("-?\\d{1,18}"));
            if (numeric) {
                v.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
            } else {
                v.sort(null);
            }
            return v;
        }
    }

    /** The layer weights of the network in its current state (for tests). */
    List<LayerWeights> currentLayerWeights() {
        return net.layerWeights();
    }
}
