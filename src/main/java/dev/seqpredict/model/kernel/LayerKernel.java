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
}
