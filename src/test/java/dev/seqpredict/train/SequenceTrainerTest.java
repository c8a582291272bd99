package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SequenceTrainerTest {

    static TrainingOptions regression(CellType cell) {
        return TrainingOptions.defaults().with(cell, 16, 1).withSchedule(20, 12, 32, 0.01f).withSeed(1)
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

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU"})
    void learnsAGrammarThatTheBigramBaselineCannot(CellType cell) {
        SeriesSet data = TestData.grammar(150, 3, 5);
        TrainingOptions o = TrainingOptions.defaults().with(cell, 16, 1).withSchedule(8, 15, 32, 0.02f).withSeed(3)
                .withSplit(Split.KEYS, 0.2);
        StringWriter log = new StringWriter();
        try (SequenceTrainer trainer = new SequenceTrainer(o)) {
            SequenceTrainer.Result r = trainer.train(data, new PrintWriter(log, true));
            System.out.print(log);
            Metrics m = r.validation().model();
            Metrics b = r.validation().baseline();
            System.out.printf("%s: model %s | baseline %s | %.1f s%n", cell, m.summary(), b.summary(), r.seconds());
            assertThat(m.top1()).isGreaterThan(b.top1() + 0.1);
            assertThat(r.model().spec().vocabulary()).containsExactly("A", "B", "EA", "EB", "F", "S", "X");
        }
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU", "RNN_RELU"})
    void exportedArtifactSteppedByOurCoreReproducesDjlOnHeldOutData(CellType cell, @TempDir Path dir) throws Exception {
        SeriesSet data = TestData.sines(4, 200, 0.05, 21);
        SeriesSet heldOut = TestData.sines(3, 250, 0.05, 99);
        TrainingOptions o = TrainingOptions.defaults().with(cell, 16, 2).withSchedule(15, 4, 32, 0.01f).withSeed(2)
                .withSplit(Split.TAIL, 0.25);
        try (SequenceTrainer trainer = new SequenceTrainer(o)) {
            SequenceTrainer.Result r = trainer.train(data, new PrintWriter(new StringWriter()));
            Path file = dir.resolve("m.safetensors");
            ModelArtifact.write(r.model(), file);
            RecurrentModel loaded = ModelArtifact.load(file);
            float max = 0;
            for (Series s : heldOut.series()) {
                float[][] djl = trainer.djlForward(s);
                float[][] ours = loaded.forward(s.values());
                for (int t = 0; t < djl.length; t++) {
                    float d = Math.abs(djl[t][0] - ours[t][0]);
                    assertThat(d).as("%s %s step %d", cell, s.key(), t).isLessThanOrEqualTo(1e-5f);
                    max = Math.max(max, d);
                }
            }
            System.out.printf("%s export parity on held-out data: max |diff| %.2e%n", cell, max);
        }
    }

    @org.junit.jupiter.api.Test
    void classificationExportReproducesDjlProbabilities() {
        SeriesSet data = TestData.grammar(60, 3, 8);
        SeriesSet heldOut = TestData.grammar(5, 4, 123);
        TrainingOptions o = TrainingOptions.defaults().with(CellType.GRU, 16, 1).withSchedule(8, 3, 32, 0.02f)
                .withSplit(Split.KEYS, 0.2);
        try (SequenceTrainer trainer = new SequenceTrainer(o)) {
            RecurrentModel m = trainer.train(data, new PrintWriter(new StringWriter())).model();
            for (Series s : heldOut.series()) {
                float[][] djl = trainer.djlForward(s);
                int[] ids = java.util.Arrays.stream(s.events()).mapToInt(m::eventIndex).toArray();
                float[][] ours = m.forwardEvents(ids);
                for (int t = 0; t < djl.length; t++) {
                    for (int v = 0; v < djl[t].length; v++) {
                        assertThat(Math.abs(djl[t][v] - ours[t][v])).isLessThanOrEqualTo(1e-5f);
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void sameSeedSameArtifact() {
        SeriesSet data = TestData.sines(3, 120, 0.05, 4);
        TrainingOptions o = TrainingOptions.defaults().with(CellType.LSTM, 8, 1).withSchedule(10, 3, 16, 0.01f).withSeed(77);
        byte[] a;
        byte[] b;
        try (SequenceTrainer t = new SequenceTrainer(o)) {
            a = ModelArtifact.toBytes(t.train(data, new PrintWriter(new StringWriter())).model());
        }
        try (SequenceTrainer t = new SequenceTrainer(o)) {
            b = ModelArtifact.toBytes(t.train(data, new PrintWriter(new StringWriter())).model());
        }
        assertThat(a).isEqualTo(b);
        try (SequenceTrainer t = new SequenceTrainer(o.withSeed(78))) {
            assertThat(ModelArtifact.toBytes(t.train(data, new PrintWriter(new StringWriter())).model())).isNotEqualTo(a);
        }
    }
}
