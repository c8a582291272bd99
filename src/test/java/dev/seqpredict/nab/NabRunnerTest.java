package dev.seqpredict.nab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.PredictorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NabRunnerTest {

    static NabRunner.DataFile series(int n, long seed, int alterFrom) {
        Random r = new Random(seed);
        DateTimeFormatter fmt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        LocalDateTime t0 = LocalDateTime.of(2014, 1, 1, 0, 0);
        String[] ts = new String[n];
        String[] texts = new String[n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            ts[i] = t0.plusMinutes(5L * i).format(fmt);
            v[i] = (float) (50 + 10 * Math.sin(i / 6.0) + r.nextGaussian());
            if (i >= alterFrom) {
                v[i] += (i % 7 == 0) ? 40 : 3; // a different future
            }
            texts[i] = Float.toString(v[i]);
        }
        return new NabRunner.DataFile("cat/tiny.csv", ts, texts, v);
    }

    static NabRunner.Options tinyOptions(int retrainEvery) {
        return new NabRunner.Options("seqpredict", 7, CellType.LSTM, 8, 1, 8, 2, 16, 0.01f, retrainEvery, 100, 0.05,
                PredictorConfig.DEFAULTS.withRewarmWindow(16).withAlarms(0.999, 10), Map.of());
    }

    @Test
    void scoresUpToRowTDoNotDependOnLaterRows() {
        int n = 240;
        int alterFrom = 150;
        NabRunner runner = new NabRunner(tinyOptions(60), new PrintWriter(new StringWriter()));
        NabRunner.FileResult a = runner.run(series(n, 1, n));
        NabRunner.FileResult b = runner.run(series(n, 1, alterFrom));
        // first model at row 36, retrainings at 96, 156 and 216: the one at 96 must not have seen rows ≥ 96
        assertThat(a.trainAt()).isEqualTo(36);
        assertThat(a.trainings()).isEqualTo(4);
        for (int t = 0; t < alterFrom; t++) {
            assertThat(b.scores()[t]).as("row %d", t).isEqualTo(a.scores()[t]);
        }
        boolean differs = false;
        for (int t = alterFrom; t < n; t++) {
            differs |= a.scores()[t] != b.scores()[t];
        }
        assertThat(differs).as("the altered tail changes its own scores").isTrue();
        for (int t = 0; t < a.trainAt(); t++) {
            assertThat(a.scores()[t]).isZero(); // no model yet
        }
        assertThat(java.util.Arrays.stream(a.scores()).allMatch(s -> s >= 0 && s <= 1)).isTrue();
        assertThat(a.predictions()).isEqualTo(n - a.trainAt() - 1);
        assertThat(a.mae()).isPositive();
        assertThat(a.baselineMae()).isPositive();
    }
}
