package dev.seqpredict.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The Vector API kernels against the scalar reference kernels, and against hand-computed cells. */
class VectorKernelsParityTest {

    private static final int STEPS = 20_000;
    private static final double TOLERANCE = 1e-5;

    static Stream<Arguments> cases() {
        int[][] sizes = {{8, 64}, {3, 20}, {1, 1}, {16, 128}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (CellType cell : CellType.values()) {
            for (int layers = 1; layers <= 2; layers++) {
                for (int[] s : sizes) {
                    b.add(Arguments.of(cell, s[0], s[1], layers));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} in={1} H={2} layers={3}")
    @MethodSource("cases")
    void vectorMatchesScalarOver20000RecurrentSteps(CellType cell, int in, int hidden, int layers) {
        RecurrentModel base = RandomModels.regression(cell, in, hidden, layers, 3, 42L + in * 31L + hidden + layers);
        RecurrentModel scalar = base.withKernels(ScalarKernels.INSTANCE);
        RecurrentModel vector = base.withKernels(VectorKernels.INSTANCE);
        float[] sState = scalar.newState();
        float[] vState = vector.newState();
        float[] sOut = new float[3];
        float[] vOut = new float[3];
        float[] x = new float[in];
        SplittableRandom rnd = new SplittableRandom(7);
        double maxOut = 0;
        double maxState = 0;
        double maxAbsState = 0;
        for (int t = 0; t < STEPS; t++) {
            for (int i = 0; i < in; i++) {
                x[i] = (float) (rnd.nextGaussian() * 1.5);
            }
            scalar.step(sState, x, sOut);
            vector.step(vState, x, vOut);
            for (int i = 0; i < sOut.length; i++) {
                maxOut = Math.max(maxOut, Math.abs(sOut[i] - vOut[i]));
            }
            for (int i = 0; i < sState.length; i++) {
                maxState = Math.max(maxState, Math.abs(sState[i] - vState[i]));
                maxAbsState = Math.max(maxAbsState, Math.abs(sState[i]));
            }
        }
        assertThat(maxOut).as("max |Δ output|").isLessThanOrEqualTo(TOLERANCE);
        assertThat(maxState).as("max |Δ state|").isLessThanOrEqualTo(TOLERANCE);
        // the comparison means something only if the state actually moved
        assertThat(maxAbsState).isGreaterThan(0.05);
    }

    @Test
    void lstmCellByHand() {
        // in=1, H=1, every gate's weights distinct: check one step against the formulas in double
        float[] wih = {0.3f, -0.7f, 0.9f, 0.2f};
        float[] whh = {-0.4f, 0.5f, 0.1f, -0.8f};
        float[] bih = {0.05f, 0.1f, -0.2f, 0.3f};
        float[] bhh = {-0.1f, 0.2f, 0.15f, -0.05f};
        RecurrentModel m = RecurrentModel.create(ModelSpec.of(CellType.LSTM, 1, 1, 1, Task.REGRESSION, 1),
                List.of(new LayerWeights(CellType.LSTM, 1, 1, wih, whh, bih, bhh)),
                new float[] {2f}, new float[] {0.5f}, null).withKernels(VectorKernels.INSTANCE);
        float[] state = {0.25f, -0.6f}; // h, c
        float[] out = new float[1];
        double x = 0.8;
        m.step(state, new float[] {(float) x}, out);
        double h = 0.25;
        double c = -0.6;
        double[] a = new double[4];
        for (int g = 0; g < 4; g++) {
            a[g] = wih[g] * x + bih[g] + whh[g] * h + bhh[g];
        }
        double i = 1 / (1 + Math.exp(-a[0]));
        double f = 1 / (1 + Math.exp(-a[1]));
        double gg = Math.tanh(a[2]);
        double o = 1 / (1 + Math.exp(-a[3]));
        double c2 = f * c + i * gg;
        double h2 = o * Math.tanh(c2);
        assertThat((double) state[1]).isCloseTo(c2, within(1e-6));
        assertThat((double) state[0]).isCloseTo(h2, within(1e-6));
        assertThat((double) out[0]).isCloseTo(2 * h2 + 0.5, within(1e-6));
    }

    @Test
    void gruCellByHand() {
        float[] wih = {0.3f, -0.7f, 0.9f};
        float[] whh = {-0.4f, 0.5f, 0.6f};
        float[] bih = {0.05f, 0.1f, -0.2f};
        float[] bhh = {-0.1f, 0.2f, 0.35f};
        RecurrentModel m = RecurrentModel.create(ModelSpec.of(CellType.GRU, 1, 1, 1, Task.REGRESSION, 1),
                List.of(new LayerWeights(CellType.GRU, 1, 1, wih, whh, bih, bhh)),
                new float[] {1f}, new float[] {0f}, null).withKernels(VectorKernels.INSTANCE);
        float[] state = {0.4f};
        m.step(state, new float[] {-1.2f}, new float[1]);
        double x = -1.2;
        double h = 0.4;
        double r = 1 / (1 + Math.exp(-(wih[0] * x + bih[0] + whh[0] * h + bhh[0])));
        double z = 1 / (1 + Math.exp(-(wih[1] * x + bih[1] + whh[1] * h + bhh[1])));
        double n = Math.tanh(wih[2] * x + bih[2] + r * (whh[2] * h + bhh[2]));
        assertThat((double) state[0]).isCloseTo((1 - z) * n + z * h, within(1e-6));
    }

    @Test
    void reluRnnAndHeadByHand() {
        // H=20 with in=3: a partial lane block; head with 17 outputs, more rows than lanes
        int in = 3;
        int hidden = 20;
        int outN = 17;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] wih = RandomModels.uniform(rnd, hidden * in, 0.5f);
        float[] whh = RandomModels.uniform(rnd, hidden * hidden, 0.5f);
        float[] bih = RandomModels.uniform(rnd, hidden, 0.5f);
        float[] bhh = RandomModels.uniform(rnd, hidden, 0.5f);
        float[] hw = RandomModels.uniform(rnd, outN * hidden, 0.5f);
        float[] hb = RandomModels.uniform(rnd, outN, 0.5f);
        RecurrentModel m = RecurrentModel.create(ModelSpec.of(CellType.RNN_RELU, in, hidden, 1, Task.REGRESSION, outN),
                List.of(new LayerWeights(CellType.RNN_RELU, in, hidden, wih, whh, bih, bhh)), hw, hb, null)
                .withKernels(VectorKernels.INSTANCE);
        float[] state = RandomModels.uniform(rnd, hidden, 1f);
        float[] h0 = state.clone();
        float[] x = {0.5f, -1f, 2f};
        float[] out = new float[outN];
        m.step(state, x, out);
        double[] h1 = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double a = bih[j] + bhh[j];
            for (int k = 0; k < in; k++) {
                a += wih[j * in + k] * (double) x[k];
            }
            for (int k = 0; k < hidden; k++) {
                a += whh[j * hidden + k] * (double) h0[k];
            }
            h1[j] = Math.max(0, a);
            assertThat((double) state[j]).as("h[%d]", j).isCloseTo(h1[j], within(1e-5));
        }
        for (int r = 0; r < outN; r++) {
            double y = hb[r];
            for (int k = 0; k < hidden; k++) {
                y += hw[r * hidden + k] * h1[k];
            }
            assertThat((double) out[r]).as("y[%d]", r).isCloseTo(y, within(1e-5));
        }
    }

    @Test
    void tanhApproximationErrorIsBelow3e7() {
        double max = 0;
        for (float x = -20f; x <= 20f; x += 1e-4f) {
            max = Math.max(max, Math.abs(Activations.tanh(x) - Math.tanh(x)));
        }
        for (float x : new float[] {0f, -0f, 1e-30f, -1e-8f, 8f, -8f, 100f, Float.MAX_VALUE, -Float.MAX_VALUE}) {
            max = Math.max(max, Math.abs(Activations.tanh(x) - Math.tanh(x)));
        }
        assertThat(max).isLessThanOrEqualTo(3e-7);
        assertThat(Activations.tanh(Float.NaN)).isNaN();
    }
}
