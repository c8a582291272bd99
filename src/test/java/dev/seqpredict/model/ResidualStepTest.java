package dev.seqpredict.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core's step in the residual form: forecast = x_last[target] + std * y. A model with zero recurrent and
 * head weights outputs its head bias y = b whatever the input, so the expected forecast is known by hand.
 */
class ResidualStepTest {

    private static RecurrentModel biasOnly(ModelSpec spec, float[] bias) {
        int h = spec.hiddenSize();
        int rows = spec.cell().gates() * h;
        LayerWeights l = new LayerWeights(spec.cell(), spec.inputSize(), h, new float[rows * spec.inputSize()],
                new float[rows * h], new float[rows], new float[rows]);
        return RecurrentModel.create(spec, List.of(l), new float[spec.outputSize() * h], bias, null);
    }

    private static final Normalization NORM = new Normalization(new float[] {10, 20}, new float[] {2, 4});

    @Test
    void residualForecastIsTheLastValuePlusStdTimesTheOutput() {
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 2, 3, 1, Task.REGRESSION, 2).withNormalization(NORM, null)
                .withForecast(List.of(), true);
        RecurrentModel m = biasOnly(spec, new float[] {0.5f, -0.25f});
        float[] state = m.newState();
        float[] out = new float[2];
        m.step(state, new float[] {11, 30}, out);
        assertThat(out).containsExactly(11 + 2 * 0.5f, 30 + 4 * -0.25f); // 12, 29
        m.step(state, new float[] {7, -3}, out);
        assertThat(out).containsExactly(8f, -4f);
    }

    @Test
    void theSameWeightsInTheAbsoluteFormGiveMeanPlusStdTimesTheOutput() {
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 2, 3, 1, Task.REGRESSION, 2).withNormalization(NORM, null);
        RecurrentModel m = biasOnly(spec, new float[] {0.5f, -0.25f});
        float[] out = new float[2];
        m.step(m.newState(), new float[] {11, 30}, out);
        assertThat(out).containsExactly(10 + 2 * 0.5f, 20 + 4 * -0.25f); // 11, 19
    }

    @Test
    void aZeroHeadInTheResidualFormForecastsNoChange() {
        ModelSpec spec = ModelSpec.of(CellType.GRU, 2, 3, 1, Task.REGRESSION, 2).withNormalization(NORM, null)
                .withForecast(List.of(), true);
        RecurrentModel m = biasOnly(spec, new float[2]);
        float[][] out = m.forward(new float[][] {{1, 2}, {3.5f, -4}, {100, 0}});
        assertThat(out).isDeepEqualTo(new float[][] {{1, 2}, {3.5f, -4}, {100, 0}});
    }

    @Test
    void differencedInputFeedsTheChangeFromThePreviousEventAndKeepsItInTheState() {
        // RNN_TANH, hidden 1, W_ih = 1, no recurrence, head weight 1: y = tanh(z) with z the normalized change
        Normalization dn = new Normalization(new float[] {0}, new float[] {2});
        ModelSpec spec = ModelSpec.of(CellType.RNN_TANH, 1, 1, 1, Task.REGRESSION, 1).withNormalization(dn, null)
                .withForecast(List.of(), true).withDifferencedInput(true);
        LayerWeights l = new LayerWeights(CellType.RNN_TANH, 1, 1, new float[] {1}, new float[] {0}, new float[1], new float[1]);
        RecurrentModel m = RecurrentModel.create(spec, List.of(l), new float[] {1}, new float[1], null);
        assertThat(m.stateSize()).isEqualTo(1 + 2); // h, the previous value, the "seen" flag
        float[] state = m.newState();
        float[] out = new float[1];
        m.step(state, new float[] {10}, out); // first event: change 0, y = 0
        assertThat(out[0]).isEqualTo(10f);
        m.step(state, new float[] {13}, out); // change 3, z = 1.5
        assertThat(out[0]).isCloseTo(13f + 2f * (float) Math.tanh(1.5f), within(1e-5f)); // the kernels' tanh: 1 ulp
        m.step(state, new float[] {12}, out); // change -1, z = -0.5
        assertThat(out[0]).isCloseTo(12f + 2f * (float) Math.tanh(-0.5f), within(1e-5f));
        assertThat(state[1]).isEqualTo(12f);
    }

    @Test
    void aTargetListForecastsTheNamedInputsWithTheirNormalization() {
        Normalization in = new Normalization(new float[] {1, 2, 3, 4, 5}, new float[] {1, 10, 100, 1000, 10000});
        ModelSpec abs = ModelSpec.of(CellType.RNN_TANH, 5, 2, 1, Task.REGRESSION, 2).withNormalization(in, null)
                .withForecast(List.of(3, 1), false);
        RecurrentModel a = biasOnly(abs, new float[] {1, 2});
        float[] x = {9, 8, 7, 6, 5};
        float[] out = new float[2];
        a.step(a.newState(), x, out);
        assertThat(out).containsExactly(4 + 1000 * 1f, 2 + 10 * 2f);
        assertThat(a.targetOf(x)).containsExactly(6f, 8f);

        RecurrentModel r = biasOnly(abs.withForecast(List.of(3, 1), true), new float[] {1, 2});
        r.step(r.newState(), x, out);
        assertThat(out).containsExactly(6 + 1000 * 1f, 8 + 10 * 2f);
    }
}
