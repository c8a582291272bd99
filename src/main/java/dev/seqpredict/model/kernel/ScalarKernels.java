package dev.seqpredict.model.kernel;

import static dev.seqpredict.model.kernel.Activations.relu;
import static dev.seqpredict.model.kernel.Activations.sigmoidFromTanh;
import static dev.seqpredict.model.kernel.Activations.tanh;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;

/**
 * Plain-Java kernels: the fallback when the Vector API module is not present, and the written-out
 * definition of the canonical order of operations that {@link VectorKernels} follows lane by lane at any
 * vector width. Both give the same floats, bit for bit, on every CPU.
 *
 * <h2>The canonical order</h2>
 * Each output unit's pre-activation is a chain of fused multiply-adds ({@link Math#fma}) into a fixed
 * number of partial sums that does not depend on a lane count:
 * <ul>
 *   <li>LSTM, GRU gates and the RNN: the sum starts at the bias, then runs over the layer input k (first
 *       x, then the previous h, k restarting at 0 for h); LSTM and GRU put even k into partial 0 and odd k
 *       into partial 1, the RNN k mod 4 into partials 0–3 for k &lt; 4⌊n/4⌋ and the last n mod 4
 *       terms into partial 0. The result is p0 + p1, or (p0 + p1) + (p2 + p3). The
 *       {@linkplain #matVec head}: bias + a fixed tree over 16 partials, k mod 16 ({@link #row16}).</li>
 *   <li>Gates that go through a sigmoid (LSTM i, f, o; GRU r, z) have their weights and bias scaled by
 *       0.5 when the kernel is built (exact), and σ = fma(tanh(a/2), 0.5, 0.5) ({@link Activations}).</li>
 *   <li>LSTM: bias = 0.5·(b_ih + b_hh) or b_ih + b_hh; c' = fma(f, c, i·g); h' = o·tanh(c').</li>
 *   <li>GRU: r, z from one sum over x and h with bias 0.5·(b_ih + b_hh); n_x (bias b_in, x only) and n_h
 *       (bias b_hn, h only) separately; n = tanh(fma(r, n_h, n_x)); h' = fma(z, h − n, n).</li>
 *   <li>One-hot x: the column of the event is added (one rounding) to the partial that the x loop would
 *       have put it in; the x loop is skipped.</li>
 * </ul>
 * All kernels are immutable and thread-safe; temporaries live in the caller's scratch.
 */
public final class ScalarKernels implements KernelFactory {

    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private static final float[] NONE = new float[0];

    private ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public LayerKernel layer(LayerWeights w) {
        return switch (w.cell()) {
            case LSTM -> new Lstm(w);
            case GRU -> new Gru(w);
            case RNN_TANH, RNN_RELU -> new Rnn(w);
        };
    }

    /** y = W x + b, each row in the 16-partial order of {@link #row16}. */
    @Override
    public MatVec matVec(int rows, int cols, float[] weight, float[] bias) {
        if (weight.length != (long) rows * cols || bias.length != rows) {
            throw new IllegalArgumentException("weight must be [" + rows + ", " + cols + "], bias [" + rows + "]");
        }
        float[] wc = weight.clone();
        float[] bc = bias.clone();
        return (x, xOff, y, yOff) -> {
            for (int r = 0; r < rows; r++) {
                y[yOff + r] = row16(bc[r], wc, r * cols, x, xOff, cols);
            }
        };
    }

    /**
     * p0 + p1 after the FMAs of two segments (w1·v1 over n1 terms, then w2·v2 over n2), term k of a segment
     * into partial k mod 2, starting from p0 = a0, p1 = a1.
     */
    static float pair(float a0, float a1, float[] w1, int o1, float[] v1, int p1, int n1,
                      float[] w2, int o2, float[] v2, int p2, int n2) {
        int k = 0;
        for (; k + 1 < n1; k += 2) {
            a0 = Math.fma(w1[o1 + k], v1[p1 + k], a0);
            a1 = Math.fma(w1[o1 + k + 1], v1[p1 + k + 1], a1);
        }
        if (k < n1) {
            a0 = Math.fma(w1[o1 + k], v1[p1 + k], a0);
        }
        k = 0;
        for (; k + 1 < n2; k += 2) {
            a0 = Math.fma(w2[o2 + k], v2[p2 + k], a0);
            a1 = Math.fma(w2[o2 + k + 1], v2[p2 + k + 1], a1);
        }
        if (k < n2) {
            a0 = Math.fma(w2[o2 + k], v2[p2 + k], a0);
        }
        return a0 + a1;
    }

