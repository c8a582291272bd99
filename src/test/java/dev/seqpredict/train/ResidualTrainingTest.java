package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.Normalization;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code train --residual}: the network learns the next change; the exported artifact says so and matches DJL. */
class ResidualTrainingTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void residualModelIsDeclaredInTheSpecAndTheCoreReproducesDjl(boolean differenced, @TempDir Path dir) throws Exception {
        SeriesSet data = TestData.sines(4, 200, 0.05, 21);
        SeriesSet heldOut = TestData.sines(3, 250, 0.05, 99);
        TrainingOptions o = TrainingOptions.defaults().with(CellType.LSTM, 16, 1).withSchedule(15, 4, 32, 0.01f)
                .withSeed(2).withSplit(Split.TAIL, 0.25).withResidual(true).withDifferencedInput(differenced);
        try (SequenceTrainer trainer = new SequenceTrainer(o)) {
            SequenceTrainer.Result r = trainer.train(data, new PrintWriter(new StringWriter()));
            assertThat(r.model().spec().residual()).isTrue();
            assertThat(r.model().spec().differenced()).isEqualTo(differenced);
            assertThat(r.model().spec().training().get("target").asText()).isEqualTo("next change (normalized)");
            Path file = dir.resolve("m.safetensors");
            ModelArtifact.write(r.model(), file);
            RecurrentModel loaded = ModelArtifact.load(file);
            assertThat(loaded.spec().residual()).isTrue();
            float max = 0;
            for (Series s : heldOut.series()) {
                float[][] djl = trainer.djlForward(s);
                float[][] ours = loaded.forward(s.values());
                for (int t = 0; t < djl.length; t++) {
                    float d = Math.abs(djl[t][0] - ours[t][0]);
                    assertThat(d).as("%s step %d", s.key(), t).isLessThanOrEqualTo(1e-5f);
                    max = Math.max(max, d);
                }
            }
            System.out.printf("residual (differenced %s) export parity on held-out data: max |diff| %.2e%n", differenced, max);
            // the validation metric is the exported model's, stepped by the core
            Evaluator.Report again = Evaluator.evaluate(loaded, data, r.validation() == null ? null : scoreFrom(data, 0.25),
                    null, 1);
            assertThat(again.model().mae()).isEqualTo(r.validation().model().mae());
        }
    }

    @Test
    void theResidualFormLearnsSinesAtLeastAsWellAsTheLastValue() {
        SeriesSet data = TestData.sines(6, 300, 0.05, 11);
        TrainingOptions o = SequenceTrainerTest.regression(CellType.GRU).withResidual(true);
        try (SequenceTrainer trainer = new SequenceTrainer(o)) {
            SequenceTrainer.Result r = trainer.train(data, new PrintWriter(new StringWriter()));
            Metrics m = r.validation().model();
            Metrics b = r.validation().baseline();
            System.out.printf("residual GRU: model %s | baseline %s%n", m.summary(), b.summary());
            assertThat(m.mae()).isLessThan(0.6 * b.mae());
        }
    }

    @Test
    void theHeadScaleShrinksAWrongChangeToTheLastValueAndKeepsARightOne() {
        // a constant series: the right change is 0; a bias-only residual head forecasts a change of 2 * 0.5 = 1
        float[][] flat = new float[50][];
        float[][] ramp = new float[50][];
        for (int t = 0; t < 50; t++) {
            flat[t] = new float[] {3f};
            ramp[t] = new float[] {t};
        }
        ModelSpec spec = ModelSpec.of(CellType.GRU, 1, 2, 1, Task.REGRESSION, 1)
                .withNormalization(new Normalization(new float[] {0}, new float[] {2}), null).withForecast(List.of(), true);
        LayerWeights l = new LayerWeights(CellType.GRU, 1, 2, new float[6], new float[12], new float[6], new float[6]);
        RecurrentModel m = RecurrentModel.create(spec, List.of(l), new float[2], new float[] {0.5f}, null);
        int[] from = {25};
        assertThat(SequenceTrainer.headScale(m, set(flat), from)).isEqualTo(0f);
        // a ramp of +1 per event: the change of 1 is exactly right, so the head stays as it is
        assertThat(SequenceTrainer.headScale(m, set(ramp), from)).isEqualTo(1f);
        // a ramp of +0.5 per event: half the change is right
        for (int t = 0; t < 50; t++) {
            ramp[t] = new float[] {0.5f * t};
        }
        assertThat(SequenceTrainer.headScale(m, set(ramp), from)).isEqualTo(0.5f);
    }

    private static SeriesSet set(float[][] v) {
        return new SeriesSet(Task.REGRESSION, List.of("v"), List.of(new Series("k", null, v, null)), "test");
    }

    private static int[] scoreFrom(SeriesSet data, double f) {
        int[] from = new int[data.series().size()];
        for (int s = 0; s < from.length; s++) {
            int n = data.series().get(s).length();
            from[s] = n - (int) Math.round(n * f);
        }
        return from;
    }
}
