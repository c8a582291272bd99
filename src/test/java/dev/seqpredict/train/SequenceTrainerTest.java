package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SequenceTrainerTest {

    static TrainingOptions regression(CellType cell) {
        return TrainingOptions.defaults().with(cell, 16, 1).withSchedule(20, 8, 32, 0.01f).withSeed(1)
                .withSplit(Split.TAIL, 0.2);
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU", "RNN_TANH"})
    void beatsTheLastValueBaselineOnNoisySines(CellType cell) {
        SeriesSet data = TestData.sines(6, 300, 0.05, 11);
        StringWriter log = new StringWriter();
        try (SequenceTrainer trainer = new SequenceTrainer(regression(cell))) {
            SequenceTrainer.Result r = trainer.train(data, new PrintWriter(log, true));
            System.out.print(log);
            Metrics m = r.validation().model();
            Metrics b = r.validation().baseline();
            System.out.printf("%s: model %s | baseline %s | %.1f s%n", cell, m.summary(), b.summary(), r.seconds());
            assertThat(m.rmse()).isLessThan(0.6 * b.rmse());
            assertThat(m.mae()).isLessThan(0.6 * b.mae());
        }
    }
}
