package dev.seqpredict.lab;

import dev.seqpredict.model.CellType;

/**
 * The textbook cost of one cell, written out independently of {@link CellType} so that the lab can check the
 * two (and both against the parameters DJL actually allocates).
 */
public final class CellMath {

    private CellMath() {
    }

    /** Weight blocks per layer: 1 for the RNN, 3 for the GRU (r, z, n), 4 for the LSTM (i, f, g, o). */
    public static int blocks(CellType cell) {
        return switch (cell) {
            case RNN_TANH, RNN_RELU -> 1;
            case GRU -> 3;
            case LSTM -> 4;
        };
    }

    /** h(x + h + 2) per block: W_ih (h×x), W_hh (h×h), b_ih and b_hh (h each), as PyTorch counts them. */
    public static long parameters(CellType cell, int x, int h) {
        return blocks(cell) * (long) h * (x + h + 2);
    }

    /** Multiply-adds of the two mat-vecs, counted as 2 FLOPs each, plus the two bias adds per row. */
    public static long matVecFlops(CellType cell, int x, int h) {
        return blocks(cell) * (2L * h * (x + h) + 2L * h);
    }

    /**
     * Element-wise work per step with each activation (σ, tanh) counted as one operation: RNN tanh (1 per
     * unit); LSTM 4 gate activations, f⊙c, i⊙g, +, tanh(c), o⊙· (9 per unit); GRU 3 gate activations,
     * r⊙(W_hn h + b_hn), +, 1−z, ⊙n, z⊙h, + (9 per unit).
     */
    public static long pointwiseFlops(CellType cell, int h) {
        return switch (cell) {
            case RNN_TANH, RNN_RELU -> h;
            case GRU, LSTM -> 9L * h;
        };
    }

    public static long flopsPerStep(CellType cell, int x, int h) {
        return matVecFlops(cell, x, h) + pointwiseFlops(cell, h);
    }
}