    /**
     * (p0 + p1) + (p2 + p3) after the FMAs of two segments, term k of a segment of n terms into partial
     * k mod 4 for k &lt; 4⌊n/4⌋ and into p0 after that.
     */
    static float quad(float a0, float a1, float a2, float a3, float[] w1, int o1, float[] v1, int p1, int n1,
                      float[] w2, int o2, float[] v2, int p2, int n2) {
        int k = 0;
        for (; k + 3 < n1; k += 4) {
            a0 = Math.fma(w1[o1 + k], v1[p1 + k], a0);
            a1 = Math.fma(w1[o1 + k + 1], v1[p1 + k + 1], a1);
            a2 = Math.fma(w1[o1 + k + 2], v1[p1 + k + 2], a2);
            a3 = Math.fma(w1[o1 + k + 3], v1[p1 + k + 3], a3);
        }
        for (; k < n1; k++) {
            a0 = Math.fma(w1[o1 + k], v1[p1 + k], a0);
        }
        k = 0;
        for (; k + 3 < n2; k += 4) {
            a0 = Math.fma(w2[o2 + k], v2[p2 + k], a0);
            a1 = Math.fma(w2[o2 + k + 1], v2[p2 + k + 1], a1);
            a2 = Math.fma(w2[o2 + k + 2], v2[p2 + k + 2], a2);
            a3 = Math.fma(w2[o2 + k + 3], v2[p2 + k + 3], a3);
        }
        for (; k < n2; k++) {
            a0 = Math.fma(w2[o2 + k], v2[p2 + k], a0);
        }
        return (a0 + a1) + (a2 + a3);
    }

    /**
     * The head's row: bias + the tree sum of 16 partials, term k of w·v (n terms) into partial k mod 16,
     * each partial a chain of FMAs from 0 in increasing k. The tree: t_i = p_i + p_(i+8), u_i = t_i + t_(i+4),
     * v_i = u_i + u_(i+2), then v_0 + v_1. Sixteen partials so that the vector kernel can run a row as a dot
     * product along the columns at 2, 4, 8 or 16 lanes (16 / L accumulators) with the same result.
     */
    static float row16(float bias, float[] w, int o, float[] v, int p, int n) {
        float p0 = 0f, p1 = 0f, p2 = 0f, p3 = 0f, p4 = 0f, p5 = 0f, p6 = 0f, p7 = 0f;
        float p8 = 0f, p9 = 0f, p10 = 0f, p11 = 0f, p12 = 0f, p13 = 0f, p14 = 0f, p15 = 0f;
        int k = 0;
        for (; k + 15 < n; k += 16) {
            p0 = Math.fma(w[o + k], v[p + k], p0);
            p1 = Math.fma(w[o + k + 1], v[p + k + 1], p1);
            p2 = Math.fma(w[o + k + 2], v[p + k + 2], p2);
            p3 = Math.fma(w[o + k + 3], v[p + k + 3], p3);
            p4 = Math.fma(w[o + k + 4], v[p + k + 4], p4);
            p5 = Math.fma(w[o + k + 5], v[p + k + 5], p5);
            p6 = Math.fma(w[o + k + 6], v[p + k + 6], p6);
            p7 = Math.fma(w[o + k + 7], v[p + k + 7], p7);
            p8 = Math.fma(w[o + k + 8], v[p + k + 8], p8);
            p9 = Math.fma(w[o + k + 9], v[p + k + 9], p9);
            p10 = Math.fma(w[o + k + 10], v[p + k + 10], p10);
            p11 = Math.fma(w[o + k + 11], v[p + k + 11], p11);
            p12 = Math.fma(w[o + k + 12], v[p + k + 12], p12);
            p13 = Math.fma(w[o + k + 13], v[p + k + 13], p13);
            p14 = Math.fma(w[o + k + 14], v[p + k + 14], p14);
            p15 = Math.fma(w[o + k + 15], v[p + k + 15], p15);
        }
        for (int j = 0; k < n; k++, j++) { // at most 15 terms left: term k into partial k mod 16 = j
            float t = w[o + k];
            float x = v[p + k];
            switch (j) {
                case 0 -> p0 = Math.fma(t, x, p0);
                case 1 -> p1 = Math.fma(t, x, p1);
                case 2 -> p2 = Math.fma(t, x, p2);
                case 3 -> p3 = Math.fma(t, x, p3);
                case 4 -> p4 = Math.fma(t, x, p4);
                case 5 -> p5 = Math.fma(t, x, p5);
                case 6 -> p6 = Math.fma(t, x, p6);
                case 7 -> p7 = Math.fma(t, x, p7);
                case 8 -> p8 = Math.fma(t, x, p8);
                case 9 -> p9 = Math.fma(t, x, p9);
                case 10 -> p10 = Math.fma(t, x, p10);
                case 11 -> p11 = Math.fma(t, x, p11);
                case 12 -> p12 = Math.fma(t, x, p12);
                case 13 -> p13 = Math.fma(t, x, p13);
                default -> p14 = Math.fma(t, x, p14);
            }
        }
        return bias + tree16(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15);
    }

