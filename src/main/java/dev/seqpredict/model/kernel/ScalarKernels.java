package dev.seqpredict.model.kernel;

import static dev.seqpredict.model.kernel.Activations.relu;
import static dev.seqpredict.model.kernel.Activations.sigmoid;
import static dev.seqpredict.model.kernel.Activations.tanh;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;

/**
 * Plain-Java kernels: the reference implementation of the gate equations, and the fallback when the
 * Vector API module is not present. Written to read like PyTorch's documentation of each cell.
 */
public final class ScalarKernels implements KernelFactory {

    public static final ScalarKernels INSTANCE = new ScalarKernels();

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

    @Override
    public MatVec matVec(int rows, int cols, float[] weight, float[] bias) {
        float[] wc = weight.clone();
        float[] bc = bias.clone();
        return (x, xOff, y, yOff) -> affine(wc, bc, rows, cols, x, xOff, y, yOff);
    }

    /** y = W x + b */
    static void affine(float[] w, float[] b, int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            float acc = b[r];
            int base = r * cols;
            for (int k = 0; k < cols; k++) {
                acc += w[base + k] * x[xOff + k];
            }
            y[yOff + r] = acc;
        }
    }

    /** y += W x (no bias) */
    static void accumulate(float[] w, int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            float acc = 0f;
            int base = r * cols;
            for (int k = 0; k < cols; k++) {
                acc += w[base + k] * x[xOff + k];
            }
            y[yOff + r] += acc;
        }
    }

    private abstract static class Base implements LayerKernel {
        final int in;
        final int h;
        final float[] wIh;
        final float[] wHh;
        final float[] bIh;
        final float[] bHh;

        Base(LayerWeights w) {
            in = w.inputSize();
            h = w.hiddenSize();
            wIh = w.weightIh().clone();
            wHh = w.weightHh().clone();
            bIh = w.biasIh().clone();
            bHh = w.biasHh().clone();
        }
    }

    /**
     * i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…);
     * c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
     */
    static final class Lstm extends Base {
        Lstm(LayerWeights w) {
            super(w);
        }

        @Override
        public int scratchSize() {
            return 4 * h;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] gates) {
            int rows = 4 * h;
            for (int r = 0; r < rows; r++) {
                gates[r] = bIh[r] + bHh[r];
            }
            accumulate(wIh, rows, in, x, xOff, gates, 0);
            finish(s, hOff, cOff, gates);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] gates) {
            int rows = 4 * h;
            for (int r = 0; r < rows; r++) {
                gates[r] = bIh[r] + bHh[r];
                gates[r] += wIh[r * in + index]; // W_ih x for a one-hot x
            }
            finish(s, hOff, cOff, gates);
        }

        private void finish(float[] s, int hOff, int cOff, float[] gates) {
            accumulate(wHh, 4 * h, h, s, hOff, gates, 0);
            for (int j = 0; j < h; j++) {
                float i = sigmoid(gates[j]);
                float f = sigmoid(gates[h + j]);
                float g = tanh(gates[2 * h + j]);
                float o = sigmoid(gates[3 * h + j]);
                float c = f * s[cOff + j] + i * g;
                s[cOff + j] = c;
                s[hOff + j] = o * tanh(c);
            }
        }
    }

    /**
     * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));
     * h' = (1 − z) ⊙ n + z ⊙ h.
     */
    static final class Gru extends Base {
        Gru(LayerWeights w) {
            super(w);
        }

        @Override
        public int scratchSize() {
            return 6 * h;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] scratch) {
            int rows = 3 * h;
            // scratch[0, 3H) = W_ih x + b_ih ; scratch[3H, 6H) = W_hh h + b_hh
            affine(wIh, bIh, rows, in, x, xOff, scratch, 0);
            finish(s, hOff, scratch);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] scratch) {
            int rows = 3 * h;
            for (int r = 0; r < rows; r++) {
                scratch[r] = bIh[r] + wIh[r * in + index];
            }
            finish(s, hOff, scratch);
        }

        private void finish(float[] s, int hOff, float[] scratch) {
            int rows = 3 * h;
            affine(wHh, bHh, rows, h, s, hOff, scratch, rows);
            for (int j = 0; j < h; j++) {
                float r = sigmoid(scratch[j] + scratch[rows + j]);
                float z = sigmoid(scratch[h + j] + scratch[rows + h + j]);
                float n = tanh(scratch[2 * h + j] + r * scratch[rows + 2 * h + j]);
                s[hOff + j] = (1f - z) * n + z * s[hOff + j];
            }
        }
    }

    /** h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. */
    static final class Rnn extends Base {
        private final boolean relu;

        Rnn(LayerWeights w) {
            super(w);
            relu = w.cell() == CellType.RNN_RELU;
        }

        @Override
        public int scratchSize() {
            return h;
        }

        @Override
        public void step(float[] x, int xOff, float[] s, int hOff, int cOff, float[] pre) {
            for (int r = 0; r < h; r++) {
                pre[r] = bIh[r] + bHh[r];
            }
            accumulate(wIh, h, in, x, xOff, pre, 0);
            finish(s, hOff, pre);
        }

        @Override
        public void stepOneHot(int index, float[] s, int hOff, int cOff, float[] pre) {
            for (int r = 0; r < h; r++) {
                pre[r] = bIh[r] + bHh[r];
                pre[r] += wIh[r * in + index];
            }
            finish(s, hOff, pre);
        }

        private void finish(float[] s, int hOff, float[] pre) {
            accumulate(wHh, h, h, s, hOff, pre, 0);
            for (int j = 0; j < h; j++) {
                s[hOff + j] = relu ? relu(pre[j]) : tanh(pre[j]);
            }
        }
    }
}
