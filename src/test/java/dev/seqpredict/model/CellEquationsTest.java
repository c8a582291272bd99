package dev.seqpredict.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.seqpredict.model.kernel.ScalarKernels;
import dev.seqpredict.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gate equations, written out in double precision in the test from PyTorch's documentation, against
 * the kernels. (Parity with DJL's own forward is tested separately.)
 */
class CellEquationsTest {

    private static double sig(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** in = 2, H = 2: enough to catch a transposed matrix or a swapped gate block. */
    private static final int IN = 2;
    private static final int H = 2;

    private static double dot(float[] w, int row, int cols, double[] x) {
        double s = 0;
        for (int k = 0; k < cols; k++) {
            s += w[row * cols + k] * x[k];
        }
        return s;
    }

    private static RecurrentModel model(CellType cell, LayerWeights w) {
        // identity head so the output is h itself
        ModelSpec spec = ModelSpec.of(cell, IN, H, 1, Task.REGRESSION, H);
        return RecurrentModel.create(spec, List.of(w), new float[] {1, 0, 0, 1}, new float[H], null);
    }

    @Test
    void lstmFollowsGateOrderIfgoWithSeparateBiases() {
        LayerWeights w = TestModels.layers(new Random(3), CellType.LSTM, IN, H, 1).get(0);
        double[] h = new double[H];
        double[] c = new double[H];
        double[][] xs = {{0.5, -1}, {2, 0.25}, {-0.3, 0.7}};
        RecurrentModel m = model(CellType.LSTM, w);
        float[] state = m.newState();
        float[] out = new float[H];
        for (double[] x : xs) {
            double[] nh = new double[H];
            for (int j = 0; j < H; j++) {
                double[] g = new double[4];
                for (int gate = 0; gate < 4; gate++) {
                    int row = gate * H + j;
                    g[gate] = dot(w.weightIh(), row, IN, x) + w.biasIh()[row] + dot(w.weightHh(), row, H, h) + w.biasHh()[row];
                }
                double i = sig(g[0]);
                double f = sig(g[1]);
                double gg = Math.tanh(g[2]);
                double o = sig(g[3]);
                c[j] = f * c[j] + i * gg;
                nh[j] = o * Math.tanh(c[j]);
            }
            h = nh;
            m.step(state, new float[] {(float) x[0], (float) x[1]}, out);
            for (int j = 0; j < H; j++) {
                assertThat((double) out[j]).isCloseTo(h[j], within(1e-6));
                assertThat((double) state[m.layout().cOffset(0) + j]).isCloseTo(c[j], within(1e-6));
            }
        }
    }

    @Test
    void gruAppliesResetGateInsideTheCandidate() {
        LayerWeights w = TestModels.layers(new Random(4), CellType.GRU, IN, H, 1).get(0);
        double[] h = new double[H];
        RecurrentModel m = model(CellType.GRU, w);
        float[] state = m.newState();
        float[] out = new float[H];
        for (double[] x : new double[][] {{0.5, -1}, {2, 0.25}, {-0.3, 0.7}}) {
            double[] nh = new double[H];
            for (int j = 0; j < H; j++) {
                double r = sig(dot(w.weightIh(), j, IN, x) + w.biasIh()[j] + dot(w.weightHh(), j, H, h) + w.biasHh()[j]);
                double z = sig(dot(w.weightIh(), H + j, IN, x) + w.biasIh()[H + j] + dot(w.weightHh(), H + j, H, h) + w.biasHh()[H + j]);
                double n = Math.tanh(dot(w.weightIh(), 2 * H + j, IN, x) + w.biasIh()[2 * H + j]
                        + r * (dot(w.weightHh(), 2 * H + j, H, h) + w.biasHh()[2 * H + j]));
                nh[j] = (1 - z) * n + z * h[j];
            }
            h = nh;
            m.step(state, new float[] {(float) x[0], (float) x[1]}, out);
            for (int j = 0; j < H; j++) {
                assertThat((double) out[j]).isCloseTo(h[j], within(1e-6));
            }
        }
    }

    @Test
    void rnnReluAndTanhApplyTheirNonlinearity() {
        for (CellType cell : new CellType[] {CellType.RNN_TANH, CellType.RNN_RELU}) {
            LayerWeights w = TestModels.layers(new Random(5), cell, IN, H, 1).get(0);
            double[] h = new double[H];
            RecurrentModel m = model(cell, w);
            float[] state = m.newState();
            float[] out = new float[H];
            for (double[] x : new double[][] {{0.5, -1}, {2, 0.25}, {-3, 0.7}}) {
                double[] nh = new double[H];
                for (int j = 0; j < H; j++) {
                    double pre = dot(w.weightIh(), j, IN, x) + w.biasIh()[j] + dot(w.weightHh(), j, H, h) + w.biasHh()[j];
                    nh[j] = cell == CellType.RNN_RELU ? Math.max(0, pre) : Math.tanh(pre);
                }
                h = nh;
                m.step(state, new float[] {(float) x[0], (float) x[1]}, out);
                for (int j = 0; j < H; j++) {
                    assertThat((double) out[j]).isCloseTo(h[j], within(1e-6));
                }
            }
        }
    }

    @Test
    void stackedLayersFeedEachLayerTheNewHiddenStateOfTheOneBelow() {
        for (CellType cell : CellType.values()) {
            Random r = new Random(9);
            List<LayerWeights> two = TestModels.layers(r, cell, 3, 4, 2);
            float[] headW = TestModels.uniform(r, 4, 0.5f);
            ModelSpec spec2 = ModelSpec.of(cell, 3, 4, 2, Task.REGRESSION, 1);
            RecurrentModel stacked = RecurrentModel.create(spec2, two, headW, new float[1], null);
            // the same layers as two separate one-layer models, chained by hand (identity heads)
            float[] eye = new float[16];
            for (int i = 0; i < 4; i++) {
                eye[i * 5] = 1;
            }
            RecurrentModel bottom = RecurrentModel.create(ModelSpec.of(cell, 3, 4, 1, Task.REGRESSION, 4),
                    List.of(two.get(0)), eye, new float[4], null);
            RecurrentModel top = RecurrentModel.create(ModelSpec.of(cell, 4, 4, 1, Task.REGRESSION, 4),
                    List.of(two.get(1)), eye, new float[4], null);
            float[] s2 = stacked.newState();
            float[] sb = bottom.newState();
            float[] st = top.newState();
            float[] y = new float[1];
            float[] hb = new float[4];
            float[] ht = new float[4];
            Random xs = new Random(1);
            for (int t = 0; t < 20; t++) {
                float[] x = TestModels.uniform(xs, 3, 2f);
                stacked.step(s2, x, y);
                bottom.step(sb, x, hb);
                top.step(st, hb, ht);
                float expected = 0;
                for (int j = 0; j < 4; j++) {
                    expected += headW[j] * ht[j];
                }
                assertThat(y[0]).as("%s t=%d", cell, t).isCloseTo(expected, within(1e-5f));
                // layout: h_0 | h_1 | (c_0 | c_1)
                assertThat(java.util.Arrays.copyOfRange(s2, 0, 4)).containsExactly(hb, within(1e-6f));
                assertThat(java.util.Arrays.copyOfRange(s2, 4, 8)).containsExactly(ht, within(1e-6f));
                if (cell.hasCellState()) {
                    assertThat(java.util.Arrays.copyOfRange(s2, 8, 12)).containsExactly(java.util.Arrays.copyOfRange(sb, 4, 8), within(1e-6f));
                }
            }
        }
    }

    @Test
    void stateLayoutMatchesPyTorchHnCn() {
        StateLayout lstm = new StateLayout(CellType.LSTM, 64, 2);
        assertThat(lstm.size()).isEqualTo(256);
        assertThat(lstm.hOffset(1)).isEqualTo(64);
        assertThat(lstm.cOffset(0)).isEqualTo(128);
        assertThat(lstm.topHiddenOffset()).isEqualTo(64);
        StateLayout gru = new StateLayout(CellType.GRU, 32, 3);
        assertThat(gru.size()).isEqualTo(96);
        assertThat(gru.cOffset(0)).isEqualTo(-1);
    }

    @Test
    void regressionNormalizesInputsAndDenormalizesOutputs() {
        // A model whose head outputs 0 forecasts the feature means.
        RecurrentModel base = TestModels.regression(1, CellType.GRU, 2, 4, 1, "m", "1");
        ModelSpec spec = base.spec();
        RecurrentModel zeroHead = RecurrentModel.create(spec, base.layers(), new float[8], new float[2], null);
        float[] y = new float[2];
        zeroHead.step(zeroHead.newState(), new float[] {3, 4}, y);
        assertThat(y).containsExactly(spec.normalization().mean(0), spec.normalization().mean(1));
    }

    @Test
    void classificationOutputsAProbabilityDistribution() {
        RecurrentModel m = TestModels.classification(2, CellType.LSTM, 6, 8, 2, "logs", "1");
        float[] p = new float[6];
        float[] s = m.newState();
        for (int e : new int[] {0, 3, 5, 1}) {
            m.stepEvent(s, e, p);
            double sum = 0;
            for (float v : p) {
                assertThat(v).isBetween(0f, 1f);
                sum += v;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
        assertThat(m.eventIndex("3")).isEqualTo(2);
        assertThat(m.eventIndex("7")).isEqualTo(-1);
    }

    @Test
    void scalarKernelIsAvailableAsAFallback() {
        RecurrentModel m = TestModels.regression(1, CellType.LSTM, 2, 4, 1, "m", "1").withKernels(ScalarKernels.INSTANCE);
        assertThat(m.kernelName()).isEqualTo("scalar");
    }
}