    /**
     * {@link #pair} for four keys j..j+3 sharing the weights: key u's segments are {@code v1[j+u]} from
     * {@code p1[j+u]} and {@code v2[j+u]} from {@code p2[j+u]}; its starting partials are {@code a[ao+u]} (p0)
     * and {@code a[ao+4+u]} (p1), and its p0 + p1 goes to {@code a[ao+u]}. Per key the operations of pair.
     */
    static void pair4(float[] a, int ao, float[] w1, int o1, int n1, float[][] v1, int[] p1,
                      float[] w2, int o2, int n2, float[][] v2, int[] p2, int j) {
        float e0 = a[ao + 0], e1 = a[ao + 1], e2 = a[ao + 2], e3 = a[ao + 3];
        float d0 = a[ao + 4], d1 = a[ao + 5], d2 = a[ao + 6], d3 = a[ao + 7];
        if (n1 > 0) {
            final float[] x0 = v1[j + 0];
            final int q0 = p1[j + 0];
            final float[] x1 = v1[j + 1];
            final int q1 = p1[j + 1];
            final float[] x2 = v1[j + 2];
            final int q2 = p1[j + 2];
            final float[] x3 = v1[j + 3];
            final int q3 = p1[j + 3];
            int k = 0;
            for (; k + 1 < n1; k += 2) {
                float wa = w1[o1 + k];
                float wb = w1[o1 + k + 1];
                e0 = Math.fma(wa, x0[q0 + k], e0);
                d0 = Math.fma(wb, x0[q0 + k + 1], d0);
                e1 = Math.fma(wa, x1[q1 + k], e1);
                d1 = Math.fma(wb, x1[q1 + k + 1], d1);
                e2 = Math.fma(wa, x2[q2 + k], e2);
                d2 = Math.fma(wb, x2[q2 + k + 1], d2);
                e3 = Math.fma(wa, x3[q3 + k], e3);
                d3 = Math.fma(wb, x3[q3 + k + 1], d3);
            }
            if (k < n1) {
                float wa = w1[o1 + k];
                e0 = Math.fma(wa, x0[q0 + k], e0);
                e1 = Math.fma(wa, x1[q1 + k], e1);
                e2 = Math.fma(wa, x2[q2 + k], e2);
                e3 = Math.fma(wa, x3[q3 + k], e3);
            }
        }
        if (n2 > 0) {
            final float[] x0 = v2[j + 0];
            final int q0 = p2[j + 0];
            final float[] x1 = v2[j + 1];
            final int q1 = p2[j + 1];
            final float[] x2 = v2[j + 2];
            final int q2 = p2[j + 2];
            final float[] x3 = v2[j + 3];
            final int q3 = p2[j + 3];
            int k = 0;
            for (; k + 1 < n2; k += 2) {
                float wa = w2[o2 + k];
                float wb = w2[o2 + k + 1];
                e0 = Math.fma(wa, x0[q0 + k], e0);
                d0 = Math.fma(wb, x0[q0 + k + 1], d0);
                e1 = Math.fma(wa, x1[q1 + k], e1);
                d1 = Math.fma(wb, x1[q1 + k + 1], d1);
                e2 = Math.fma(wa, x2[q2 + k], e2);
                d2 = Math.fma(wb, x2[q2 + k + 1], d2);
                e3 = Math.fma(wa, x3[q3 + k], e3);
                d3 = Math.fma(wb, x3[q3 + k + 1], d3);
            }
            if (k < n2) {
                float wa = w2[o2 + k];
                e0 = Math.fma(wa, x0[q0 + k], e0);
                e1 = Math.fma(wa, x1[q1 + k], e1);
                e2 = Math.fma(wa, x2[q2 + k], e2);
                e3 = Math.fma(wa, x3[q3 + k], e3);
            }
        }
        a[ao + 0] = e0 + d0;
        a[ao + 1] = e1 + d1;
        a[ao + 2] = e2 + d2;
        a[ao + 3] = e3 + d3;
    }

