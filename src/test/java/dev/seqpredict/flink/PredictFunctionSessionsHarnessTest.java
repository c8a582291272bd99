package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.SessionSettings;
import dev.seqpredict.testing.EndSymbolModels;
import dev.seqpredict.testing.SessionStreams;
import dev.seqpredict.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions in {@link PredictFunction}, with event time driven by the harness' watermarks: a key that falls silent
 * gets its verdict once the watermark reaches its last record + the gap (not before), an end marker closes at
 * once, the key's next session starts from a fresh state, a replay gives the core's verdicts every time, and an
 * open session and its timer survive a restore.
 * Expected verdicts follow {@link EndSymbolModels}' hand-set ranking at g = 1 ("a b" normal, "a" ends where the
 * end is unlikely, "b" first is a miss).
 */
class PredictFunctionSessionsHarnessTest {
    private static final long GAP = 1000;
    private final List<KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord>> open = new ArrayList<>();
    private long offset;

    @AfterEach
    void closeAll() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    private KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> harness(
            OperatorSubtaskState restore) throws Exception {
        JobSettings settings = JobSettings.defaults("unused:9092").withPredictor(PredictorConfig.DEFAULTS.withTopG(1))
                .withSessions(SessionSettings.gap(GAP).withEndEvent("END"));
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new PredictFunction(settings, 0, 0), List.of(PredictFunction.MODELS)),
                new PredictFunctionHarnessTest.ByKey(), Types.STRING, 1, 1, 0);
        open.add(h);
        h.setStateBackend(new HashMapStateBackend());
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        if (restore == null) {
            h.processBroadcastElement(new ModelRecord("default", TestModels.bytes(EndSymbolModels.abEnd(true))), 0);
        }
        h.processBroadcastWatermark(Long.MAX_VALUE); // as the job's models stream does
        return h;
    }

    private void send(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h,
                      String key, long ts, String event) throws Exception {
        h.processElement(EventRecord.of(key, "{\"ts\":" + ts + ",\"event\":\"" + event + "\"}", "events", 0, offset++), ts);
    }

    private static List<String> verdicts(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h) {
        var q = h.getSideOutput(PredictFunction.VERDICTS);
        List<String> out = new ArrayList<>();
        if (q != null) {
            for (StreamRecord<VerdictRecord> r : q) {
                out.add(r.getValue().ts + " " + r.getValue());
            }
            q.clear();
        }
        return out;
    }

    private static String verdict(String key, long first, long last, int n, String verdict, String reason, String at, String by) {
        return last + " {\"key\":\"" + key + "\",\"first_ts\":" + first + ",\"last_ts\":" + last + ",\"events\":" + n
                + ",\"model\":\"default\",\"version\":\"1\",\"verdict\":\"" + verdict + "\",\"reason\":"
                + (reason == null ? "null" : "\"" + reason + "\"") + ",\"at\":" + at + ",\"closed_by\":\"" + by + "\"}";
    }

    @Test
    void aSilentKeyGetsItsVerdictWhenTheWatermarkPassesItsGap() throws Exception {
        var h = harness(null);
        send(h, "k1", 100, "a");
        send(h, "k2", 150, "a");
        send(h, "k1", 200, "b");
        h.processWatermark(1149);
        assertThat(verdicts(h)).isEmpty();
        h.processWatermark(1150);
        assertThat(verdicts(h)).containsExactly(verdict("k2", 150, 150, 1, "anomalous", "end", "1", "gap"));
        h.processWatermark(1199);
        assertThat(verdicts(h)).isEmpty();
        h.processWatermark(1200);
        assertThat(verdicts(h)).containsExactly(verdict("k1", 100, 200, 2, "normal", null, "null", "gap"));
        // k1's next session starts from a fresh state: "a" is rank 0 after the boundary (it would be a miss, rank 1,
        // after the old session's "b"), and the marker ends it where the end is unlikely
        send(h, "k1", 5000, "a");
        send(h, "k1", 5100, "END");
        assertThat(verdicts(h)).containsExactly(verdict("k1", 5000, 5000, 1, "anomalous", "end", "1", "end"));
        assertThat(h.numEventTimeTimers()).isZero();
        h.processWatermark(10_000);
        assertThat(verdicts(h)).isEmpty();
    }

    @Test
    void theNextSessionIsJudgedFromAFreshState() throws Exception {
        var h = harness(null);
        send(h, "k", 100, "b");
        send(h, "k", 200, "b"); // after b, b is rank 2: a miss at 1 (the first b is a miss at 0 already)
        h.processWatermark(1200);
        assertThat(verdicts(h)).containsExactly(verdict("k", 100, 200, 2, "anomalous", "miss", "0", "gap"));
        send(h, "k", 3000, "a");
        send(h, "k", 3010, "b"); // "a b" from the boundary: all rank 0
        h.processWatermark(4010);
        assertThat(verdicts(h)).containsExactly(verdict("k", 3000, 3010, 2, "normal", null, "null", "gap"));
    }

    @Test
    void aReplayGivesTheSameVerdictsAsTheCore() throws Exception {
        JobSettings settings = JobSettings.defaults("unused:9092").withPredictor(PredictorConfig.DEFAULTS.withTopG(1))
                .withSessions(SessionSettings.gap(GAP).withEndEvent("END"));
        var in = SessionStreams.input("events", 10_000, GAP, 400, 5);
        Map<String, List<String>> want = SessionStreams.reference(settings, "default",
                TestModels.bytes(EndSymbolModels.abEnd(true)), in);
        for (int run = 0; run < 2; run++) {
            var h = harness(null);
            Map<String, List<String>> got = new TreeMap<>();
            for (var rec : in) {
                h.processElement(EventRecord.of(rec.key(), rec.value(), "events", 0, offset++), rec.timestamp());
                h.processWatermark(rec.timestamp() - 1); // in order, no out-of-orderness
                var q = h.getSideOutput(PredictFunction.VERDICTS);
                if (q != null) {
                    for (StreamRecord<VerdictRecord> r : q) {
                        got.computeIfAbsent(r.getValue().key, k -> new ArrayList<>()).add(r.getValue().toString());
                    }
                    q.clear();
                }
            }
            assertThat(got).as("run %d", run).isEqualTo(want);
        }
        assertThat(want.values().stream().mapToInt(List::size).sum()).isGreaterThan(40);
    }

    @Test
    void anOpenSessionAndItsTimerSurviveARestore() throws Exception {
        var h = harness(null);
        send(h, "k", 100, "a");
        send(h, "k", 200, "b");
        OperatorSubtaskState snap = h.snapshot(1, 1);
        h.close();
        open.remove(h);
        var restored = harness(snap);
        restored.processWatermark(1200);
        assertThat(verdicts(restored)).containsExactly(verdict("k", 100, 200, 2, "normal", null, "null", "gap"));
    }

    @Test
    void aLateRecordOfAnOpenSessionIsCountedInIt() throws Exception {
        var h = harness(null);
        send(h, "k", 100, "a");
        send(h, "k", 900, "b");
        h.processWatermark(950);
        send(h, "k", 300, "a"); // 650 ms behind the watermark, its session still open: counted, the deadline stays 1900
        h.processWatermark(1899);
        assertThat(verdicts(h)).isEmpty();
        h.processWatermark(1900);
        assertThat(verdicts(h)).singleElement().asString()
                .startsWith("900 {\"key\":\"k\",\"first_ts\":100,\"last_ts\":900,\"events\":3,").endsWith("\"closed_by\":\"gap\"}");
    }

    @Test
    void aLateRecordAfterItsSessionClosedStartsANewSession() throws Exception {
        var h = harness(null);
        send(h, "k", 100, "a");
        send(h, "k", 200, "b");
        h.processWatermark(1200);
        assertThat(verdicts(h)).containsExactly(verdict("k", 100, 200, 2, "normal", null, "null", "gap"));
        // 250 is behind the watermark by more than the out-of-orderness: the closed session stays closed and the
        // record starts a new one, due at 1250
        send(h, "k", 250, "a");
        h.processWatermark(1249);
        assertThat(verdicts(h)).isEmpty();
        h.processWatermark(1250);
        assertThat(verdicts(h)).containsExactly(verdict("k", 250, 250, 1, "anomalous", "end", "1", "gap"));
        // so late that its deadline (150 + gap) has passed already: closed at the next watermark
        send(h, "k", 150, "a");
        h.processWatermark(1251);
        assertThat(verdicts(h)).containsExactly(verdict("k", 150, 150, 1, "anomalous", "end", "1", "gap"));
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void eventsOfAnOpenSessionSetNoTimersAndAnEarlyTimerReArmsAtTheDeadline() throws Exception {
        var h = harness(null);
        send(h, "k", 100, "a");
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        send(h, "k", 200, "b");
        send(h, "k", 300, "a");
        assertThat(h.numEventTimeTimers()).isEqualTo(1); // still the one set at 1100
        h.processWatermark(1100); // fires early: re-armed at 1300
        assertThat(verdicts(h)).isEmpty();
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        h.processWatermark(1300);
        assertThat(verdicts(h)).singleElement().asString().contains("\"events\":3,");
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void theOpenSessionsGaugeCountsOpenedMinusClosed() throws Exception {
        var h = harness(null);
        double before = openSessions();
        send(h, "k1", 100, "a");
        send(h, "k2", 110, "a");
        send(h, "k3", 120, "a");
        send(h, "k3", 130, "END"); // closed by its marker
        send(h, "k4", 140, "b");
        assertThat(openSessions() - before).isEqualTo(3); // k1, k2, k4
        send(h, "k4", 5000, "a"); // closes k4's session by gap and opens its next one
        h.processWatermark(1200); // closes k1, k2
        assertThat(verdicts(h)).hasSize(4); // k3's by its marker, k4's, k1's, k2's
        assertThat(openSessions() - before).isEqualTo(1);
        h.processWatermark(6000);
        assertThat(verdicts(h)).hasSize(1);
        assertThat(openSessions() - before).isZero();
    }

    /**
     * What the open-sessions gauge of this JVM's Flink subtasks reads (the shared metrics' counter: other tests in
     * this JVM may have registered the gauge name on the same registry first).
     */
    private static double openSessions() {
        return dev.seqpredict.metrics.StreamMetrics.shared(dev.seqpredict.metrics.MetricsEndpoint.registry(),
                PredictFunction.ENGINE).sessionsOpen();
    }
}
