package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DeepLog verdicts on hand-made sessions, with a small random model over the events "1".."12". */
class DetectSessionsCommandTest {

    private static final int G = 4;
    private final RecurrentModel model = TestModels.classification(11, CellType.LSTM, 12, 16, 1, "logs", "1");

    @TempDir
    Path dir;

    /** Events ranked by the model's prediction from the state after {@code prefix} (most likely first). */
    private Integer[] ranked(List<String> prefix) {
        float[] state = model.newState();
        float[] out = new float[model.outputSize()];
        for (String e : prefix) {
            model.stepEvent(state, model.eventIndex(e), out);
        }
        Integer[] idx = IntStream.range(0, out.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -out[i]).thenComparingInt(i -> i));
        return idx;
    }

    /** A session of n events whose every event after the first is the model's rank-r choice. */
    private String session(String first, int n, int rank) {
        List<String> s = new ArrayList<>(List.of(first));
        while (s.size() < n) {
            s.add(model.eventName(ranked(s)[rank]));
        }
        return String.join(" ", s);
    }

    /** All hits except one event, the least likely one (rank 11 ≥ g), at position {@code at}. */
    private String sessionWithMiss(String first, int n, int at) {
        List<String> s = new ArrayList<>(List.of(first));
        while (s.size() < n) {
            Integer[] r = ranked(s);
            s.add(model.eventName(s.size() == at ? r[r.length - 1] : r[G - 1])); // rank g-1: still a hit
        }
        return String.join(" ", s);
    }

    @Test
    void missesAndUnknownEventsMakeASessionAnomalousInInputOrder() throws IOException {
        Path m = dir.resolve("logs.safetensors");
        ModelArtifact.write(model, m);
        String hits = session("3", 12, 0);
        String hitsAtTheEdge = session("7", 10, G - 1);
        String miss = sessionWithMiss("5", 10, 6);
        String unknown = session("2", 6, 1) + " 99 " + session("4", 3, 0);
        String singleEvent = "8";
        Path sessions = dir.resolve("sessions.txt");
        Files.write(sessions, List.of(hits, miss, hitsAtTheEdge, unknown, singleEvent, miss + " 1", "99"));
        Path out = dir.resolve("verdicts.txt");

        CliRun r = CliRun.of("detect-sessions", "--model", m.toString(), "--sessions", sessions.toString(),
                "--top-g", Integer.toString(G), "--output", out.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllLines(out)).containsExactly("0", "1", "0", "1", "0", "1", "1");
        assertThat(r.out()).contains("7 sessions, 4 anomalous");

        // with g one smaller, the session made of rank-(g-1) events is no longer normal
        CliRun tighter = CliRun.of("detect-sessions", "--model", m.toString(), "--sessions", sessions.toString(),
                "--top-g", Integer.toString(G - 1));
        assertThat(tighter.exitCode()).as(tighter.err()).isZero();
        assertThat(tighter.out().lines().toList()).containsExactly("0", "1", "1", "1", "0", "1", "1");
    }

    @Test
    void aRegressionModelIsRefused() throws IOException {
        Path m = dir.resolve("reg.safetensors");
        ModelArtifact.write(TestModels.regression(1, CellType.GRU, 2, 4, 1, "r", "1"), m);
        Path sessions = dir.resolve("s.txt");
        Files.write(sessions, List.of("1 2 3"));
        CliRun r = CliRun.of("detect-sessions", "--model", m.toString(), "--sessions", sessions.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("classification");
    }
}
