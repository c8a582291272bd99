package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --residual}: the network learns the next change; the exported artifact says so and matches DJL. */
class ResidualTrainingTest {

    @Test
    void residualModelIsDeclaredInTheSpecAndTheCoreReproducesDjl(@TempDir Path dir) throws Exception {
        SeriesSet data = TestData.sines(4, 200, 0.05, 21);
        SeriesSet heldOut = TestData.sines(3, 250, 0.05, 99);
        TrainingOptions o = TrainingOptions.defaults().with(CellType.LSTM, 16, 1).withSchedule(15, 4, 32, 0.01f)
                .withSeed(2).withSplit(Split.TAIL, 0.25).withResidual(true);
        try (SequenceTrainer trainer = new SequenceTrainer(o)) {
            SequenceTrainer.Result r = trainer.train(data, new PrintWriter(new StringWriter()));
            assertThat(r.model().spec().residual()).isTrue();
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
            System.out.printf("residual export parity on held-out data: max |diff| %.2e%n", max);
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

    private static int[] scoreFrom(SeriesSet data, double f) {
        int[] from = new int[data.series().size()];
        for (int s = 0; s < from.length; s++) {
            int n = data.series().get(s).length();
            from[s] = n - (int) Math.round(n * f);
        }
        return from;
    }
}
