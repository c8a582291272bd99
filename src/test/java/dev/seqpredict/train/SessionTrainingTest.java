package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions are trained whole from a zero state with an end symbol: sessions of 1 to 3 events train with
 * --window 10 (nothing refused as short), and the model learns where they end and how they begin.
 */
class SessionTrainingTest {

    @Test
    void shortSessionsTrainWholeAndTheModelLearnsTheirEnds(@TempDir Path dir) throws Exception {
        // "1 2" ends after 2; "1 3 4" ends after 4; "5" alone
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lines.add(i % 3 == 0 ? "1 2" : i % 3 == 1 ? "1 3 4" : "5");
        }
        Path file = dir.resolve("short.txt");
        Files.write(file, lines);
        SeriesSet data = SeriesReaders.sessions(file);
        assertThat(data.sessions()).isTrue();
        TrainingOptions o = TrainingOptions.defaults().with(CellType.LSTM, 16, 1).withSchedule(10, 40, 16, 0.02f)
                .withSeed(4).withSplit(Split.KEYS, 0.2);
        StringWriter log = new StringWriter();
        try (SequenceTrainer trainer = new SequenceTrainer(o)) {
            SequenceTrainer.Result r = trainer.train(data, new PrintWriter(log, true));
            RecurrentModel m = r.model();
            assertThat(log.toString()).doesNotContain("skipped");
            assertThat(r.trainingWindows()).isEqualTo(48); // every training session, 80% of 60
            assertThat(m.spec().vocabulary()).containsExactly("1", "2", "3", "4", "5", "<end>");
            assertThat(m.spec().endSymbol()).isEqualTo("<end>");
            assertThat(m.spec().training().path("training_windows").asInt()).isEqualTo(48);

            int end = m.endIndex();
            float[] s = m.newState();
            float[] p = new float[m.outputSize()];
            m.stepEvent(s, end, p);
            assertThat(argmax(p)).isIn(m.eventIndex("1"), m.eventIndex("5")); // a session begins with 1 or 5
            m.stepEvent(s, m.eventIndex("1"), p);
            m.stepEvent(s, m.eventIndex("2"), p);
            assertThat(argmax(p)).isEqualTo(end);                        // "1 2" is over
            float endAfter12 = p[end];
            float[] s2 = m.newState();
            m.stepEvent(s2, end, p);
            m.stepEvent(s2, m.eventIndex("1"), p);
            m.stepEvent(s2, m.eventIndex("3"), p);
            assertThat(argmax(p)).isEqualTo(m.eventIndex("4"));         // "1 3" is not
            assertThat(p[end]).isLessThan(endAfter12);
            // validation is measured with the boundary and the end: 12 held-out sessions, 2+3+1 events each 4
            assertThat(r.validation().model().n()).isEqualTo(4 * (3 + 4 + 2));
        }
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
