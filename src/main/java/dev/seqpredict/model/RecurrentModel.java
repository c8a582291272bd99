package dev.seqpredict.model;

import dev.seqpredict.model.kernel.KernelFactory;
import dev.seqpredict.model.kernel.Kernels;
import dev.seqpredict.model.kernel.LayerKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable stacked recurrent model with a linear head: PyTorch's {@code nn.RNN}/{@code nn.LSTM}/
 * {@code nn.GRU} (module {@code rnn}), an {@code nn.Linear} (module {@code head}) on the top layer's h,
 * and optionally an {@code nn.Embedding} (module {@code embedding}) for event ids.
 *
 * <p>{@link #step} advances one key's state (see {@link StateLayout}) by one event and writes the
 * model's output for the next event. It allocates nothing: temporaries live in a {@link Scratch}, one
 * per thread. Many threads may step distinct states at once.
 *
 * <p>{@link #stepBatch} and {@link #stepEventBatch} advance many keys by one event each in one pass over
 * each layer's weights (the kernels' {@link LayerKernel#stepBatch}): per key the same floats, bit for bit, as
 * {@link #step} and {@link #stepEvent}, so an engine may batch or not without changing a prediction.
 */
public final class RecurrentModel {

    private final ModelSpec spec;
    private final List<LayerWeights> layers;
    private final float[] headWeight;
    private final float[] headBias;
    private final float[] embedding;
    private final StateLayout layout;
    private final KernelFactory kernels;
    private final LayerKernel[] layerKernels;
    private final KernelFactory.MatVec head;
    private final int scratchFloats;
    private final int headFloats;
    private final ThreadLocal<Scratch> threadScratch;
    private final ThreadLocal<BatchScratch> threadBatchScratch;
    private final java.util.Map<String, Integer> eventIndex;
    /** Regression: the input feature each output forecasts (null when the outputs are not inputs). */
    private final int[] target;
    private final boolean identityTarget; // target[j] == j for every output: the forecast's features are the input
    /** Residual output: the scale of each output's change (null for the absolute form). */
    private final float[] residualStd;
    private final Normalization outputNormalization;
    private final int endIndex;
    private volatile String sha256;

    private RecurrentModel(ModelSpec spec, List<LayerWeights> layers, float[] headWeight, float[] headBias,
                           float[] embedding, KernelFactory kernels, String sha256) {
        this.spec = spec;
        this.layers = List.copyOf(layers);
        this.headWeight = headWeight;
        this.headBias = headBias;
        this.embedding = embedding;
        this.layout = new StateLayout(spec.cell(), spec.hiddenSize(), spec.numLayers());
        this.kernels = kernels;
        this.layerKernels = new LayerKernel[layers.size()];
        int scratch = 0;
        for (int l = 0; l < layerKernels.length; l++) {
            layerKernels[l] = kernels.layer(layers.get(l));
            scratch = Math.max(scratch, layerKernels[l].scratchSize());
        }
        this.scratchFloats = scratch;
        this.head = kernels.matVec(spec.outputSize(), spec.hiddenSize(), headWeight, headBias);
        this.headFloats = kernels.matVecOutputFloats(spec.outputSize());
        this.threadScratch = ThreadLocal.withInitial(this::newScratch);
        this.threadBatchScratch = ThreadLocal.withInitial(() -> newBatchScratch(DEFAULT_BATCH));
        this.sha256 = sha256;
        this.endIndex = spec.task() == Task.CLASSIFICATION ? spec.endIndex() : -1;
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < spec.vocabulary().size(); i++) {
            if (i != endIndex) { // the end of session is not an event a record can carry
                index.put(spec.vocabulary().get(i), i);
            }
        }
        this.eventIndex = java.util.Map.copyOf(index);
        this.target = spec.targetIndices();
        this.identityTarget = isIdentity(target);
        this.outputNormalization = spec.outputNormalization();
        if (spec.residual()) {
            residualStd = new float[spec.outputSize()];
            for (int j = 0; j < residualStd.length; j++) {
                residualStd[j] = outputNormalization == null ? 1f : outputNormalization.std(j);
            }
        } else {
            residualStd = null;
        }
    }

    /** True when the outputs forecast input features (regression with a target list or output_size == input_size). */
    public boolean forecastsInputs() {
        return target != null;
    }

    /**
     * The part of an event's values the model's output forecasts, in output order: the values themselves
     * when the model forecasts all its inputs (no copy), else the target features (a new array).
     *
     * @throws IllegalStateException when the model's outputs are not inputs ({@link #forecastsInputs} false)
     */
    public float[] targetOf(float[] values) {
        if (target == null) {
            throw new IllegalStateException("model " + spec.name() + " forecasts no input features (output_size "
                    + spec.outputSize() + " != input_size " + spec.inputSize() + " and no 'target' list)");
        }
        if (identityTarget && target.length == values.length) {
            return values;
        }
        float[] out = new float[target.length];
        for (int j = 0; j < target.length; j++) {
            out[j] = values[target[j]];
        }
        return out;
    }

    private static boolean isIdentity(int[] target) {
        if (target == null) {
            return false;
        }
        for (int j = 0; j < target.length; j++) {
            if (target[j] != j) {
                return false;
            }
        }
        return true;
    }

    /**
     * The vocabulary index of an event token, or -1 when unknown: with a vocabulary, the token must be one
     * of its entries (so HDFS log keys "1".."28" map by name); without one, the token is the 0-based index.
     */
    public int eventIndex(String token) {
        if (spec.task() != Task.CLASSIFICATION || token == null) {
            return -1;
        }
        if (!eventIndex.isEmpty()) {
            return eventIndex.getOrDefault(token, -1);
        }
        try {
            int i = Integer.parseInt(token.trim());
            return i >= 0 && i < spec.vocabularySize() ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The index of the end-of-session symbol ({@link ModelSpec#endSymbol()}) in the input and the output, or -1
     * for a model without one. Stepped from the zero state before a key's first event, and its probability
     * after a key's last event is what the session's end is judged by.
     */
    public int endIndex() {
        return endIndex;
    }

    /** The event token of a vocabulary index (its name, or the index itself without a vocabulary). */
    public String eventName(int index) {
        return spec.vocabulary().isEmpty() ? Integer.toString(index) : spec.vocabulary().get(index);
    }

    /**
     * Builds a model from PyTorch-layout weights, checking every shape against the spec.
     *
     * @param headWeight [output_size, hidden_size] row-major
     * @param embedding  [vocab, input_size] row-major, or null for one-hot/feature input
     */
    public static RecurrentModel create(ModelSpec spec, List<LayerWeights> layers, float[] headWeight,
                                        float[] headBias, float[] embedding) {
        return create(spec, layers, headWeight, headBias, embedding, Kernels.defaultFactory(), null);
    }

    static RecurrentModel create(ModelSpec spec, List<LayerWeights> layers, float[] headWeight, float[] headBias,
                                 float[] embedding, KernelFactory kernels, String sha256) {
        Objects.requireNonNull(spec, "spec");
        if (layers.size() != spec.numLayers()) {
            throw new IllegalArgumentException("spec has " + spec.numLayers() + " layers, weights for " + layers.size());
        }
        for (int l = 0; l < layers.size(); l++) {
            LayerWeights w = layers.get(l);
            int expectedIn = l == 0 ? spec.inputSize() : spec.hiddenSize();
            if (w.cell() != spec.cell() || w.inputSize() != expectedIn || w.hiddenSize() != spec.hiddenSize()) {
                throw new IllegalArgumentException("layer " + l + " is " + w.cell() + "(" + w.inputSize() + "→"
                        + w.hiddenSize() + "), spec needs " + spec.cell() + "(" + expectedIn + "→" + spec.hiddenSize() + ")");
            }
        }
        if (headWeight.length != (long) spec.outputSize() * spec.hiddenSize() || headBias.length != spec.outputSize()) {
            throw new IllegalArgumentException("head must be [" + spec.outputSize() + ", " + spec.hiddenSize() + "] + ["
                    + spec.outputSize() + "]");
        }
        if (spec.embedding() != (embedding != null)) {
            throw new IllegalArgumentException(spec.embedding() ? "spec says embedding but no embedding weights given"
                    : "embedding weights given but the spec does not use an embedding");
        }
        if (embedding != null && embedding.length != (long) spec.vocabularySize() * spec.inputSize()) {
            throw new IllegalArgumentException("embedding must be [" + spec.vocabularySize() + ", " + spec.inputSize() + "]");
        }
        return new RecurrentModel(spec, layers, headWeight.clone(), headBias.clone(),
                embedding == null ? null : embedding.clone(), kernels, sha256);
    }

    /** The same weights with another kernel implementation (used to compare scalar and vector paths). */
    public RecurrentModel withKernels(KernelFactory other) {
        return new RecurrentModel(spec, layers, headWeight, headBias, embedding, other, sha256);
    }

    RecurrentModel withSha256(String sha) {
        return new RecurrentModel(spec, layers, headWeight, headBias, embedding, kernels, sha);
    }

    public ModelSpec spec() {
        return spec;
    }

    public StateLayout layout() {
        return layout;
    }

    public String kernelName() {
        return kernels.name();
    }

    /** Hex SHA-256 of the artifact bytes: part of the model's identity. */
    public String sha256() {
        String s = sha256;
        if (s == null) {
            s = ModelArtifact.sha256Hex(ModelArtifact.toBytes(this));
            sha256 = s;
        }
        return s;
    }

    /** The recurrent state, plus (differenced input) the key's previous event and a flag that there was one. */
    public int stateSize() {
        return layout.size() + (spec.differenced() ? spec.inputSize() + 1 : 0);
    }

    public int outputSize() {
        return spec.outputSize();
    }

    /** A fresh (zero) state, as PyTorch starts without an explicit h_0/c_0. */
    public float[] newState() {
        return new float[stateSize()];
    }

    public long parameterCount() {
        long n = headWeight.length + headBias.length + (embedding == null ? 0 : embedding.length);
        for (LayerWeights w : layers) {
            n += w.weightIh().length + w.weightHh().length + w.biasIh().length + w.biasHh().length;
        }
        return n;
    }

    /** Per-thread temporaries for {@link #step}. */
    public static final class Scratch {
        final float[] x;
        final float[] kernel;
        /** The head's output, padded as the kernel needs ({@link KernelFactory#matVecOutputFloats}). */
        final float[] head;

        private Scratch(int inputSize, int kernelFloats, int headFloats) {
            this.x = new float[inputSize];
            this.kernel = new float[kernelFloats];
            this.head = new float[headFloats];
        }
    }

    public Scratch newScratch() {
        return new Scratch(spec.inputSize(), scratchFloats, headFloats);
    }

    /** The keys a {@link BatchScratch} holds when none is given ({@link #stepBatch} without one). */
    public static final int DEFAULT_BATCH = 32;

    /**
     * Temporaries for {@link #stepBatch} / {@link #stepEventBatch}: up to {@link #capacity()} keys per pass over
     * the weights (more are stepped in several passes). One per thread; allocated once, reused.
     */
    public static final class BatchScratch {
        private final int capacity;
        /** Key j's layer-0 input at [j·inputSize, (j+1)·inputSize). */
        final float[] x;
        /** {@code x} capacity times (the kernels take one input array per key). */
        final float[][] xs;
        final int[] xOffs;
        /** The pass's keys' states, gathered, and their offsets for the layer being stepped. */
        final float[][] states;
        final int[] belowOffs;
        final int[] hOffs;
        final int[] cOffs;
        final int[] events;
        final float[] kernel;
        final float[] head;

        private BatchScratch(int capacity, int inputSize, int kernelFloats, int headFloats) {
            this.capacity = capacity;
            this.x = new float[capacity * inputSize];
            this.xs = new float[capacity][];
            java.util.Arrays.fill(xs, x);
            this.xOffs = new int[capacity];
            for (int j = 0; j < capacity; j++) {
                xOffs[j] = j * inputSize;
            }
            this.states = new float[capacity][];
            this.belowOffs = new int[capacity];
            this.hOffs = new int[capacity];
            this.cOffs = new int[capacity];
            this.events = new int[capacity];
            this.kernel = new float[kernelFloats];
            this.head = new float[headFloats];
        }

        public int capacity() {
            return capacity;
        }
    }

    /** Scratch for batches of up to {@code capacity} keys per pass (≥ 1). */
    public BatchScratch newBatchScratch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch capacity must be >= 1, got " + capacity);
        }
        int kernel = 0;
        for (LayerKernel k : layerKernels) {
            kernel = Math.max(kernel, k.batchScratchSize(capacity));
        }
        return new BatchScratch(capacity, spec.inputSize(), kernel, headFloats);
    }

    // ---- stepping ----------------------------------------------------------------------------

    /**
     * Regression/feature input: advances {@code state} by one event with the raw (un-normalized)
     * feature vector {@code features[0, input_size)}, and writes the output into
     * {@code out[0, output_size)}: the de-normalized forecast of the next event's values (regression)
     * or the next event's probabilities (classification).
     */
    public void step(float[] state, float[] features, float[] out) {
        step(state, features, out, threadScratch.get());
    }

    public void step(float[] state, float[] features, float[] out, Scratch s) {
        if (spec.task() == Task.CLASSIFICATION) {
            throw new IllegalStateException("classification models take event ids: use stepEvent");
        }
        Normalization n = spec.normalization();
        float[] in = features;
        if (spec.differenced()) { // the change from the key's previous event (0 at its first), kept after h/c
            int k = spec.inputSize();
            int prev = layout.size();
            boolean seen = state[prev + k] != 0f;
            for (int i = 0; i < k; i++) {
                s.x[i] = seen ? features[i] - state[prev + i] : 0f;
                state[prev + i] = features[i];
            }
            state[prev + k] = 1f;
            in = s.x;
        }
        if (n != null) {
            n.normalize(in, 0, s.x, 0);
        } else if (in != s.x) {
            System.arraycopy(features, 0, s.x, 0, spec.inputSize());
        }
        advance(state, s);
        head(state, out, s);
        if (residualStd != null) { // the change from the last value, in normalized units
            for (int j = 0; j < residualStd.length; j++) {
                out[j] = features[target[j]] + residualStd[j] * out[j];
            }
        } else if (outputNormalization != null) {
            outputNormalization.denormalize(out, 0);
        }
    }

    /** Classification input: advances {@code state} by the event id (0-based index in the vocabulary). */
    public void stepEvent(float[] state, int eventId, float[] out) {
        stepEvent(state, eventId, out, threadScratch.get());
    }

    public void stepEvent(float[] state, int eventId, float[] out, Scratch s) {
        if (spec.task() != Task.CLASSIFICATION) {
            throw new IllegalStateException("regression models take feature vectors: use step");
        }
        if (eventId < 0 || eventId >= spec.vocabularySize()) {
            throw new IllegalArgumentException("event id " + eventId + " outside the vocabulary 0.." + (spec.vocabularySize() - 1));
        }
        int in = spec.inputSize();
        if (embedding != null) {
            System.arraycopy(embedding, eventId * in, s.x, 0, in);
            advance(state, s);
        } else { // one-hot: the first layer reads one column of W_ih, not all of them
            layerKernels[0].stepOneHot(eventId, state, layout.hOffset(0), layout.cOffset(0), s.kernel);
            advanceAbove(state, s);
        }
        head(state, out, s);
        softmax(out, spec.outputSize());
    }

    /**
     * {@link #step} for {@code n} keys at once: key j's state is {@code states[j][stateOffsets[j],
     * +stateSize())}, its event's raw features {@code features[j][0, input_size)}, its output goes to
     * {@code outs[j][0, output_size)}. Per key exactly the floats {@link #step} gives (the same operations in
     * the same order; only the weight loads are shared), whatever n. The n state slices must not overlap
     * (a key appears at most once per call: its next event goes into the next call). Allocates nothing.
     */
    public void stepBatch(int n, float[][] states, int[] stateOffsets, float[][] features, float[][] outs) {
        stepBatch(n, states, stateOffsets, features, outs, threadBatchScratch.get());
    }

    public void stepBatch(int n, float[][] states, int[] stateOffsets, float[][] features, float[][] outs,
                          BatchScratch s) {
        if (spec.task() == Task.CLASSIFICATION) {
            throw new IllegalStateException("classification models take event ids: use stepEventBatch");
        }
        final int in = spec.inputSize();
        for (int from = 0; from < n; from += s.capacity) {
            int m = Math.min(s.capacity, n - from);
            for (int j = 0; j < m; j++) {
                s.states[j] = states[from + j];
                input(states[from + j], stateOffsets[from + j], features[from + j], s.x, j * in);
            }
            advanceBatch(m, stateOffsets, from, s, false);
            for (int j = 0; j < m; j++) {
                float[] out = outs[from + j];
                headAt(states[from + j], stateOffsets[from + j], out, s.head);
                if (residualStd != null) {
                    float[] f = features[from + j];
                    for (int i = 0; i < residualStd.length; i++) {
                        out[i] = f[target[i]] + residualStd[i] * out[i];
                    }
                } else if (outputNormalization != null) {
                    outputNormalization.denormalize(out, 0);
                }
            }
        }
        clear(s);
    }

    /**
     * {@link #stepEvent} for {@code n} keys at once (states and outputs as in {@link #stepBatch}); every id is
     * checked before any state changes.
     */
    public void stepEventBatch(int n, float[][] states, int[] stateOffsets, int[] eventIds, float[][] outs) {
        stepEventBatch(n, states, stateOffsets, eventIds, outs, threadBatchScratch.get());
    }

    public void stepEventBatch(int n, float[][] states, int[] stateOffsets, int[] eventIds, float[][] outs,
                               BatchScratch s) {
        if (spec.task() != Task.CLASSIFICATION) {
            throw new IllegalStateException("regression models take feature vectors: use stepBatch");
        }
        for (int j = 0; j < n; j++) {
            int e = eventIds[j];
            if (e < 0 || e >= spec.vocabularySize()) {
                throw new IllegalArgumentException("event id " + e + " (batch slot " + j + ") outside the vocabulary 0.."
                        + (spec.vocabularySize() - 1));
            }
        }
        final int in = spec.inputSize();
        for (int from = 0; from < n; from += s.capacity) {
            int m = Math.min(s.capacity, n - from);
            for (int j = 0; j < m; j++) {
                s.states[j] = states[from + j];
                s.events[j] = eventIds[from + j];
                if (embedding != null) {
                    System.arraycopy(embedding, eventIds[from + j] * in, s.x, j * in, in);
                }
            }
            advanceBatch(m, stateOffsets, from, s, embedding == null);
            for (int j = 0; j < m; j++) {
                float[] out = outs[from + j];
                headAt(states[from + j], stateOffsets[from + j], out, s.head);
                softmax(out, spec.outputSize());
            }
        }
        clear(s);
    }

    /** The layer-0 input of one key, as {@link #step} prepares it (differencing, normalization), into x[xo, …). */
    private void input(float[] state, int base, float[] features, float[] x, int xo) {
        Normalization n = spec.normalization();
        float[] in = features;
        int inOff = 0;
        if (spec.differenced()) {
            int k = spec.inputSize();
            int prev = base + layout.size();
            boolean seen = state[prev + k] != 0f;
            for (int i = 0; i < k; i++) {
                x[xo + i] = seen ? features[i] - state[prev + i] : 0f;
                state[prev + i] = features[i];
            }
            state[prev + k] = 1f;
            in = x;
            inOff = xo;
        }
        if (n != null) {
            n.normalize(in, inOff, x, xo);
        } else if (in != x) {
            System.arraycopy(features, 0, x, xo, spec.inputSize());
        }
    }

    /** All layers for the m keys gathered in s (their offsets at stateOffsets[from, from+m)). */
    private void advanceBatch(int m, int[] stateOffsets, int from, BatchScratch s, boolean oneHot) {
        LayerKernel[] ks = layerKernels;
        for (int l = 0; l < ks.length; l++) {
            int h = layout.hOffset(l);
            int c = layout.cOffset(l);
            int below = l == 0 ? 0 : layout.hOffset(l - 1);
            for (int j = 0; j < m; j++) {
                int base = stateOffsets[from + j];
                s.hOffs[j] = base + h;
                s.cOffs[j] = c < 0 ? -1 : base + c;
                s.belowOffs[j] = base + below;
            }
            if (l > 0) {
                ks[l].stepBatch(m, s.states, s.belowOffs, s.states, s.hOffs, s.cOffs, s.kernel);
            } else if (oneHot) {
                ks[0].stepOneHotBatch(m, s.events, s.states, s.hOffs, s.cOffs, s.kernel);
            } else {
                ks[0].stepBatch(m, s.xs, s.xOffs, s.states, s.hOffs, s.cOffs, s.kernel);
            }
        }
    }

    /** Drops the references to the callers' states (the scratch outlives the call). */
    private static void clear(BatchScratch s) {
        java.util.Arrays.fill(s.states, null);
    }

    private void headAt(float[] state, int base, float[] out, float[] headScratch) {
        head.apply(state, base + layout.topHiddenOffset(), headScratch, 0);
        System.arraycopy(headScratch, 0, out, 0, spec.outputSize());
    }

    private void head(float[] state, float[] out, Scratch s) {
        head.apply(state, layout.topHiddenOffset(), s.head, 0);
        System.arraycopy(s.head, 0, out, 0, spec.outputSize());
    }

    private void advance(float[] state, Scratch s) {
        layerKernels[0].step(s.x, 0, state, layout.hOffset(0), layout.cOffset(0), s.kernel);
        advanceAbove(state, s);
    }

    /** Layers 1.. from the first layer's new h. */
    private void advanceAbove(float[] state, Scratch s) {
        LayerKernel[] ks = layerKernels;
        for (int l = 1; l < ks.length; l++) {
            ks[l].step(state, layout.hOffset(l - 1), state, layout.hOffset(l), layout.cOffset(l), s.kernel);
        }
    }

    private static void softmax(float[] v, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, v[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(v[i] - max);
            v[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            v[i] *= inv;
        }
    }

    /** Convenience for tests and batch use (allocates): outputs after each step of a fresh key. */
    public float[][] forward(float[][] sequence) {
        float[] state = newState();
        float[][] out = new float[sequence.length][spec.outputSize()];
        for (int t = 0; t < sequence.length; t++) {
            step(state, sequence[t], out[t]);
        }
        return out;
    }

    /** Convenience for tests and batch use (allocates): probabilities after each event of a fresh key. */
    public float[][] forwardEvents(int[] events) {
        float[] state = newState();
        float[][] out = new float[events.length][spec.outputSize()];
        for (int t = 0; t < events.length; t++) {
            stepEvent(state, events[t], out[t]);
        }
        return out;
    }

    // ---- export ------------------------------------------------------------------------------

    /** The tensors under PyTorch's state_dict names (see {@link ModelArtifact}). */
    public List<Tensor> tensors() {
        List<Tensor> ts = new ArrayList<>();
        if (embedding != null) {
            ts.add(new Tensor("embedding.weight", new int[] {spec.vocabularySize(), spec.inputSize()}, embedding.clone()));
        }
        for (int l = 0; l < layers.size(); l++) {
            LayerWeights w = layers.get(l);
            ts.add(new Tensor("rnn.weight_ih_l" + l, new int[] {w.rows(), w.inputSize()}, w.weightIh().clone()));
            ts.add(new Tensor("rnn.weight_hh_l" + l, new int[] {w.rows(), w.hiddenSize()}, w.weightHh().clone()));
            ts.add(new Tensor("rnn.bias_ih_l" + l, new int[] {w.rows()}, w.biasIh().clone()));
            ts.add(new Tensor("rnn.bias_hh_l" + l, new int[] {w.rows()}, w.biasHh().clone()));
        }
        ts.add(new Tensor("head.weight", new int[] {spec.outputSize(), spec.hiddenSize()}, headWeight.clone()));
        ts.add(new Tensor("head.bias", new int[] {spec.outputSize()}, headBias.clone()));
        return ts;
    }

    public List<LayerWeights> layers() {
        return layers;
    }

    @Override
    public String toString() {
        return spec.name() + ":" + spec.version() + " " + spec.cell() + "(" + spec.inputSize() + "→"
                + spec.hiddenSize() + "×" + spec.numLayers() + "→" + spec.outputSize() + ", " + spec.task() + ")";
    }
}