    /**
     * {@link #quad} for four keys j..j+3 sharing the weights (segments as in {@link #pair4}): key u's
     * starting partial i is {@code a[ao+4i+u]}; its (p0 + p1) + (p2 + p3) goes to {@code a[ao+u]}.
     */
    static void quad4(float[] a, int ao, float[] w1, int o1, int n1, float[][] v1, int[] p1,
                      float[] w2, int o2, int n2, float[][] v2, int[] p2, int j) {
        float s00 = a[ao + 0], s01 = a[ao + 1], s02 = a[ao + 2], s03 = a[ao + 3];
        float s10 = a[ao + 4], s11 = a[ao + 5], s12 = a[ao + 6], s13 = a[ao + 7];
        float s20 = a[ao + 8], s21 = a[ao + 9], s22 = a[ao + 10], s23 = a[ao + 11];
        float s30 = a[ao + 12], s31 = a[ao + 13], s32 = a[ao + 14], s33 = a[ao + 15];
        if (n1 > 0) {
            final float[] x0 = v1[j + 0];
            final int q0 = p1[j + 0];
            final float[] x1 = v1[j + 1];
            final int q1 = p1[j + 1];
            final float[] x2 = v1[j + 2];
            final int q2 = p1[j + 2];
            final float[] x3 = v1[j + 3];
            final int q3 = p1[j + 3];
            int k = 0;
            for (; k + 3 < n1; k += 4) {
                float w0_ = w1[o1 + k + 0];
                float w1_ = w1[o1 + k + 1];
                float w2_ = w1[o1 + k + 2];
                float w3_ = w1[o1 + k + 3];
                s00 = Math.fma(w0_, x0[q0 + k + 0], s00);
                s10 = Math.fma(w1_, x0[q0 + k + 1], s10);
                s20 = Math.fma(w2_, x0[q0 + k + 2], s20);
                s30 = Math.fma(w3_, x0[q0 + k + 3], s30);
                s01 = Math.fma(w0_, x1[q1 + k + 0], s01);
                s11 = Math.fma(w1_, x1[q1 + k + 1], s11);
                s21 = Math.fma(w2_, x1[q1 + k + 2], s21);
                s31 = Math.fma(w3_, x1[q1 + k + 3], s31);
                s02 = Math.fma(w0_, x2[q2 + k + 0], s02);
                s12 = Math.fma(w1_, x2[q2 + k + 1], s12);
                s22 = Math.fma(w2_, x2[q2 + k + 2], s22);
                s32 = Math.fma(w3_, x2[q2 + k + 3], s32);
                s03 = Math.fma(w0_, x3[q3 + k + 0], s03);
                s13 = Math.fma(w1_, x3[q3 + k + 1], s13);
                s23 = Math.fma(w2_, x3[q3 + k + 2], s23);
                s33 = Math.fma(w3_, x3[q3 + k + 3], s33);
            }
            for (; k < n1; k++) {
                float w0_ = w1[o1 + k];
                s00 = Math.fma(w0_, x0[q0 + k], s00);
                s01 = Math.fma(w0_, x1[q1 + k], s01);
                s02 = Math.fma(w0_, x2[q2 + k], s02);
                s03 = Math.fma(w0_, x3[q3 + k], s03);
            }
        }
        if (n2 > 0) {
            final float[] x0 = v2[j + 0];
            final int q0 = p2[j + 0];
            final float[] x1 = v2[j + 1];
            final int q1 = p2[j + 1];
            final float[] x2 = v2[j + 2];
            final int q2 = p2[j + 2];
            final float[] x3 = v2[j + 3];
            final int q3 = p2[j + 3];
            int k = 0;
            for (; k + 3 < n2; k += 4) {
                float w0_ = w2[o2 + k + 0];
                float w1_ = w2[o2 + k + 1];
                float w2_ = w2[o2 + k + 2];
                float w3_ = w2[o2 + k + 3];
                s00 = Math.fma(w0_, x0[q0 + k + 0], s00);
                s10 = Math.fma(w1_, x0[q0 + k + 1], s10);
                s20 = Math.fma(w2_, x0[q0 + k + 2], s20);
                s30 = Math.fma(w3_, x0[q0 + k + 3], s30);
                s01 = Math.fma(w0_, x1[q1 + k + 0], s01);
                s11 = Math.fma(w1_, x1[q1 + k + 1], s11);
                s21 = Math.fma(w2_, x1[q1 + k + 2], s21);
                s31 = Math.fma(w3_, x1[q1 + k + 3], s31);
                s02 = Math.fma(w0_, x2[q2 + k + 0], s02);
                s12 = Math.fma(w1_, x2[q2 + k + 1], s12);
                s22 = Math.fma(w2_, x2[q2 + k + 2], s22);
                s32 = Math.fma(w3_, x2[q2 + k + 3], s32);
                s03 = Math.fma(w0_, x3[q3 + k + 0], s03);
                s13 = Math.fma(w1_, x3[q3 + k + 1], s13);
                s23 = Math.fma(w2_, x3[q3 + k + 2], s23);
                s33 = Math.fma(w3_, x3[q3 + k + 3], s33);
            }
            for (; k < n2; k++) {
                float w0_ = w2[o2 + k];
                s00 = Math.fma(w0_, x0[q0 + k], s00);
                s01 = Math.fma(w0_, x1[q1 + k], s01);
                s02 = Math.fma(w0_, x2[q2 + k], s02);
                s03 = Math.fma(w0_, x3[q3 + k], s03);
            }
        }
        a[ao + 0] = (s00 + s10) + (s20 + s30);
        a[ao + 1] = (s01 + s11) + (s21 + s31);
        a[ao + 2] = (s02 + s12) + (s22 + s32);
        a[ao + 3] = (s03 + s13) + (s23 + s33);
    }

