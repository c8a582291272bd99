package dev.seqpredict.model.kernel;

/**
 * Advances one recurrent layer by one step, in place. Implementations are immutable (they own their,
 * possibly repacked, weights) and allocate nothing per call; all temporaries live in {@code scratch},
 * which the caller owns (one per thread).
 */
public interface LayerKernel {

    /**
     * Reads the layer input {@code x[xOff, xOff+inputSize)} and the previous h at
     * {@code state[hOff, hOff+H)} (and c at {@code state[cOff, cOff+H)} for LSTM), then writes the new h
     * (and c) there. {@code x} may be {@code state} itself (a lower layer's h), never overlapping h or c.
     */
    void step(float[] x, int xOff, float[] state, int hOff, int cOff, float[] scratch);

    /**
     * {@link #step} with x the one-hot vector of {@code index} (0 ≤ index &lt; inputSize), reading one
     * column of W_ih instead of all of it: the same result, bit for bit, at the cost of the recurrent part
     * alone however large the vocabulary.
     */
    void stepOneHot(int index, float[] state, int hOff, int cOff, float[] scratch);

    /** How many floats of scratch {@link #step} needs. */
    int scratchSize();

    /**
     * {@link #step} for {@code n} keys in one pass over the weights: key j reads its x at
     * {@code xs[j][xOffs[j], +inputSize)} and its h (and c) at {@code states[j][hOffs[j], +H)} (and
     * {@code states[j][cOffs[j], +H)}; ignored but for LSTM), and writes its new h (and c) there. Per key
     * the same floats, bit for bit, as {@link #step}: the same operations in the same order, only the weight
     * loads are shared. The keys' h and c must not overlap one another; a key's x may be its own lower
     * layer's h, never another key's h or c. {@code scratch} holds at least {@link #batchScratchSize}(n)
     * floats. The default steps the keys one by one.
     */
    default void stepBatch(int n, float[][] xs, int[] xOffs, float[][] states, int[] hOffs, int[] cOffs,
                           float[] scratch) {
        for (int j = 0; j < n; j++) {
            step(xs[j], xOffs[j], states[j], hOffs[j], cOffs[j], scratch);
        }
    }

    /** {@link #stepBatch} with key j's x the one-hot vector of {@code indices[j]}: {@link #stepOneHot} per key. */
    default void stepOneHotBatch(int n, int[] indices, float[][] states, int[] hOffs, int[] cOffs, float[] scratch) {
        for (int j = 0; j < n; j++) {
            stepOneHot(indices[j], states[j], hOffs[j], cOffs[j], scratch);
        }
    }

    /** How many floats of scratch {@link #stepBatch} needs for {@code n} keys. */
    default int batchScratchSize(int n) {
        return scratchSize();
    }
}
