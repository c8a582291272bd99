package dev.seqpredict.nab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.PredictorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nab} with residual models (its default): no look-ahead, and a flat stream is forecast exactly. */
class NabResidualForecastTest {

    static NabRunner.Options residual(int retrainEvery) {
        return new NabRunner.Options("seqpredict", 7, CellType.LSTM, 8, 1, 8, 2, 16, 0.01f, retrainEvery, 100, 0.05,
                PredictorConfig.DEFAULTS.withRewarmWindow(16).withAlarms(0.999, 10), Map.of(), true, false);
    }

    @Test
    void residualScoresUpToRowTDoNotDependOnLaterRows() {
        int n = 240;
        int alterFrom = 150;
        NabRunner runner = new NabRunner(residual(60), new PrintWriter(new StringWriter()));
        NabRunner.FileResult a = runner.run(NabRunnerTest.series(n, 1, n));
        NabRunner.FileResult b = runner.run(NabRunnerTest.series(n, 1, alterFrom));
        for (int t = 0; t < alterFrom; t++) {
            assertThat(b.scores()[t]).as("row %d", t).isEqualTo(a.scores()[t]);
            assertThat(Double.valueOf(b.forecasts()[t])).as("row %d", t).isEqualTo(Double.valueOf(a.forecasts()[t]));
        }
        assertThat(a.mae()).isPositive();
    }

    @Test
    void aFlatStreamIsForecastAsItsValueExactly() {
        NabRunner.DataFile noisy = NabRunnerTest.series(200, 3, 200);
        float[] v = new float[200];
        Arrays.fill(v, 42.5f);
        String[] texts = new String[200];
        Arrays.fill(texts, "42.5");
        NabRunner.DataFile flat = new NabRunner.DataFile("cat/flat.csv", noisy.timestamps(), texts, v);
        NabRunner.FileResult r = new NabRunner(residual(0), new PrintWriter(new StringWriter())).run(flat);
        for (int t = r.trainAt() + 1; t < 200; t++) {
            assertThat(r.forecasts()[t]).as("row %d", t).isEqualTo(42.5);
        }
        assertThat(r.mae()).isZero();
    }
}
