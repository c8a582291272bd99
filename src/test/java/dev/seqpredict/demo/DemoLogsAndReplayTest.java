package dev.seqpredict.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's other two inputs end to end: simulated HDFS-style log sessions (classification: next event
 * id, top-k) and a replay of a real NAB file (the bundled slice), each through a real engine on the
 * in-process broker.
 */
class DemoLogsAndReplayTest {
    private static final Path NAB_FILE = Path.of("src/test/resources/nab/data/realKnownCause/rogue_agent_key_hold.csv");

    @TempDir
    Path out;

    private static Demo.Summary run(Demo.Options o, ByteArrayOutputStream console, long predictions) throws Exception {
        Demo demo = new Demo(o, new PrintStream(console, true), StreamEngines::create);
        return demo.run(() -> demo.predictionsByVersion().values().stream().mapToLong(Long::longValue).sum() >= predictions);
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void logSessionsArePredictedAndEveryBadRecordIsDeadLettered() throws Exception {
        int sessions = 20;
        // 10 epochs: whole-session training needs more passes than windows did to learn the top 9 and the ends
        Demo.Options o = new Demo.Options("kstreams", "logs", sessions, 0, 0, 40, Duration.ofMinutes(2), 0,
                Duration.ofHours(1), 8, 12, 10, 0.02, null, null, 0, out, 11, false);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Demo demo = new Demo(o, new PrintStream(console, true), StreamEngines::create);
        // until 400 predictions and more closed sessions than are open at a time (verdicts come a gap later)
        Demo.Summary s = demo.run(() -> demo.predictionsByVersion().values().stream().mapToLong(Long::longValue).sum() >= 400
                && demo.sessionsClosed() > sessions);

        // every good event is predicted, those with an event id no normal session has as anomalies
        // (predict.unknown.event=anomaly); only the injected bad records are dead-lettered
        assertThat(s.producedFaults()).as("console:%n%s", console).isLessThan(s.produced() / 20);
        assertThat(s.predictions()).as("console:%n%s", console).isGreaterThanOrEqualTo(400).isEqualTo(s.produced());
        assertThat(s.deadLetters()).isEqualTo(s.producedBad());
        assertThat(s.dlqByReason()).doesNotContainKey("unknown_event");
        assertThat(s.anomalies()).isGreaterThanOrEqualTo(s.producedFaults());
        assertThat(s.keysPredicted()).containsExactlyInAnyOrderElementsOf(s.keysProduced()).hasSizeGreaterThan(sessions);
        assertThat(s.versions()).containsExactly("1");
        assertThat(console.toString()).contains("LSTM over event ids").contains("summary");
        // sessions close when their key falls silent; their verdicts reach the verdicts topic
        long[] truth = s.sessionTruth(); // {deviating flagged, deviating, normal flagged, normal}
        assertThat(s.sessionsClosed()).as("console:%n%s", console).isGreaterThan(sessions);
        assertThat(truth[1] + truth[3]).as("every closed session is one the simulator made").isEqualTo(s.sessionsClosed());
        assertThat(s.sessionsAnomalous()).isEqualTo(s.verdictReasons().values().stream().mapToLong(Long::longValue).sum());
        assertThat(truth[2]).as("normal sessions judged anomalous, of %d; console:%n%s", truth[3], console).isLessThanOrEqualTo(truth[3] / 10);
        assertThat(console.toString()).contains("session verdicts");
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aReplayedNabFileIsPredictedRowByRow() throws Exception {
        Demo.Options o = new Demo.Options("flink", "sensors", 1, 0, 0, 200, Duration.ofMinutes(2), 0,
                Duration.ofHours(1), 1, 12, 3, 0, null, List.of(NAB_FILE), 0, out, 5, false);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Demo.Summary s = run(o, console, 300);

        assertThat(s.keysProduced()).as("console:%n%s", console).containsExactly("rogue_agent_key_hold");
        assertThat(s.keysPredicted()).isEqualTo(s.keysProduced());
        assertThat(s.predictions()).isGreaterThanOrEqualTo(300).isEqualTo(s.produced());
        assertThat(s.producedBad()).isZero();
        assertThat(s.deadLetters()).isZero();
    }
}
