package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API ({@code jdk.incubator.vector}) kernels: lane for lane the canonical order of operations of
 * {@link ScalarKernels} (read its class comment), laid out for SIMD. The floats they produce do not depend on
 * the lane count: at 4, 8 or 16 lanes and in the scalar kernel a state and an output are the same, bit for
 * bit ({@code KernelAgreementTest}), so a key can move between unlike machines.
 *
 * <p>Every layer kernel repacks PyTorch's weights at construction into blocks of {@code L} hidden units
 * ({@code L} = the float lane count, 16 with AVX-512). Inside a block the packed array runs over the layer
 * input k (first x, then the previous h) and, for each k, over the gates, each an {@code L}-float run for
 * the block's units: the mat-vec streams the weights contiguously with one broadcast of the input scalar
 * per k and one FMA accumulator per gate and partial sum (k unrolled by two: even k, odd k). A lane holds
 * one unit from the bias to the end, so the order of its operations is the scalar kernel's whatever L is.
 * The last block is padded with zero weights when H is not a multiple of L.
 *
 * <p>The rows of the gates that go through a sigmoid (LSTM i, f, o; GRU r, z) and their biases are
 * pre-scaled by 0.5 (exact in binary floating point) so that σ(a) = 0.5·tanh(a/2) + 0.5 and a single
 * vector {@link #tanh} serves every gate.
 *
 * <p>A step has separate small passes: the mat-vec writes the gate pre-activations of all blocks to the
 * scratch; one loop applies tanh to all the sigmoid/tanh gates in place; a last loop combines them into
 * the new h (and c), with one more tanh for LSTM's c' and GRU's n. Each method stays inside C2's inlining
 * budget and has at most one inlined copy of {@link #tanh}, so that the vector temporaries are
 * scalar-replaced and a step allocates nothing (a cell method with five inlined tanh calls hits
 * {@code NodeCountInliningCutoff}, the remaining calls pass boxed vectors, and the step allocates
 * ~2.7 KB). The mat-vec and activation passes cannot be fused anyway: every block reads all of the old h.
 *
 * <p>tanh is a rational (13/6) minimax approximation with max absolute error ≈ 3e-7 over all floats
 * ({@link Activations#tanh} is its scalar twin). All kernels are immutable and thread-safe; temporaries live
 * in the caller's scratch.
 */
public final class VectorKernels implements KernelFactory {

    /** Loaded reflectively by {@link Kernels#vector()}: keep the name and the field. */
    public static final VectorKernels INSTANCE = new VectorKernels();

    /** Read once, when this class is initialized; for tests and benchmarks. */
    public static final String BITS_PROPERTY = "seqpredict.vector.bits";

    /**
     * The JVM's preferred float species (16 lanes with AVX-512, 8 with AVX2 or {@code -XX:MaxVectorSize=32}),
     * or the one of {@code -Dseqpredict.vector.bits=64|128|256|512}. A static final so that C2 compiles
     * every vector operation for one known shape; the result does not depend on it (see the class comment).
     */
    static final VectorSpecies<Float> S = species(System.getProperty(BITS_PROPERTY));
    static final int L = S.length();

    private static VectorSpecies<Float> species(String bits) {
        if (bits == null || bits.isBlank()) {
            // at most 16 lanes: the head's 16 partial sums need L to divide 16 (no x86 CPU has more)
            return FloatVector.SPECIES_PREFERRED.length() > 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "64" -> FloatVector.SPECIES_64;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("-D" + BITS_PROPERTY + "=" + bits
                    + ": expected 64, 128, 256 or 512");
        };
    }

    private VectorKernels() {
    }

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    public LayerKernel layer(LayerWeights w) {
        return switch (w.cell()) {
            case LSTM -> new Lstm(w);
            case GRU -> new Gru(w);
            case RNN_TANH, RNN_RELU -> new Rnn(w);
        };
    }

    @Override
    public MatVec matVec(int rows, int cols, float[] weight, float[] bias) {
        return new Affine(rows, cols, weight, bias);
    }

    /** The rows, then 16 floats for one row's partial sums (no masked store, no lane extraction). */
    @Override
    public int matVecOutputFloats(int rows) {
        return rows + 16;
    }

    /** The lane count of the species in use (for tests and benchmarks). */
    public static int lanes() {
        return L;
    }

    // ---- tanh ----------------------------------------------------------------------------------

    // Activations' compile-time constants, copied here by javac: no field or method of another class of
    // this package is used at run time, so the agreement test can load this class once per vector width.
    private static final float CLAMP = Activations.CLAMP;
    private static final float A1 = Activations.A1;
    private static final float A3 = Activations.A3;
    private static final float A5 = Activations.A5;
    private static final float A7 = Activations.A7;
    private static final float A9 = Activations.A9;
    private static final float A11 = Activations.A11;
    private static final float A13 = Activations.A13;
    private static final float B0 = Activations.B0;
    private static final float B2 = Activations.B2;
    private static final float B4 = Activations.B4;
    private static final float B6 = Activations.B6;

    /**
     * tanh(x) lane-wise, max abs error ≈ 3e-7; NaN stays NaN. Lane for lane the same operations as
     * {@link Activations#tanh}, so the scalar kernel gets the same bits.
     */
    static FloatVector tanh(FloatVector v) {
        FloatVector x = v.max(-CLAMP).min(CLAMP);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(A13, A11);
        p = x2.fma(p, FloatVector.broadcast(S, A9));
        p = x2.fma(p, FloatVector.broadcast(S, A7));
        p = x2.fma(p, FloatVector.broadcast(S, A5));
        p = x2.fma(p, FloatVector.broadcast(S, A3));
        p = x2.fma(p, FloatVector.broadcast(S, A1));
        p = x.mul(p);
        FloatVector q = x2.fma(B6, B4);
        q = x2.fma(q, FloatVector.broadcast(S, B2));
        q = x2.fma(q, FloatVector.broadcast(S, B0));
        return p.div(q);
    }

    /** σ(a) from t = tanh(a/2): 0.5·t + 0.5. */
    private static FloatVector sigmoidFromTanh(FloatVector t) {
        return t.fma(0.5f, 0.5f);
    }

    /**
     * a[0, n) = tanh(a[0, n)), n a multiple of L. The only call site of {@link #tanh} for the gates: one
     * inlined copy, so the activation methods stay within the JIT's inlining budget.
     */
    private static void tanhInPlace(float[] a, int off, int n) {
        for (int i = off; i < off + n; i += L) {
            tanh(FloatVector.fromArray(S, a, i)).intoArray(a, i);
        }
    }

    // ---- packing -----------------------------------------------------------------------------

    /**
     * Packs [gates·H, in] (x part) and [gates·H, H] (h part) into per-block runs:
     * {@code packed[b][k][g][lane] = W[srcGate(g)·H + b·L + lane][k] · scale(g)}, with k over x then h.
     * {@code xGates}/{@code hGates} map each packed gate slot to a PyTorch gate block (-1 = zero).
     */
    private static float[] pack(LayerWeights w, int[] xGates, int[] hGates, float[] scale) {
        int in = w.inputSize();
        int h = w.hiddenSize();
        int blocks = blocks(h);
        int g = xGates.length;
        int perBlock = (in + h) * g * L;
        float[] packed = new float[blocks * perBlock];
        float[] wih = w.weightIh();
        float[] whh = w.weightHh();
        for (int b = 0; b < blocks; b++) {
            int p = b * perBlock;
            for (int k = 0; k < in + h; k++) {
                for (int slot = 0; slot < g; slot++) {
                    int gate = k < in ? xGates[slot] : hGates[slot];
                    for (int lane = 0; lane < L; lane++, p++) {
                        int unit = b * L + lane;
                        if (gate < 0 || unit >= h) {
                            continue;
                        }
                        int row = gate * h + unit;
                        float v = k < in ? wih[row * in + k] : whh[row * h + (k - in)];
                        packed[p] = v * scale[slot];
                    }
                }
            }
        }
        return packed;
    }

    /** bias[b][slot][lane] = scale · (sum of the given PyTorch bias blocks), zero-padded. */
    private static float[] packBias(int h, int slots, BiasSource src) {
        int blocks = blocks(h);
        float[] out = new float[blocks * slots * L];
        for (int b = 0; b < blocks; b++) {
            for (int slot = 0; slot < slots; slot++) {
                for (int lane = 0; lane < L; lane++) {
                    int unit = b * L + lane;
                    if (unit < h) {
                        out[(b * slots + slot) * L + lane] = src.value(slot, unit);
                    }
                }
            }
        }
        return out;
    }

    private interface BiasSource {
        float value(int slot, int unit);
    }

    static int blocks(int h) {
        return (h + L - 1) / L;
    }

    /** The mat-vec pass of a layer kernel alone (no activations): the floor the benchmarks compare to. */
    interface GateMatVec {
        /** Writes the gate pre-activations for input x and previous h into out (the kernel's scratch). */
        void matVec(float[] x, int xOff, float[] s, int hOff, float[] out);
    }

    /** The mat-vec pass of {@link LayerKernel#stepBatch} alone (no activations), for the benchmarks. */
    interface BatchMatVec {
        /** Writes key j's gate pre-activations to out[j·scratchSize(), …) for x, h as in stepBatch. */
        void matVecBatch(int n, float[][] xs, int[] xOffs, float[][] s, int[] hOffs, float[] out);
    }

    // ---- LSTM --------------------------------------------------------------------------------

    /**
     * Gate slots i, f, g, o (PyTorch order); i, f, o pre-scaled by 0.5. Scratch: the pre-activations
     * [block][4][L], then 2·L floats for the last, partial block's c and h.
     */
    static final class Lstm implements LayerKernel, GateMatVec, BatchMatVec {
        private final int in;
        private final int h;
        private final int blocks;
        private final int fullBlocks;
        private final float[] w;
        private final float[] bias;

        Lstm(LayerWeights lw) {
            in = lw.inputSize();
            h = lw.hiddenSize();
            blocks = blocks(h);
            fullBlocks = h / L;
            int[] gates = {0, 1, 2, 3};
            float[] scale = {0.5f, 0.5f, 1f, 0.5f};
            w = pack(lw, gates, gates, scale);
            float[] bih = lw.biasIh();
            float[] bhh = lw.biasHh();
            bias = packBias(h, 4, (slot, unit) -> (bih[slot * h + unit] + bhh[slot * h + unit]) * scale[slot]);
        }

        @Override
        public int scratchSize() {
            return blocks * 4 * L + 2 * L;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] scratch) {
            matVec(x, xOff, s, hOff, scratch);
            activate(s, hOff, cOff, scratch, 0);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] scratch) {
            matVec(null, 0, index, s, hOff, scratch, 0);
            activate(s, hOff, cOff, scratch, 0);
        }

        /** scratch[b][g][lane] = pre-activation of gate g (i, f, o halved) for all blocks. */
        @Override
        public void matVec(float[] x, int xOff, float[] s, int hOff, float[] out) {
            matVec(x, xOff, -1, s, hOff, out, 0);
        }

        /**
         * As above; with {@code oneHot} ≥ 0, x is that one-hot vector: its column of weights goes into the
         * accumulator the x loop would have put it in (even k → 0, odd k → 1), so the sums are the same.
         */
        private void matVec(float[] x, int xOff, int oneHot, float[] s, int hOff, float[] out, int oo) {
            final float[] w = this.w;
            final int in = this.in;
            final int h = this.h;
            final int stride = 4 * L;
            int p = 0;
            for (int b = 0; b < blocks; b++) {
                int ob = b * stride;
                FloatVector i0 = FloatVector.fromArray(S, bias, ob);
                FloatVector f0 = FloatVector.fromArray(S, bias, ob + L);
                FloatVector g0 = FloatVector.fromArray(S, bias, ob + 2 * L);
                FloatVector o0 = FloatVector.fromArray(S, bias, ob + 3 * L);
                FloatVector i1 = FloatVector.zero(S);
                FloatVector f1 = FloatVector.zero(S);
                FloatVector g1 = FloatVector.zero(S);
                FloatVector o1 = FloatVector.zero(S);
                int k = 0;
                if (oneHot >= 0) {
                    int c = p + oneHot * stride;
                    if ((oneHot & 1) == 0) {
                        i0 = i0.add(FloatVector.fromArray(S, w, c));
                        f0 = f0.add(FloatVector.fromArray(S, w, c + L));
                        g0 = g0.add(FloatVector.fromArray(S, w, c + 2 * L));
                        o0 = o0.add(FloatVector.fromArray(S, w, c + 3 * L));
                    } else {
                        i1 = i1.add(FloatVector.fromArray(S, w, c));
                        f1 = f1.add(FloatVector.fromArray(S, w, c + L));
                        g1 = g1.add(FloatVector.fromArray(S, w, c + 2 * L));
                        o1 = o1.add(FloatVector.fromArray(S, w, c + 3 * L));
                    }
                    p += in * stride;
                    k = in;
                }
                for (; k + 1 < in; k += 2, p += 2 * stride) {
                    FloatVector a = FloatVector.broadcast(S, x[xOff + k]);
                    FloatVector c = FloatVector.broadcast(S, x[xOff + k + 1]);
                    i0 = FloatVector.fromArray(S, w, p).fma(a, i0);
                    f0 = FloatVector.fromArray(S, w, p + L).fma(a, f0);
                    g0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, g0);
                    o0 = FloatVector.fromArray(S, w, p + 3 * L).fma(a, o0);
                    i1 = FloatVector.fromArray(S, w, p + 4 * L).fma(c, i1);
                    f1 = FloatVector.fromArray(S, w, p + 5 * L).fma(c, f1);
                    g1 = FloatVector.fromArray(S, w, p + 6 * L).fma(c, g1);
                    o1 = FloatVector.fromArray(S, w, p + 7 * L).fma(c, o1);
                }
                if (k < in) {
                    FloatVector a = FloatVector.broadcast(S, x[xOff + k]);
                    i0 = FloatVector.fromArray(S, w, p).fma(a, i0);
                    f0 = FloatVector.fromArray(S, w, p + L).fma(a, f0);
                    g0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, g0);
                    o0 = FloatVector.fromArray(S, w, p + 3 * L).fma(a, o0);
                    p += stride;
                }
                k = 0;
                for (; k + 1 < h; k += 2, p += 2 * stride) {
                    FloatVector a = FloatVector.broadcast(S, s[hOff + k]);
                    FloatVector c = FloatVector.broadcast(S, s[hOff + k + 1]);
                    i0 = FloatVector.fromArray(S, w, p).fma(a, i0);
                    f0 = FloatVector.fromArray(S, w, p + L).fma(a, f0);
                    g0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, g0);
                    o0 = FloatVector.fromArray(S, w, p + 3 * L).fma(a, o0);
                    i1 = FloatVector.fromArray(S, w, p + 4 * L).fma(c, i1);
                    f1 = FloatVector.fromArray(S, w, p + 5 * L).fma(c, f1);
                    g1 = FloatVector.fromArray(S, w, p + 6 * L).fma(c, g1);
                    o1 = FloatVector.fromArray(S, w, p + 7 * L).fma(c, o1);
                }
                if (k < h) {
                    FloatVector a = FloatVector.broadcast(S, s[hOff + k]);
                    i0 = FloatVector.fromArray(S, w, p).fma(a, i0);
                    f0 = FloatVector.fromArray(S, w, p + L).fma(a, f0);
                    g0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, g0);
                    o0 = FloatVector.fromArray(S, w, p + 3 * L).fma(a, o0);
                    p += stride;
                }
                i0.add(i1).intoArray(out, oo + ob);
                f0.add(f1).intoArray(out, oo + ob + L);
                g0.add(g1).intoArray(out, oo + ob + 2 * L);
                o0.add(o1).intoArray(out, oo + ob + 3 * L);
            }
        }

        /** The activations from the pre-activations at scratch[so, …) (one key's scratch area). */
        private void activate(float[] s, int hOff, int cOff, float[] scratch, int so) {
            tanhInPlace(scratch, so, blocks * 4 * L);
            for (int b = 0; b < fullBlocks; b++) {
                cell(scratch, so + b * 4 * L, s, hOff + b * L, s, cOff + b * L);
            }
            if (fullBlocks < blocks) {
                tail(s, hOff, cOff, scratch, so);
            }
        }

        /** The last, partial block goes through the scratch so that no lane reads or writes past H. */
        private void tail(float[] s, int hOff, int cOff, float[] scratch, int so) {
            int u = fullBlocks * L;
            int n = h - u;
            int t = so + blocks * 4 * L; // c at [t, t+L), h at [t+L, t+2L)
            System.arraycopy(s, cOff + u, scratch, t, n);
            cell(scratch, so + fullBlocks * 4 * L, scratch, t + L, scratch, t);
            System.arraycopy(scratch, t, s, cOff + u, n);
            System.arraycopy(scratch, t + L, s, hOff + u, n);
        }


        // ---- batched step (LayerKernel.stepBatch) ----

        @Override
        public int batchScratchSize(int n) {
            return n * scratchSize();
        }

        @Override
        public void stepBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, int[] cOffs,
                              float[] scratch) {
            matVecBatch(n, xs, xOffs, null, ss, hOffs, scratch);
            activateBatch(n, ss, hOffs, cOffs, scratch);
        }

        @Override
        public void stepOneHotBatch(int n, int[] indices, float[][] ss, int[] hOffs, int[] cOffs, float[] scratch) {
            matVecBatch(n, null, null, indices, ss, hOffs, scratch);
            activateBatch(n, ss, hOffs, cOffs, scratch);
        }

        @Override
        public void matVecBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, float[] out) {
            matVecBatch(n, xs, xOffs, null, ss, hOffs, out);
        }

        /**
         * Key j's pre-activations into its own area of the scratch, {@code [j·per, (j+1)·per)}, laid out as the
         * single step's. Block by block (the block's weights stay in L1 while every key passes over them),
         * four keys at a time; then the rest one at a time, each as the single step does it. The two
         * partial sums of a key's gate are computed one after the other (even k from the bias, then odd k
         * from zero, each in increasing k as in the single step) so that four keys' four gates fit in 16
         * accumulators; the second adds the first from the scratch: p0 + p1, the single step's last add.
         */
        private void matVecBatch(int n, float[][] xs, int[] xOffs, int[] oneHot, float[][] ss, int[] hOffs,
                                 float[] out) {
            final int per = scratchSize();
            for (int b = 0; b < blocks; b++) {
                for (int j = 0; j + 4 <= n; j += 4) {
                    group4(b, 0, j, xs, xOffs, oneHot, ss, hOffs, out, per);
                    group4(b, 1, j, xs, xOffs, oneHot, ss, hOffs, out, per);
                }
            }
            for (int j = n & ~3; j < n; j++) { // the rest one by one, as the single step (all blocks)
                matVec(xs == null ? null : xs[j], xs == null ? 0 : xOffs[j], oneHot == null ? -1 : oneHot[j], ss[j],
                        hOffs[j], out, j * per);
            }
        }

        private void activateBatch(int n, float[][] ss, int[] hOffs, int[] cOffs, float[] scratch) {
            final int per = scratchSize();
            for (int j = 0; j < n; j++) {
                activate(ss[j], hOffs[j], cOffs[j], scratch, j * per);
            }
        }

        /** Keys j..j+3, block b, partial q (0: even k from the bias, 1: odd k from zero): see matVecBatch. */
        private void group4(int b, int q, int j, float[][] xs, int[] xOffs, int[] oneHot, float[][] ss, int[] hOffs,
                            float[] out, int per) {
            final float[] w = this.w;
            final int in = this.in;
            final int h = this.h;
            final int stride = 4 * L;
            final int pb = b * (in + h) * stride;
            final int ob = b * stride;
            FloatVector bi = q == 0 ? FloatVector.fromArray(S, bias, ob) : FloatVector.zero(S);
            FloatVector bf = q == 0 ? FloatVector.fromArray(S, bias, ob + L) : FloatVector.zero(S);
            FloatVector bg = q == 0 ? FloatVector.fromArray(S, bias, ob + 2 * L) : FloatVector.zero(S);
            FloatVector bo = q == 0 ? FloatVector.fromArray(S, bias, ob + 3 * L) : FloatVector.zero(S);
            FloatVector i0 = bi, i1 = bi, i2 = bi, i3 = bi;
            FloatVector f0 = bf, f1 = bf, f2 = bf, f3 = bf;
            FloatVector g0 = bg, g1 = bg, g2 = bg, g3 = bg;
            FloatVector o0 = bo, o1 = bo, o2 = bo, o3 = bo;
            if (oneHot != null) {
                int c0 = oneHot[j + 0];
                if ((c0 & 1) == q) {
                    int p = pb + c0 * stride;
                    i0 = i0.add(FloatVector.fromArray(S, w, p));
                    f0 = f0.add(FloatVector.fromArray(S, w, p + L));
                    g0 = g0.add(FloatVector.fromArray(S, w, p + 2 * L));
                    o0 = o0.add(FloatVector.fromArray(S, w, p + 3 * L));
                }
                int c1 = oneHot[j + 1];
                if ((c1 & 1) == q) {
                    int p = pb + c1 * stride;
                    i1 = i1.add(FloatVector.fromArray(S, w, p));
                    f1 = f1.add(FloatVector.fromArray(S, w, p + L));
                    g1 = g1.add(FloatVector.fromArray(S, w, p + 2 * L));
                    o1 = o1.add(FloatVector.fromArray(S, w, p + 3 * L));
                }
                int c2 = oneHot[j + 2];
                if ((c2 & 1) == q) {
                    int p = pb + c2 * stride;
                    i2 = i2.add(FloatVector.fromArray(S, w, p));
                    f2 = f2.add(FloatVector.fromArray(S, w, p + L));
                    g2 = g2.add(FloatVector.fromArray(S, w, p + 2 * L));
                    o2 = o2.add(FloatVector.fromArray(S, w, p + 3 * L));
                }
                int c3 = oneHot[j + 3];
                if ((c3 & 1) == q) {
                    int p = pb + c3 * stride;
                    i3 = i3.add(FloatVector.fromArray(S, w, p));
                    f3 = f3.add(FloatVector.fromArray(S, w, p + L));
                    g3 = g3.add(FloatVector.fromArray(S, w, p + 2 * L));
                    o3 = o3.add(FloatVector.fromArray(S, w, p + 3 * L));
                }
            } else {
                final float[] x0 = xs[j + 0];
                final int xo0 = xOffs[j + 0];
                final float[] x1 = xs[j + 1];
                final int xo1 = xOffs[j + 1];
                final float[] x2 = xs[j + 2];
                final int xo2 = xOffs[j + 2];
                final float[] x3 = xs[j + 3];
                final int xo3 = xOffs[j + 3];
                for (int k = q; k < in; k += 2) {
                    int p = pb + k * stride;
                    FloatVector wi = FloatVector.fromArray(S, w, p);
                    FloatVector wf = FloatVector.fromArray(S, w, p + L);
                    FloatVector wg = FloatVector.fromArray(S, w, p + 2 * L);
                    FloatVector wo = FloatVector.fromArray(S, w, p + 3 * L);
                    FloatVector a0 = FloatVector.broadcast(S, x0[xo0 + k]);
                    i0 = wi.fma(a0, i0);
                    f0 = wf.fma(a0, f0);
                    g0 = wg.fma(a0, g0);
                    o0 = wo.fma(a0, o0);
                    FloatVector a1 = FloatVector.broadcast(S, x1[xo1 + k]);
                    i1 = wi.fma(a1, i1);
                    f1 = wf.fma(a1, f1);
                    g1 = wg.fma(a1, g1);
                    o1 = wo.fma(a1, o1);
                    FloatVector a2 = FloatVector.broadcast(S, x2[xo2 + k]);
                    i2 = wi.fma(a2, i2);
                    f2 = wf.fma(a2, f2);
                    g2 = wg.fma(a2, g2);
                    o2 = wo.fma(a2, o2);
                    FloatVector a3 = FloatVector.broadcast(S, x3[xo3 + k]);
                    i3 = wi.fma(a3, i3);
                    f3 = wf.fma(a3, f3);
                    g3 = wg.fma(a3, g3);
                    o3 = wo.fma(a3, o3);
                }
            }
            final float[] h0 = ss[j + 0];
            final int ho0 = hOffs[j + 0];
            final float[] h1 = ss[j + 1];
            final int ho1 = hOffs[j + 1];
            final float[] h2 = ss[j + 2];
            final int ho2 = hOffs[j + 2];
            final float[] h3 = ss[j + 3];
            final int ho3 = hOffs[j + 3];
            for (int k = q; k < h; k += 2) {
                int p = pb + (in + k) * stride;
                FloatVector wi = FloatVector.fromArray(S, w, p);
                FloatVector wf = FloatVector.fromArray(S, w, p + L);
                FloatVector wg = FloatVector.fromArray(S, w, p + 2 * L);
                FloatVector wo = FloatVector.fromArray(S, w, p + 3 * L);
                FloatVector a0 = FloatVector.broadcast(S, h0[ho0 + k]);
                i0 = wi.fma(a0, i0);
                f0 = wf.fma(a0, f0);
                g0 = wg.fma(a0, g0);
                o0 = wo.fma(a0, o0);
                FloatVector a1 = FloatVector.broadcast(S, h1[ho1 + k]);
                i1 = wi.fma(a1, i1);
                f1 = wf.fma(a1, f1);
                g1 = wg.fma(a1, g1);
                o1 = wo.fma(a1, o1);
                FloatVector a2 = FloatVector.broadcast(S, h2[ho2 + k]);
                i2 = wi.fma(a2, i2);
                f2 = wf.fma(a2, f2);
                g2 = wg.fma(a2, g2);
                o2 = wo.fma(a2, o2);
                FloatVector a3 = FloatVector.broadcast(S, h3[ho3 + k]);
                i3 = wi.fma(a3, i3);
                f3 = wf.fma(a3, f3);
                g3 = wg.fma(a3, g3);
                o3 = wo.fma(a3, o3);
            }
            if (q == 0) {
                int r0 = (j + 0) * per + ob;
                i0.intoArray(out, r0);
                f0.intoArray(out, r0 + L);
                g0.intoArray(out, r0 + 2 * L);
                o0.intoArray(out, r0 + 3 * L);
                int r1 = (j + 1) * per + ob;
                i1.intoArray(out, r1);
                f1.intoArray(out, r1 + L);
                g1.intoArray(out, r1 + 2 * L);
                o1.intoArray(out, r1 + 3 * L);
                int r2 = (j + 2) * per + ob;
                i2.intoArray(out, r2);
                f2.intoArray(out, r2 + L);
                g2.intoArray(out, r2 + 2 * L);
                o2.intoArray(out, r2 + 3 * L);
                int r3 = (j + 3) * per + ob;
                i3.intoArray(out, r3);
                f3.intoArray(out, r3 + L);
                g3.intoArray(out, r3 + 2 * L);
                o3.intoArray(out, r3 + 3 * L);
            } else { // p0 + p1, as the single step's i0.add(i1)
                int r0 = (j + 0) * per + ob;
                FloatVector.fromArray(S, out, r0).add(i0).intoArray(out, r0);
                FloatVector.fromArray(S, out, r0 + L).add(f0).intoArray(out, r0 + L);
                FloatVector.fromArray(S, out, r0 + 2 * L).add(g0).intoArray(out, r0 + 2 * L);
                FloatVector.fromArray(S, out, r0 + 3 * L).add(o0).intoArray(out, r0 + 3 * L);
                int r1 = (j + 1) * per + ob;
                FloatVector.fromArray(S, out, r1).add(i1).intoArray(out, r1);
                FloatVector.fromArray(S, out, r1 + L).add(f1).intoArray(out, r1 + L);
                FloatVector.fromArray(S, out, r1 + 2 * L).add(g1).intoArray(out, r1 + 2 * L);
                FloatVector.fromArray(S, out, r1 + 3 * L).add(o1).intoArray(out, r1 + 3 * L);
                int r2 = (j + 2) * per + ob;
                FloatVector.fromArray(S, out, r2).add(i2).intoArray(out, r2);
                FloatVector.fromArray(S, out, r2 + L).add(f2).intoArray(out, r2 + L);
                FloatVector.fromArray(S, out, r2 + 2 * L).add(g2).intoArray(out, r2 + 2 * L);
                FloatVector.fromArray(S, out, r2 + 3 * L).add(o2).intoArray(out, r2 + 3 * L);
                int r3 = (j + 3) * per + ob;
                FloatVector.fromArray(S, out, r3).add(i3).intoArray(out, r3);
                FloatVector.fromArray(S, out, r3 + L).add(f3).intoArray(out, r3 + L);
                FloatVector.fromArray(S, out, r3 + 2 * L).add(g3).intoArray(out, r3 + 2 * L);
                FloatVector.fromArray(S, out, r3 + 3 * L).add(o3).intoArray(out, r3 + 3 * L);
            }
        }

        /** From the gates' tanh values (i, f, o of the halved pre-activations): c' and h'. */
        private static void cell(float[] t, int p, float[] hs, int hAt, float[] cs, int cAt) {
            FloatVector i = sigmoidFromTanh(FloatVector.fromArray(S, t, p));
            FloatVector f = sigmoidFromTanh(FloatVector.fromArray(S, t, p + L));
            FloatVector g = FloatVector.fromArray(S, t, p + 2 * L);
            FloatVector o = sigmoidFromTanh(FloatVector.fromArray(S, t, p + 3 * L));
            FloatVector c = f.fma(FloatVector.fromArray(S, cs, cAt), i.mul(g));
            c.intoArray(cs, cAt);
            o.mul(tanh(c)).intoArray(hs, hAt);
        }
    }

    // ---- GRU ---------------------------------------------------------------------------------

    /**
     * Slots for x: r, z, n_x; for h: r, z, n_h (r and z halved). Scratch: [block][r, z][L] pre-activations
     * (summed over x and h), then [block][n_x, n_h][L], then L floats for the partial block's h.
     */
    static final class Gru implements LayerKernel, GateMatVec, BatchMatVec {
        private final int in;
        private final int h;
        private final int blocks;
        private final int fullBlocks;
        private final float[] w;
        private final float[] bias;

        Gru(LayerWeights lw) {
            in = lw.inputSize();
            h = lw.hiddenSize();
            blocks = blocks(h);
            fullBlocks = h / L;
            int[] gates = {0, 1, 2};
            float[] scale = {0.5f, 0.5f, 1f};
            w = pack(lw, gates, gates, scale);
            float[] bih = lw.biasIh();
            float[] bhh = lw.biasHh();
            bias = packBias(h, 4, (slot, unit) -> switch (slot) {
                case 0, 1 -> 0.5f * (bih[slot * h + unit] + bhh[slot * h + unit]);
                case 2 -> bih[2 * h + unit];
                default -> bhh[2 * h + unit];
            });
        }

        @Override
        public int scratchSize() {
            return blocks * 4 * L + L;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] scratch) {
            matVec(x, xOff, s, hOff, scratch);
            activate(s, hOff, scratch, 0);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] scratch) {
            matVec(null, 0, index, s, hOff, scratch, 0);
            activate(s, hOff, scratch, 0);
        }

        @Override
        public void matVec(float[] x, int xOff, float[] s, int hOff, float[] out) {
            matVec(x, xOff, -1, s, hOff, out, 0);
        }

        /** As above; {@code oneHot} ≥ 0: x is that one-hot vector (see {@link Lstm}). */
        private void matVec(float[] x, int xOff, int oneHot, float[] s, int hOff, float[] out, int oo) {
            final float[] w = this.w;
            final int in = this.in;
            final int h = this.h;
            final int stride = 3 * L;
            int p = 0;
            for (int b = 0; b < blocks; b++) {
                int ob = b * 4 * L;
                FloatVector r0 = FloatVector.fromArray(S, bias, ob);
                FloatVector z0 = FloatVector.fromArray(S, bias, ob + L);
                FloatVector n0 = FloatVector.fromArray(S, bias, ob + 2 * L);
                FloatVector r1 = FloatVector.zero(S);
                FloatVector z1 = FloatVector.zero(S);
                FloatVector n1 = FloatVector.zero(S);
                int k = 0;
                if (oneHot >= 0) {
                    int c = p + oneHot * stride;
                    if ((oneHot & 1) == 0) {
                        r0 = r0.add(FloatVector.fromArray(S, w, c));
                        z0 = z0.add(FloatVector.fromArray(S, w, c + L));
                        n0 = n0.add(FloatVector.fromArray(S, w, c + 2 * L));
                    } else {
                        r1 = r1.add(FloatVector.fromArray(S, w, c));
                        z1 = z1.add(FloatVector.fromArray(S, w, c + L));
                        n1 = n1.add(FloatVector.fromArray(S, w, c + 2 * L));
                    }
                    p += in * stride;
                    k = in;
                }
                for (; k + 1 < in; k += 2, p += 2 * stride) {
                    FloatVector a = FloatVector.broadcast(S, x[xOff + k]);
                    FloatVector c = FloatVector.broadcast(S, x[xOff + k + 1]);
                    r0 = FloatVector.fromArray(S, w, p).fma(a, r0);
                    z0 = FloatVector.fromArray(S, w, p + L).fma(a, z0);
                    n0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, n0);
                    r1 = FloatVector.fromArray(S, w, p + 3 * L).fma(c, r1);
                    z1 = FloatVector.fromArray(S, w, p + 4 * L).fma(c, z1);
                    n1 = FloatVector.fromArray(S, w, p + 5 * L).fma(c, n1);
                }
                if (k < in) {
                    FloatVector a = FloatVector.broadcast(S, x[xOff + k]);
                    r0 = FloatVector.fromArray(S, w, p).fma(a, r0);
                    z0 = FloatVector.fromArray(S, w, p + L).fma(a, z0);
                    n0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, n0);
                    p += stride;
                }
                int nb = blocks * 2 * L + b * 2 * L;
                n0.add(n1).intoArray(out, oo + nb);
                n0 = FloatVector.fromArray(S, bias, ob + 3 * L);
                n1 = FloatVector.zero(S);
                k = 0;
                for (; k + 1 < h; k += 2, p += 2 * stride) {
                    FloatVector a = FloatVector.broadcast(S, s[hOff + k]);
                    FloatVector c = FloatVector.broadcast(S, s[hOff + k + 1]);
                    r0 = FloatVector.fromArray(S, w, p).fma(a, r0);
                    z0 = FloatVector.fromArray(S, w, p + L).fma(a, z0);
                    n0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, n0);
                    r1 = FloatVector.fromArray(S, w, p + 3 * L).fma(c, r1);
                    z1 = FloatVector.fromArray(S, w, p + 4 * L).fma(c, z1);
                    n1 = FloatVector.fromArray(S, w, p + 5 * L).fma(c, n1);
                }
                if (k < h) {
                    FloatVector a = FloatVector.broadcast(S, s[hOff + k]);
                    r0 = FloatVector.fromArray(S, w, p).fma(a, r0);
                    z0 = FloatVector.fromArray(S, w, p + L).fma(a, z0);
                    n0 = FloatVector.fromArray(S, w, p + 2 * L).fma(a, n0);
                    p += stride;
                }
                r0.add(r1).intoArray(out, oo + b * 2 * L);
                z0.add(z1).intoArray(out, oo + b * 2 * L + L);
                n0.add(n1).intoArray(out, oo + nb + L);
            }
        }

        private void activate(float[] s, int hOff, float[] scratch, int so) {
            tanhInPlace(scratch, so, blocks * 2 * L);
            for (int b = 0; b < fullBlocks; b++) {
                cell(scratch, so + b * 2 * L, so + blocks * 2 * L + b * 2 * L, s, hOff + b * L);
            }
            if (fullBlocks < blocks) {
                tail(s, hOff, scratch, so);
            }
        }

        private void tail(float[] s, int hOff, float[] scratch, int so) {
            int u = fullBlocks * L;
            int n = h - u;
            int t = so + blocks * 4 * L;
            System.arraycopy(s, hOff + u, scratch, t, n);
            cell(scratch, so + fullBlocks * 2 * L, so + blocks * 2 * L + fullBlocks * 2 * L, scratch, t);
            System.arraycopy(scratch, t, s, hOff + u, n);
        }


        // ---- batched step (LayerKernel.stepBatch) ----

        @Override
        public int batchScratchSize(int n) {
            return n * scratchSize();
        }

        @Override
        public void stepBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, int[] cOffs,
                              float[] scratch) {
            matVecBatch(n, xs, xOffs, null, ss, hOffs, scratch);
            activateBatch(n, ss, hOffs, cOffs, scratch);
        }

        @Override
        public void stepOneHotBatch(int n, int[] indices, float[][] ss, int[] hOffs, int[] cOffs, float[] scratch) {
            matVecBatch(n, null, null, indices, ss, hOffs, scratch);
            activateBatch(n, ss, hOffs, cOffs, scratch);
        }

        @Override
        public void matVecBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, float[] out) {
            matVecBatch(n, xs, xOffs, null, ss, hOffs, out);
        }

        /**
         * Key j's pre-activations into its own area of the scratch, {@code [j·per, (j+1)·per)}, laid out as the
         * single step's. Block by block (the block's weights stay in L1 while every key passes over them),
         * four keys at a time; then the rest one at a time, each as the single step does it. As for the
         * LSTM the two partial sums are computed one after the other (12 accumulators: four keys' r, z and n);
         * n_x is stored after the x terms and n restarts at b_hn (or zero) for the h terms, as in the single
         * step; the second pass adds the first from the scratch: p0 + p1.
         */
        private void matVecBatch(int n, float[][] xs, int[] xOffs, int[] oneHot, float[][] ss, int[] hOffs,
                                 float[] out) {
            final int per = scratchSize();
            for (int b = 0; b < blocks; b++) {
                for (int j = 0; j + 4 <= n; j += 4) {
                    group4(b, 0, j, xs, xOffs, oneHot, ss, hOffs, out, per);
                    group4(b, 1, j, xs, xOffs, oneHot, ss, hOffs, out, per);
                }
            }
            for (int j = n & ~3; j < n; j++) { // the rest one by one, as the single step (all blocks)
                matVec(xs == null ? null : xs[j], xs == null ? 0 : xOffs[j], oneHot == null ? -1 : oneHot[j], ss[j],
                        hOffs[j], out, j * per);
            }
        }

        private void activateBatch(int n, float[][] ss, int[] hOffs, int[] cOffs, float[] scratch) {
            final int per = scratchSize();
            for (int j = 0; j < n; j++) {
                activate(ss[j], hOffs[j], scratch, j * per);
            }
        }

        /** Keys j..j+3, block b, partial q: see matVecBatch. */
        private void group4(int b, int q, int j, float[][] xs, int[] xOffs, int[] oneHot, float[][] ss, int[] hOffs,
                            float[] out, int per) {
            final float[] w = this.w;
            final int in = this.in;
            final int h = this.h;
            final int stride = 3 * L;
            final int pb = b * (in + h) * stride;
            final int ob = b * 4 * L;
            FloatVector br = q == 0 ? FloatVector.fromArray(S, bias, ob) : FloatVector.zero(S);
            FloatVector bz = q == 0 ? FloatVector.fromArray(S, bias, ob + L) : FloatVector.zero(S);
            FloatVector bn = q == 0 ? FloatVector.fromArray(S, bias, ob + 2 * L) : FloatVector.zero(S);
            FloatVector r0 = br, r1 = br, r2 = br, r3 = br;
            FloatVector z0 = bz, z1 = bz, z2 = bz, z3 = bz;
            FloatVector n0 = bn, n1 = bn, n2 = bn, n3 = bn;
            if (oneHot != null) {
                int c0 = oneHot[j + 0];
                if ((c0 & 1) == q) {
                    int p = pb + c0 * stride;
                    r0 = r0.add(FloatVector.fromArray(S, w, p));
                    z0 = z0.add(FloatVector.fromArray(S, w, p + L));
                    n0 = n0.add(FloatVector.fromArray(S, w, p + 2 * L));
                }
                int c1 = oneHot[j + 1];
                if ((c1 & 1) == q) {
                    int p = pb + c1 * stride;
                    r1 = r1.add(FloatVector.fromArray(S, w, p));
                    z1 = z1.add(FloatVector.fromArray(S, w, p + L));
                    n1 = n1.add(FloatVector.fromArray(S, w, p + 2 * L));
                }
                int c2 = oneHot[j + 2];
                if ((c2 & 1) == q) {
                    int p = pb + c2 * stride;
                    r2 = r2.add(FloatVector.fromArray(S, w, p));
                    z2 = z2.add(FloatVector.fromArray(S, w, p + L));
                    n2 = n2.add(FloatVector.fromArray(S, w, p + 2 * L));
                }
                int c3 = oneHot[j + 3];
                if ((c3 & 1) == q) {
                    int p = pb + c3 * stride;
                    r3 = r3.add(FloatVector.fromArray(S, w, p));
                    z3 = z3.add(FloatVector.fromArray(S, w, p + L));
                    n3 = n3.add(FloatVector.fromArray(S, w, p + 2 * L));
                }
            } else {
                final float[] x0 = xs[j + 0];
                final int xo0 = xOffs[j + 0];
                final float[] x1 = xs[j + 1];
                final int xo1 = xOffs[j + 1];
                final float[] x2 = xs[j + 2];
                final int xo2 = xOffs[j + 2];
                final float[] x3 = xs[j + 3];
                final int xo3 = xOffs[j + 3];
                for (int k = q; k < in; k += 2) {
                    int p = pb + k * stride;
                    FloatVector wr = FloatVector.fromArray(S, w, p);
                    FloatVector wz = FloatVector.fromArray(S, w, p + L);
                    FloatVector wn = FloatVector.fromArray(S, w, p + 2 * L);
                    FloatVector a0 = FloatVector.broadcast(S, x0[xo0 + k]);
                    r0 = wr.fma(a0, r0);
                    z0 = wz.fma(a0, z0);
                    n0 = wn.fma(a0, n0);
                    FloatVector a1 = FloatVector.broadcast(S, x1[xo1 + k]);
                    r1 = wr.fma(a1, r1);
                    z1 = wz.fma(a1, z1);
                    n1 = wn.fma(a1, n1);
                    FloatVector a2 = FloatVector.broadcast(S, x2[xo2 + k]);
                    r2 = wr.fma(a2, r2);
                    z2 = wz.fma(a2, z2);
                    n2 = wn.fma(a2, n2);
                    FloatVector a3 = FloatVector.broadcast(S, x3[xo3 + k]);
                    r3 = wr.fma(a3, r3);
                    z3 = wz.fma(a3, z3);
                    n3 = wn.fma(a3, n3);
                }
            }
            // n_x done: stored (q = 0) or added to the stored p0; n restarts for n_h at b_hn (q = 0) or zero
            final int nb = blocks * 2 * L + b * 2 * L;
            if (q == 0) {
                n0.intoArray(out, (j + 0) * per + nb);
                n1.intoArray(out, (j + 1) * per + nb);
                n2.intoArray(out, (j + 2) * per + nb);
                n3.intoArray(out, (j + 3) * per + nb);
            } else {
                FloatVector.fromArray(S, out, (j + 0) * per + nb).add(n0).intoArray(out, (j + 0) * per + nb);
                FloatVector.fromArray(S, out, (j + 1) * per + nb).add(n1).intoArray(out, (j + 1) * per + nb);
                FloatVector.fromArray(S, out, (j + 2) * per + nb).add(n2).intoArray(out, (j + 2) * per + nb);
                FloatVector.fromArray(S, out, (j + 3) * per + nb).add(n3).intoArray(out, (j + 3) * per + nb);
            }
            bn = q == 0 ? FloatVector.fromArray(S, bias, ob + 3 * L) : FloatVector.zero(S);
            n0 = bn; n1 = bn; n2 = bn; n3 = bn;
            final float[] h0 = ss[j + 0];
            final int ho0 = hOffs[j + 0];
            final float[] h1 = ss[j + 1];
            final int ho1 = hOffs[j + 1];
            final float[] h2 = ss[j + 2];
            final int ho2 = hOffs[j + 2];
            final float[] h3 = ss[j + 3];
            final int ho3 = hOffs[j + 3];
            for (int k = q; k < h; k += 2) {
                int p = pb + (in + k) * stride;
                FloatVector wr = FloatVector.fromArray(S, w, p);
                FloatVector wz = FloatVector.fromArray(S, w, p + L);
                FloatVector wn = FloatVector.fromArray(S, w, p + 2 * L);
                FloatVector a0 = FloatVector.broadcast(S, h0[ho0 + k]);
                r0 = wr.fma(a0, r0);
                z0 = wz.fma(a0, z0);
                n0 = wn.fma(a0, n0);
                FloatVector a1 = FloatVector.broadcast(S, h1[ho1 + k]);
                r1 = wr.fma(a1, r1);
                z1 = wz.fma(a1, z1);
                n1 = wn.fma(a1, n1);
                FloatVector a2 = FloatVector.broadcast(S, h2[ho2 + k]);
                r2 = wr.fma(a2, r2);
                z2 = wz.fma(a2, z2);
                n2 = wn.fma(a2, n2);
                FloatVector a3 = FloatVector.broadcast(S, h3[ho3 + k]);
                r3 = wr.fma(a3, r3);
                z3 = wz.fma(a3, z3);
                n3 = wn.fma(a3, n3);
            }
            if (q == 0) {
                int e0 = (j + 0) * per + b * 2 * L;
                int m0 = (j + 0) * per + nb + L;
                r0.intoArray(out, e0);
                z0.intoArray(out, e0 + L);
                n0.intoArray(out, m0);
                int e1 = (j + 1) * per + b * 2 * L;
                int m1 = (j + 1) * per + nb + L;
                r1.intoArray(out, e1);
                z1.intoArray(out, e1 + L);
                n1.intoArray(out, m1);
                int e2 = (j + 2) * per + b * 2 * L;
                int m2 = (j + 2) * per + nb + L;
                r2.intoArray(out, e2);
                z2.intoArray(out, e2 + L);
                n2.intoArray(out, m2);
                int e3 = (j + 3) * per + b * 2 * L;
                int m3 = (j + 3) * per + nb + L;
                r3.intoArray(out, e3);
                z3.intoArray(out, e3 + L);
                n3.intoArray(out, m3);
            } else {
                int e0 = (j + 0) * per + b * 2 * L;
                int m0 = (j + 0) * per + nb + L;
                FloatVector.fromArray(S, out, e0).add(r0).intoArray(out, e0);
                FloatVector.fromArray(S, out, e0 + L).add(z0).intoArray(out, e0 + L);
                FloatVector.fromArray(S, out, m0).add(n0).intoArray(out, m0);
                int e1 = (j + 1) * per + b * 2 * L;
                int m1 = (j + 1) * per + nb + L;
                FloatVector.fromArray(S, out, e1).add(r1).intoArray(out, e1);
                FloatVector.fromArray(S, out, e1 + L).add(z1).intoArray(out, e1 + L);
                FloatVector.fromArray(S, out, m1).add(n1).intoArray(out, m1);
                int e2 = (j + 2) * per + b * 2 * L;
                int m2 = (j + 2) * per + nb + L;
                FloatVector.fromArray(S, out, e2).add(r2).intoArray(out, e2);
                FloatVector.fromArray(S, out, e2 + L).add(z2).intoArray(out, e2 + L);
                FloatVector.fromArray(S, out, m2).add(n2).intoArray(out, m2);
                int e3 = (j + 3) * per + b * 2 * L;
                int m3 = (j + 3) * per + nb + L;
                FloatVector.fromArray(S, out, e3).add(r3).intoArray(out, e3);
                FloatVector.fromArray(S, out, e3 + L).add(z3).intoArray(out, e3 + L);
                FloatVector.fromArray(S, out, m3).add(n3).intoArray(out, m3);
            }
        }

        /** From tanh of the halved r, z pre-activations at p and n_x, n_h at q: h'. */
        private static void cell(float[] pre, int p, int q, float[] hs, int hAt) {
            FloatVector r = sigmoidFromTanh(FloatVector.fromArray(S, pre, p));
            FloatVector z = sigmoidFromTanh(FloatVector.fromArray(S, pre, p + L));
            FloatVector nx = FloatVector.fromArray(S, pre, q);
            FloatVector nh = FloatVector.fromArray(S, pre, q + L);
            FloatVector n = tanh(r.fma(nh, nx));
            FloatVector hPrev = FloatVector.fromArray(S, hs, hAt);
            // (1 - z)·n + z·h = n + z·(h - n)
            z.fma(hPrev.sub(n), n).intoArray(hs, hAt);
        }
    }

    // ---- RNN ---------------------------------------------------------------------------------

    /** One gate; k unrolled by four for independent accumulators. Scratch: [block][L] + L. */
    static final class Rnn implements LayerKernel, GateMatVec, BatchMatVec {
        private final int in;
        private final int h;
        private final int blocks;
        private final int fullBlocks;
        private final boolean relu;
        private final float[] w;
        private final float[] bias;

        Rnn(LayerWeights lw) {
            in = lw.inputSize();
            h = lw.hiddenSize();
            blocks = blocks(h);
            fullBlocks = h / L;
            relu = lw.cell() == CellType.RNN_RELU;
            w = pack(lw, new int[] {0}, new int[] {0}, new float[] {1f});
            float[] bih = lw.biasIh();
            float[] bhh = lw.biasHh();
            bias = packBias(h, 1, (slot, unit) -> bih[unit] + bhh[unit]);
        }

        @Override
        public int scratchSize() {
            return blocks * L + L;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] scratch) {
            matVec(x, xOff, s, hOff, scratch);
            activate(s, hOff, scratch, 0);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] scratch) {
            matVec(null, 0, index, s, hOff, scratch, 0);
            activate(s, hOff, scratch, 0);
        }

        @Override
        public void matVec(float[] x, int xOff, float[] s, int hOff, float[] out) {
            matVec(x, xOff, -1, s, hOff, out, 0);
        }

        /**
         * As above; {@code oneHot} ≥ 0: x is that one-hot vector, its column added to the accumulator the
         * x loop would have used (k mod 4 in the unrolled part, 0 in the tail).
         */
        private void matVec(float[] x, int xOff, int oneHot, float[] s, int hOff, float[] out, int oo) {
            final float[] w = this.w;
            int p = 0;
            for (int b = 0; b < blocks; b++) {
                FloatVector a0 = FloatVector.fromArray(S, bias, b * L);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                int k = 0;
                if (oneHot >= 0) {
                    FloatVector col = FloatVector.fromArray(S, w, p + oneHot * L);
                    int lane = oneHot < (in & ~3) ? oneHot & 3 : 0;
                    if (lane == 0) {
                        a0 = a0.add(col);
                    } else if (lane == 1) {
                        a1 = a1.add(col);
                    } else if (lane == 2) {
                        a2 = a2.add(col);
                    } else {
                        a3 = a3.add(col);
                    }
                    p += in * L;
                    k = in;
                }
                for (; k + 3 < in; k += 4, p += 4 * L) {
                    a0 = FloatVector.fromArray(S, w, p).fma(FloatVector.broadcast(S, x[xOff + k]), a0);
                    a1 = FloatVector.fromArray(S, w, p + L).fma(FloatVector.broadcast(S, x[xOff + k + 1]), a1);
                    a2 = FloatVector.fromArray(S, w, p + 2 * L).fma(FloatVector.broadcast(S, x[xOff + k + 2]), a2);
                    a3 = FloatVector.fromArray(S, w, p + 3 * L).fma(FloatVector.broadcast(S, x[xOff + k + 3]), a3);
                }
                for (; k < in; k++, p += L) {
                    a0 = FloatVector.fromArray(S, w, p).fma(FloatVector.broadcast(S, x[xOff + k]), a0);
                }
                k = 0;
                for (; k + 3 < h; k += 4, p += 4 * L) {
                    a0 = FloatVector.fromArray(S, w, p).fma(FloatVector.broadcast(S, s[hOff + k]), a0);
                    a1 = FloatVector.fromArray(S, w, p + L).fma(FloatVector.broadcast(S, s[hOff + k + 1]), a1);
                    a2 = FloatVector.fromArray(S, w, p + 2 * L).fma(FloatVector.broadcast(S, s[hOff + k + 2]), a2);
                    a3 = FloatVector.fromArray(S, w, p + 3 * L).fma(FloatVector.broadcast(S, s[hOff + k + 3]), a3);
                }
                for (; k < h; k++, p += L) {
                    a0 = FloatVector.fromArray(S, w, p).fma(FloatVector.broadcast(S, s[hOff + k]), a0);
                }
                a0.add(a1).add(a2.add(a3)).intoArray(out, oo + b * L);
            }
        }

        private void activate(float[] s, int hOff, float[] scratch, int so) {
            for (int b = 0; b < fullBlocks; b++) {
                cell(scratch, so + b * L, s, hOff + b * L, relu);
            }
            if (fullBlocks < blocks) {
                int u = fullBlocks * L;
                int t = so + blocks * L;
                cell(scratch, so + u, scratch, t, relu);
                System.arraycopy(scratch, t, s, hOff + u, h - u);
            }
        }


        // ---- batched step (LayerKernel.stepBatch) ----

        @Override
        public int batchScratchSize(int n) {
            return n * scratchSize();
        }

        @Override
        public void stepBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, int[] cOffs,
                              float[] scratch) {
            matVecBatch(n, xs, xOffs, null, ss, hOffs, scratch);
            activateBatch(n, ss, hOffs, cOffs, scratch);
        }

        @Override
        public void stepOneHotBatch(int n, int[] indices, float[][] ss, int[] hOffs, int[] cOffs, float[] scratch) {
            matVecBatch(n, null, null, indices, ss, hOffs, scratch);
            activateBatch(n, ss, hOffs, cOffs, scratch);
        }

        @Override
        public void matVecBatch(int n, float[][] xs, int[] xOffs, float[][] ss, int[] hOffs, float[] out) {
            matVecBatch(n, xs, xOffs, null, ss, hOffs, out);
        }

        /**
         * Key j's pre-activations into its own area of the scratch, {@code [j·per, (j+1)·per)}, laid out as the
         * single step's. Block by block (the block's weights stay in L1 while every key passes over them),
         * four keys at a time (four partials each: 16 accumulators); then the rest one at a time, each as the single
         * step does it.
         */
        private void matVecBatch(int n, float[][] xs, int[] xOffs, int[] oneHot, float[][] ss, int[] hOffs,
                                 float[] out) {
            final int per = scratchSize();
            for (int b = 0; b < blocks; b++) {
                for (int j = 0; j + 4 <= n; j += 4) {
                    group4(b, j, xs, xOffs, oneHot, ss, hOffs, out, per);
                }
            }
            for (int j = n & ~3; j < n; j++) { // the rest one by one, as the single step (all blocks)
                matVec(xs == null ? null : xs[j], xs == null ? 0 : xOffs[j], oneHot == null ? -1 : oneHot[j], ss[j],
                        hOffs[j], out, j * per);
            }
        }

        private void activateBatch(int n, float[][] ss, int[] hOffs, int[] cOffs, float[] scratch) {
            final int per = scratchSize();
            for (int j = 0; j < n; j++) {
                activate(ss[j], hOffs[j], scratch, j * per);
            }
        }

        /** Keys j..j+3, block b, all four partials at once (the single step's order per key). */
        private void group4(int b, int j, float[][] xs, int[] xOffs, int[] oneHot, float[][] ss, int[] hOffs,
                            float[] out, int per) {
            final float[] w = this.w;
            final int in = this.in;
            final int h = this.h;
            final int pb = b * (in + h) * L;
            FloatVector bb = FloatVector.fromArray(S, bias, b * L);
            FloatVector zz = FloatVector.zero(S);
            FloatVector a0 = bb, a1 = bb, a2 = bb, a3 = bb;
            FloatVector b0 = zz, b1 = zz, b2 = zz, b3 = zz;
            FloatVector c0v = zz, c1v = zz, c2v = zz, c3v = zz;
            FloatVector d0 = zz, d1 = zz, d2 = zz, d3 = zz;
            int k = 0;
            if (oneHot != null) {
                int c0 = oneHot[j + 0];
                FloatVector col0 = FloatVector.fromArray(S, w, pb + c0 * L);
                int lane0 = c0 < (in & ~3) ? c0 & 3 : 0;
                if (lane0 == 0) {
                    a0 = a0.add(col0);
                } else if (lane0 == 1) {
                    b0 = b0.add(col0);
                } else if (lane0 == 2) {
                    c0v = c0v.add(col0);
                } else {
                    d0 = d0.add(col0);
                }
                int c1 = oneHot[j + 1];
                FloatVector col1 = FloatVector.fromArray(S, w, pb + c1 * L);
                int lane1 = c1 < (in & ~3) ? c1 & 3 : 0;
                if (lane1 == 0) {
                    a1 = a1.add(col1);
                } else if (lane1 == 1) {
                    b1 = b1.add(col1);
                } else if (lane1 == 2) {
                    c1v = c1v.add(col1);
                } else {
                    d1 = d1.add(col1);
                }
                int c2 = oneHot[j + 2];
                FloatVector col2 = FloatVector.fromArray(S, w, pb + c2 * L);
                int lane2 = c2 < (in & ~3) ? c2 & 3 : 0;
                if (lane2 == 0) {
                    a2 = a2.add(col2);
                } else if (lane2 == 1) {
                    b2 = b2.add(col2);
                } else if (lane2 == 2) {
                    c2v = c2v.add(col2);
                } else {
                    d2 = d2.add(col2);
                }
                int c3 = oneHot[j + 3];
                FloatVector col3 = FloatVector.fromArray(S, w, pb + c3 * L);
                int lane3 = c3 < (in & ~3) ? c3 & 3 : 0;
                if (lane3 == 0) {
                    a3 = a3.add(col3);
                } else if (lane3 == 1) {
                    b3 = b3.add(col3);
                } else if (lane3 == 2) {
                    c3v = c3v.add(col3);
                } else {
                    d3 = d3.add(col3);
                }
            } else {
                final float[] x0 = xs[j + 0];
                final int xo0 = xOffs[j + 0];
                final float[] x1 = xs[j + 1];
                final int xo1 = xOffs[j + 1];
                final float[] x2 = xs[j + 2];
                final int xo2 = xOffs[j + 2];
                final float[] x3 = xs[j + 3];
                final int xo3 = xOffs[j + 3];
                for (; k + 3 < in; k += 4) {
                    int p = pb + k * L;
                    FloatVector w0 = FloatVector.fromArray(S, w, p);
                    FloatVector w1 = FloatVector.fromArray(S, w, p + L);
                    FloatVector w2 = FloatVector.fromArray(S, w, p + 2 * L);
                    FloatVector w3 = FloatVector.fromArray(S, w, p + 3 * L);
                    a0 = w0.fma(FloatVector.broadcast(S, x0[xo0 + k + 0]), a0);
                    b0 = w1.fma(FloatVector.broadcast(S, x0[xo0 + k + 1]), b0);
                    c0v = w2.fma(FloatVector.broadcast(S, x0[xo0 + k + 2]), c0v);
                    d0 = w3.fma(FloatVector.broadcast(S, x0[xo0 + k + 3]), d0);
                    a1 = w0.fma(FloatVector.broadcast(S, x1[xo1 + k + 0]), a1);
                    b1 = w1.fma(FloatVector.broadcast(S, x1[xo1 + k + 1]), b1);
                    c1v = w2.fma(FloatVector.broadcast(S, x1[xo1 + k + 2]), c1v);
                    d1 = w3.fma(FloatVector.broadcast(S, x1[xo1 + k + 3]), d1);
                    a2 = w0.fma(FloatVector.broadcast(S, x2[xo2 + k + 0]), a2);
                    b2 = w1.fma(FloatVector.broadcast(S, x2[xo2 + k + 1]), b2);
                    c2v = w2.fma(FloatVector.broadcast(S, x2[xo2 + k + 2]), c2v);
                    d2 = w3.fma(FloatVector.broadcast(S, x2[xo2 + k + 3]), d2);
                    a3 = w0.fma(FloatVector.broadcast(S, x3[xo3 + k + 0]), a3);
                    b3 = w1.fma(FloatVector.broadcast(S, x3[xo3 + k + 1]), b3);
                    c3v = w2.fma(FloatVector.broadcast(S, x3[xo3 + k + 2]), c3v);
                    d3 = w3.fma(FloatVector.broadcast(S, x3[xo3 + k + 3]), d3);
                }
                for (; k < in; k++) {
                    FloatVector w0 = FloatVector.fromArray(S, w, pb + k * L);
                    a0 = w0.fma(FloatVector.broadcast(S, x0[xo0 + k]), a0);
                    a1 = w0.fma(FloatVector.broadcast(S, x1[xo1 + k]), a1);
                    a2 = w0.fma(FloatVector.broadcast(S, x2[xo2 + k]), a2);
                    a3 = w0.fma(FloatVector.broadcast(S, x3[xo3 + k]), a3);
                }
            }
            final int ph = pb + in * L;
            final float[] h0 = ss[j + 0];
            final int ho0 = hOffs[j + 0];
            final float[] h1 = ss[j + 1];
            final int ho1 = hOffs[j + 1];
            final float[] h2 = ss[j + 2];
            final int ho2 = hOffs[j + 2];
            final float[] h3 = ss[j + 3];
            final int ho3 = hOffs[j + 3];
            k = 0;
            for (; k + 3 < h; k += 4) {
                int p = ph + k * L;
                FloatVector w0 = FloatVector.fromArray(S, w, p);
                FloatVector w1 = FloatVector.fromArray(S, w, p + L);
                FloatVector w2 = FloatVector.fromArray(S, w, p + 2 * L);
                FloatVector w3 = FloatVector.fromArray(S, w, p + 3 * L);
                a0 = w0.fma(FloatVector.broadcast(S, h0[ho0 + k + 0]), a0);
                b0 = w1.fma(FloatVector.broadcast(S, h0[ho0 + k + 1]), b0);
                c0v = w2.fma(FloatVector.broadcast(S, h0[ho0 + k + 2]), c0v);
                d0 = w3.fma(FloatVector.broadcast(S, h0[ho0 + k + 3]), d0);
                a1 = w0.fma(FloatVector.broadcast(S, h1[ho1 + k + 0]), a1);
                b1 = w1.fma(FloatVector.broadcast(S, h1[ho1 + k + 1]), b1);
                c1v = w2.fma(FloatVector.broadcast(S, h1[ho1 + k + 2]), c1v);
                d1 = w3.fma(FloatVector.broadcast(S, h1[ho1 + k + 3]), d1);
                a2 = w0.fma(FloatVector.broadcast(S, h2[ho2 + k + 0]), a2);
                b2 = w1.fma(FloatVector.broadcast(S, h2[ho2 + k + 1]), b2);
                c2v = w2.fma(FloatVector.broadcast(S, h2[ho2 + k + 2]), c2v);
                d2 = w3.fma(FloatVector.broadcast(S, h2[ho2 + k + 3]), d2);
                a3 = w0.fma(FloatVector.broadcast(S, h3[ho3 + k + 0]), a3);
                b3 = w1.fma(FloatVector.broadcast(S, h3[ho3 + k + 1]), b3);
                c3v = w2.fma(FloatVector.broadcast(S, h3[ho3 + k + 2]), c3v);
                d3 = w3.fma(FloatVector.broadcast(S, h3[ho3 + k + 3]), d3);
            }
            for (; k < h; k++) {
                FloatVector w0 = FloatVector.fromArray(S, w, ph + k * L);
                a0 = w0.fma(FloatVector.broadcast(S, h0[ho0 + k]), a0);
                a1 = w0.fma(FloatVector.broadcast(S, h1[ho1 + k]), a1);
                a2 = w0.fma(FloatVector.broadcast(S, h2[ho2 + k]), a2);
                a3 = w0.fma(FloatVector.broadcast(S, h3[ho3 + k]), a3);
            }
            a0.add(b0).add(c0v.add(d0)).intoArray(out, (j + 0) * per + b * L);
            a1.add(b1).add(c1v.add(d1)).intoArray(out, (j + 1) * per + b * L);
            a2.add(b2).add(c2v.add(d2)).intoArray(out, (j + 2) * per + b * L);
            a3.add(b3).add(c3v.add(d3)).intoArray(out, (j + 3) * per + b * L);
        }

        private static void cell(float[] pre, int p, float[] hs, int hAt, boolean relu) {
            FloatVector a = FloatVector.fromArray(S, pre, p);
            (relu ? a.max(0f) : tanh(a)).intoArray(hs, hAt);
        }
    }

    // ---- head --------------------------------------------------------------------------------

    /**
     * y = W x + b, every row in the canonical order of {@link ScalarKernels#row16}: 16 partial sums
     * (column k into partial k mod 16, FMA chains from 0), added in a fixed tree, then the bias. The same
     * floats at every L that divides 16, two layouts:
     * <ul>
     *   <li>when the column count is a multiple of 16: blocks of L rows, the last one padded with zero rows
     *       (8 forecasts or a single one at L = 16), transposed packing ([block][col][lane], one broadcast per
     *       column), one accumulator vector per partial, the tree lane-wise; the padding lanes land in the
     *       floats after the rows ({@link #matVecOutputFloats});</li>
     *   <li>other column counts: each row a dot product along the columns, the 16 partials in 16 / L
     *       accumulators written to 16 floats of scratch after the rows and added there in the tree.</li>
     * </ul>
     * Not {@code reduceLanes}, whose order depends on the lane count.
     */
    static final class Affine implements MatVec {
        private final int rows;
        private final int cols;
        private final int blocks;
        private final float[] packed;
        private final float[] weight;
        private final float[] bias; // padded with zeros to blocks·L when there are blocks

        Affine(int rows, int cols, float[] weight, float[] bias) {
            if (weight.length != (long) rows * cols || bias.length != rows) {
                throw new IllegalArgumentException("weight must be [" + rows + ", " + cols + "], bias [" + rows + "]");
            }
            this.rows = rows;
            this.cols = cols;
            // blocks only when cols is a multiple of 16 (H = 32, 64, 128…): no tail columns in the block loop
            // (a tail there, a switch over 15 accumulators, made C2 box the vectors: 70 KB per step)
            this.blocks = cols % 16 == 0 ? (rows + L - 1) / L : 0;
            this.packed = new float[blocks * cols * L];
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < cols; k++) {
                    for (int lane = 0; lane < L && b * L + lane < rows; lane++) {
                        packed[(b * cols + k) * L + lane] = weight[(b * L + lane) * cols + k];
                    }
                }
            }
            this.weight = weight.clone();
            this.bias = java.util.Arrays.copyOf(bias, Math.max(rows, blocks * L));
        }

        @Override
        public void apply(float[] x, int xOff, float[] y, int yOff) {
            for (int b = 0; b < blocks; b++) {
                block(b, x, xOff, y, yOff);
            }
            if (blocks == 0) {
                rowsLeft(x, xOff, y, yOff);
            }
        }

        /** Rows [b·L, (b+1)·L) (padding rows give 0): one lane per row, one accumulator per partial; cols a multiple of 16. */
        private void block(int b, float[] x, int xOff, float[] y, int yOff) {
            final float[] w = this.packed;
            final int n16 = this.cols;
            int p = b * cols * L;
            FloatVector z = FloatVector.zero(S);
            FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
            FloatVector a8 = z, a9 = z, a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z;
            for (int k = 0; k < n16; k += 16, p += 16 * L) {
                a0 = FloatVector.fromArray(S, w, p).fma(FloatVector.broadcast(S, x[xOff + k]), a0);
                a1 = FloatVector.fromArray(S, w, p + L).fma(FloatVector.broadcast(S, x[xOff + k + 1]), a1);
                a2 = FloatVector.fromArray(S, w, p + 2 * L).fma(FloatVector.broadcast(S, x[xOff + k + 2]), a2);
                a3 = FloatVector.fromArray(S, w, p + 3 * L).fma(FloatVector.broadcast(S, x[xOff + k + 3]), a3);
                a4 = FloatVector.fromArray(S, w, p + 4 * L).fma(FloatVector.broadcast(S, x[xOff + k + 4]), a4);
                a5 = FloatVector.fromArray(S, w, p + 5 * L).fma(FloatVector.broadcast(S, x[xOff + k + 5]), a5);
                a6 = FloatVector.fromArray(S, w, p + 6 * L).fma(FloatVector.broadcast(S, x[xOff + k + 6]), a6);
                a7 = FloatVector.fromArray(S, w, p + 7 * L).fma(FloatVector.broadcast(S, x[xOff + k + 7]), a7);
                a8 = FloatVector.fromArray(S, w, p + 8 * L).fma(FloatVector.broadcast(S, x[xOff + k + 8]), a8);
                a9 = FloatVector.fromArray(S, w, p + 9 * L).fma(FloatVector.broadcast(S, x[xOff + k + 9]), a9);
                a10 = FloatVector.fromArray(S, w, p + 10 * L).fma(FloatVector.broadcast(S, x[xOff + k + 10]), a10);
                a11 = FloatVector.fromArray(S, w, p + 11 * L).fma(FloatVector.broadcast(S, x[xOff + k + 11]), a11);
                a12 = FloatVector.fromArray(S, w, p + 12 * L).fma(FloatVector.broadcast(S, x[xOff + k + 12]), a12);
                a13 = FloatVector.fromArray(S, w, p + 13 * L).fma(FloatVector.broadcast(S, x[xOff + k + 13]), a13);
                a14 = FloatVector.fromArray(S, w, p + 14 * L).fma(FloatVector.broadcast(S, x[xOff + k + 14]), a14);
                a15 = FloatVector.fromArray(S, w, p + 15 * L).fma(FloatVector.broadcast(S, x[xOff + k + 15]), a15);
            }
            // ScalarKernels.tree16, lane-wise
            FloatVector u0 = a0.add(a8).add(a4.add(a12));
            FloatVector u1 = a1.add(a9).add(a5.add(a13));
            FloatVector u2 = a2.add(a10).add(a6.add(a14));
            FloatVector u3 = a3.add(a11).add(a7.add(a15));
            FloatVector.fromArray(S, bias, b * L).add(u0.add(u2).add(u1.add(u3))).intoArray(y, yOff + b * L);
        }

        /** Every row a dot product along the columns (cols not a multiple of 16). */
        private void rowsLeft(float[] x, int xOff, float[] y, int yOff) {
            final float[] w = this.weight;
            final int cols = this.cols;
            final int n16 = cols & ~15;
            final int q = yOff + rows; // the 16 partial sums
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                for (int j = 0; j < 16; j += L) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int k = j; k < n16; k += 16) {
                        acc = FloatVector.fromArray(S, w, o + k).fma(FloatVector.fromArray(S, x, xOff + k), acc);
                    }
                    acc.intoArray(y, q + j);
                }
                for (int k = n16; k < cols; k++) {
                    y[q + k - n16] = Math.fma(w[o + k], x[xOff + k], y[q + k - n16]);
                }
                y[yOff + r] = bias[r] + ScalarKernels.tree16(y[q], y[q + 1], y[q + 2], y[q + 3], y[q + 4], y[q + 5],
                        y[q + 6], y[q + 7], y[q + 8], y[q + 9], y[q + 10], y[q + 11], y[q + 12], y[q + 13],
                        y[q + 14], y[q + 15]);
            }
        }
    }
}