    /** The fixed tree of {@link #row16}. */
    static float tree16(float p0, float p1, float p2, float p3, float p4, float p5, float p6, float p7,
                        float p8, float p9, float p10, float p11, float p12, float p13, float p14, float p15) {
        float t0 = p0 + p8;
        float t1 = p1 + p9;
        float t2 = p2 + p10;
        float t3 = p3 + p11;
        float t4 = p4 + p12;
        float t5 = p5 + p13;
        float t6 = p6 + p14;
        float t7 = p7 + p15;
        float u0 = t0 + t4;
        float u1 = t1 + t5;
        float u2 = t2 + t6;
        float u3 = t3 + t7;
        return (u0 + u2) + (u1 + u3);
    }

    /** W scaled row block by row block: rows [g·H, (g+1)·H) times scale[g]. */
    private static float[] scaled(float[] w, int h, int cols, float[] scale) {
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i] * scale[i / cols / h];
        }
        return out;
    }

    /**
     * i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…);
     * c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
     */
    static final class Lstm implements LayerKernel {
        private static final float[] SCALE = {0.5f, 0.5f, 1f, 0.5f};
        private final int in;
        private final int h;
        private final float[] wIh;
        private final float[] wHh;
        private final float[] bias;

        Lstm(LayerWeights w) {
            in = w.inputSize();
            h = w.hiddenSize();
            wIh = scaled(w.weightIh(), h, in, SCALE);
            wHh = scaled(w.weightHh(), h, h, SCALE);
            bias = new float[4 * h];
            for (int r = 0; r < 4 * h; r++) {
                bias[r] = (w.biasIh()[r] + w.biasHh()[r]) * SCALE[r / h];
            }
        }

        @Override
        public int scratchSize() {
            return 4 * h;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] t) {
            for (int r = 0; r < 4 * h; r++) {
                t[r] = tanh(pair(bias[r], 0f, wIh, r * in, x, xOff, in, wHh, r * h, s, hOff, h));
            }
            finish(s, hOff, cOff, t, 0);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] t) {
            boolean even = (index & 1) == 0;
            for (int r = 0; r < 4 * h; r++) {
                float col = wIh[r * in + index];
                float a0 = even ? bias[r] + col : bias[r];
                float a1 = even ? 0f : 0f + col;
                t[r] = tanh(pair(a0, a1, NONE, 0, NONE, 0, 0, wHh, r * h, s, hOff, h));
            }
            finish(s, hOff, cOff, t, 0);
        }

        /** Key j's gates at t[j·4H, (j+1)·4H), then 8 floats for {@link #pair4}'s partials. */
        @Override
        public int batchScratchSize(int n) {
            return n * 4 * h + 8;
        }

        @Override
        public void stepBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, int[] cOffs, float[] t) {
            final int per = 4 * h;
            final int a = n * per;
            for (int r = 0; r < 4 * h; r++) { // a row's weights once for every four keys
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    java.util.Arrays.fill(t, a, a + 4, bias[r]);
                    java.util.Arrays.fill(t, a + 4, a + 8, 0f);
                    pair4(t, a, wIh, r * in, in, xs, xOffs, wHh, r * h, h, ss, hOffs, j);
                    for (int u = 0; u < 4; u++) {
                        t[(j + u) * per + r] = tanh(t[a + u]);
                    }
                }
                for (; j < n; j++) {
                    t[j * per + r] = tanh(pair(bias[r], 0f, wIh, r * in, xs[j], xOffs[j], in, wHh, r * h, ss[j], hOffs[j], h));
                }
            }
            for (int j = 0; j < n; j++) {
                finish(ss[j], hOffs[j], cOffs[j], t, j * per);
            }
        }

        @Override
        public void stepOneHotBatch(int n, int[] indices, float[][] ss, int[] hOffs, int[] cOffs, float[] t) {
            final int per = 4 * h;
            final int a = n * per;
            for (int r = 0; r < 4 * h; r++) {
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    for (int u = 0; u < 4; u++) {
                        int index = indices[j + u];
                        float col = wIh[r * in + index];
                        boolean even = (index & 1) == 0;
                        t[a + u] = even ? bias[r] + col : bias[r];
                        t[a + 4 + u] = even ? 0f : 0f + col;
                    }
                    pair4(t, a, NONE, 0, 0, null, null, wHh, r * h, h, ss, hOffs, j);
                    for (int u = 0; u < 4; u++) {
                        t[(j + u) * per + r] = tanh(t[a + u]);
                    }
                }
                for (; j < n; j++) {
                    int index = indices[j];
                    float col = wIh[r * in + index];
                    boolean even = (index & 1) == 0;
                    float a0 = even ? bias[r] + col : bias[r];
                    float a1 = even ? 0f : 0f + col;
                    t[j * per + r] = tanh(pair(a0, a1, NONE, 0, NONE, 0, 0, wHh, r * h, ss[j], hOffs[j], h));
                }
            }
            for (int j = 0; j < n; j++) {
                finish(ss[j], hOffs[j], cOffs[j], t, j * per);
            }
        }

        /** t[to, to+4H) holds tanh of the (i, f, o halved) pre-activations. */
        private void finish(float[] s, int hOff, int cOff, float[] t, int to) {
            for (int j = 0; j < h; j++) {
                float i = sigmoidFromTanh(t[to + j]);
                float f = sigmoidFromTanh(t[to + h + j]);
                float g = t[to + 2 * h + j];
                float o = sigmoidFromTanh(t[to + 3 * h + j]);
                float c = Math.fma(f, s[cOff + j], i * g);
                s[cOff + j] = c;
                s[hOff + j] = o * tanh(c);
            }
        }
    }

    /**
     * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));
     * h' = (1 − z) ⊙ n + z ⊙ h, computed as n + z ⊙ (h − n).
     */
    static final class Gru implements LayerKernel {
        private static final float[] SCALE = {0.5f, 0.5f, 1f};
        private final int in;
        private final int h;
        private final float[] wIh;
        private final float[] wHh;
        /** [r, z] 0.5·(b_ih + b_hh), then b_in, then b_hn: 4·H. */
        private final float[] bias;

        Gru(LayerWeights w) {
            in = w.inputSize();
            h = w.hiddenSize();
            wIh = scaled(w.weightIh(), h, in, SCALE);
            wHh = scaled(w.weightHh(), h, h, SCALE);
            float[] bih = w.biasIh();
            float[] bhh = w.biasHh();
            bias = new float[4 * h];
            for (int r = 0; r < 2 * h; r++) {
                bias[r] = 0.5f * (bih[r] + bhh[r]);
            }
            for (int j = 0; j < h; j++) {
                bias[2 * h + j] = bih[2 * h + j];
                bias[3 * h + j] = bhh[2 * h + j];
            }
        }

        @Override
        public int scratchSize() {
            return 4 * h;
        }

        /** scratch: r, z pre-activations (halved) [0, 2H), n_x [2H, 3H), n_h [3H, 4H). */
        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] p) {
            for (int r = 0; r < 2 * h; r++) {
                p[r] = pair(bias[r], 0f, wIh, r * in, x, xOff, in, wHh, r * h, s, hOff, h);
            }
            for (int j = 0; j < h; j++) {
                int row = 2 * h + j;
                p[row] = pair(bias[row], 0f, wIh, row * in, x, xOff, in, NONE, 0, NONE, 0, 0);
            }
            finish(s, hOff, p);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] p) {
            boolean even = (index & 1) == 0;
            for (int r = 0; r < 3 * h; r++) {
                float col = wIh[r * in + index];
                float a0 = even ? bias[r] + col : bias[r];
                float a1 = even ? 0f : 0f + col;
                p[r] = r < 2 * h ? pair(a0, a1, NONE, 0, NONE, 0, 0, wHh, r * h, s, hOff, h) : a0 + a1;
            }
            finish(s, hOff, p);
        }

        private void finish(float[] s, int hOff, float[] p) {
            for (int j = 0; j < h; j++) {
                int row = 2 * h + j;
                p[h + row] = pair(bias[h + row], 0f, wHh, row * h, s, hOff, h, NONE, 0, NONE, 0, 0);
            }
            update(s, hOff, p, 0);
        }

        /** h' from the pre-activations of one key at p[po, po+4H). */
        private void update(float[] s, int hOff, float[] p, int po) {
            for (int j = 0; j < h; j++) {
                float r = sigmoidFromTanh(tanh(p[po + j]));
                float z = sigmoidFromTanh(tanh(p[po + h + j]));
                float n = tanh(Math.fma(r, p[po + 3 * h + j], p[po + 2 * h + j]));
                float hPrev = s[hOff + j];
                s[hOff + j] = Math.fma(z, hPrev - n, n);
            }
        }

        /** Key j's pre-activations at p[j·4H, (j+1)·4H) (as the single step's), then 8 floats for pair4. */
        @Override
        public int batchScratchSize(int n) {
            return n * 4 * h + 8;
        }

        @Override
        public void stepBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, int[] cOffs, float[] p) {
            final int per = 4 * h;
            final int a = n * per;
            for (int r = 0; r < 3 * h; r++) { // r, z over x and h; n_x over x
                boolean hPart = r < 2 * h;
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    java.util.Arrays.fill(p, a, a + 4, bias[r]);
                    java.util.Arrays.fill(p, a + 4, a + 8, 0f);
                    pair4(p, a, wIh, r * in, in, xs, xOffs, hPart ? wHh : NONE, hPart ? r * h : 0, hPart ? h : 0,
                            ss, hOffs, j);
                    for (int u = 0; u < 4; u++) {
                        p[(j + u) * per + r] = p[a + u];
                    }
                }
                for (; j < n; j++) {
                    p[j * per + r] = hPart
                            ? pair(bias[r], 0f, wIh, r * in, xs[j], xOffs[j], in, wHh, r * h, ss[j], hOffs[j], h)
                            : pair(bias[r], 0f, wIh, r * in, xs[j], xOffs[j], in, NONE, 0, NONE, 0, 0);
                }
            }
            finishBatch(n, ss, hOffs, p);
        }

        @Override
        public void stepOneHotBatch(int n, int[] indices, float[][] ss, int[] hOffs, int[] cOffs, float[] p) {
            final int per = 4 * h;
            final int a = n * per;
            for (int r = 0; r < 3 * h; r++) {
                boolean hPart = r < 2 * h;
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    for (int u = 0; u < 4; u++) {
                        int index = indices[j + u];
                        float col = wIh[r * in + index];
                        boolean even = (index & 1) == 0;
                        p[a + u] = even ? bias[r] + col : bias[r];
                        p[a + 4 + u] = even ? 0f : 0f + col;
                    }
                    if (hPart) {
                        pair4(p, a, NONE, 0, 0, null, null, wHh, r * h, h, ss, hOffs, j);
                        for (int u = 0; u < 4; u++) {
                            p[(j + u) * per + r] = p[a + u];
                        }
                    } else {
                        for (int u = 0; u < 4; u++) {
                            p[(j + u) * per + r] = p[a + u] + p[a + 4 + u];
                        }
                    }
                }
                for (; j < n; j++) {
                    int index = indices[j];
                    float col = wIh[r * in + index];
                    boolean even = (index & 1) == 0;
                    float a0 = even ? bias[r] + col : bias[r];
                    float a1 = even ? 0f : 0f + col;
                    p[j * per + r] = hPart ? pair(a0, a1, NONE, 0, NONE, 0, 0, wHh, r * h, ss[j], hOffs[j], h) : a0 + a1;
                }
            }
            finishBatch(n, ss, hOffs, p);
        }

        /** n_h of every key (before any h changes), then each key's h'. */
        private void finishBatch(int n, float[][] ss, int[] hOffs, float[] p) {
            final int per = 4 * h;
            final int a = n * per;
            for (int i = 0; i < h; i++) {
                int row = 2 * h + i;
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    java.util.Arrays.fill(p, a, a + 4, bias[h + row]);
                    java.util.Arrays.fill(p, a + 4, a + 8, 0f);
                    pair4(p, a, wHh, row * h, h, ss, hOffs, NONE, 0, 0, null, null, j);
                    for (int u = 0; u < 4; u++) {
                        p[(j + u) * per + h + row] = p[a + u];
                    }
                }
                for (; j < n; j++) {
                    p[j * per + h + row] = pair(bias[h + row], 0f, wHh, row * h, ss[j], hOffs[j], h, NONE, 0, NONE, 0, 0);
                }
            }
            for (int j = 0; j < n; j++) {
                update(ss[j], hOffs[j], p, j * per);
            }
        }
    }

    /** h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. */
    static final class Rnn implements LayerKernel {
        private final int in;
        private final int h;
        private final boolean relu;
        private final float[] wIh;
        private final float[] wHh;
        private final float[] bias;

        Rnn(LayerWeights w) {
            in = w.inputSize();
            h = w.hiddenSize();
            relu = w.cell() == CellType.RNN_RELU;
            wIh = w.weightIh().clone();
            wHh = w.weightHh().clone();
            bias = new float[h];
            for (int j = 0; j < h; j++) {
                bias[j] = w.biasIh()[j] + w.biasHh()[j];
            }
        }

        @Override
        public int scratchSize() {
            return h;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] pre) {
            for (int j = 0; j < h; j++) {
                pre[j] = quad(bias[j], 0f, 0f, 0f, wIh, j * in, x, xOff, in, wHh, j * h, s, hOff, h);
            }
            finish(s, hOff, pre);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] pre) {
            int part = index < (in & ~3) ? index & 3 : 0;
            for (int j = 0; j < h; j++) {
                float col = wIh[j * in + index];
                float a0 = part == 0 ? bias[j] + col : bias[j];
                float a1 = part == 1 ? 0f + col : 0f;
                float a2 = part == 2 ? 0f + col : 0f;
                float a3 = part == 3 ? 0f + col : 0f;
                pre[j] = quad(a0, a1, a2, a3, NONE, 0, NONE, 0, 0, wHh, j * h, s, hOff, h);
            }
            finish(s, hOff, pre);
        }

        private void finish(float[] s, int hOff, float[] pre) {
            for (int j = 0; j < h; j++) {
                s[hOff + j] = relu ? relu(pre[j]) : tanh(pre[j]);
            }
        }

        /** Key j's pre-activations at pre[j·H, (j+1)·H), then 16 floats for {@link #quad4}'s partials. */
        @Override
        public int batchScratchSize(int n) {
            return n * h + 16;
        }

        @Override
        public void stepBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, int[] cOffs, float[] pre) {
            final int a = n * h;
            for (int r = 0; r < h; r++) {
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    java.util.Arrays.fill(pre, a, a + 4, bias[r]);
                    java.util.Arrays.fill(pre, a + 4, a + 16, 0f);
                    quad4(pre, a, wIh, r * in, in, xs, xOffs, wHh, r * h, h, ss, hOffs, j);
                    for (int u = 0; u < 4; u++) {
                        pre[(j + u) * h + r] = pre[a + u];
                    }
                }
                for (; j < n; j++) {
                    pre[j * h + r] = quad(bias[r], 0f, 0f, 0f, wIh, r * in, xs[j], xOffs[j], in, wHh, r * h, ss[j], hOffs[j], h);
                }
            }
            finishBatch(n, ss, hOffs, pre);
        }

        @Override
        public void stepOneHotBatch(int n, int[] indices, float[][] ss, int[] hOffs, int[] cOffs, float[] pre) {
            final int a = n * h;
            for (int r = 0; r < h; r++) {
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    for (int u = 0; u < 4; u++) {
                        int index = indices[j + u];
                        int part = index < (in & ~3) ? index & 3 : 0;
                        float col = wIh[r * in + index];
                        pre[a + u] = part == 0 ? bias[r] + col : bias[r];
                        pre[a + 4 + u] = part == 1 ? 0f + col : 0f;
                        pre[a + 8 + u] = part == 2 ? 0f + col : 0f;
                        pre[a + 12 + u] = part == 3 ? 0f + col : 0f;
                    }
                    quad4(pre, a, NONE, 0, 0, null, null, wHh, r * h, h, ss, hOffs, j);
                    for (int u = 0; u < 4; u++) {
                        pre[(j + u) * h + r] = pre[a + u];
                    }
                }
                for (; j < n; j++) {
                    int index = indices[j];
                    int part = index < (in & ~3) ? index & 3 : 0;
                    float col = wIh[r * in + index];
                    float a0 = part == 0 ? bias[r] + col : bias[r];
                    float a1 = part == 1 ? 0f + col : 0f;
                    float a2 = part == 2 ? 0f + col : 0f;
                    float a3 = part == 3 ? 0f + col : 0f;
                    pre[j * h + r] = quad(a0, a1, a2, a3, NONE, 0, NONE, 0, 0, wHh, r * h, ss[j], hOffs[j], h);
                }
            }
            finishBatch(n, ss, hOffs, pre);
        }

        private void finishBatch(int n, float[][] ss, int[] hOffs, float[] pre) {
            for (int j = 0; j < n; j++) {
                float[] s = ss[j];
                int hOff = hOffs[j];
                for (int i = 0; i < h; i++) {
                    float v = pre[j * h + i];
                    s[hOff + i] = relu ? relu(v) : tanh(v);
                }
            }
        }
    }
}
