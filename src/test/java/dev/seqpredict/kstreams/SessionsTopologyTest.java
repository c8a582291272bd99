package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.SessionSettings;
import dev.seqpredict.testing.EndSymbolModels;
import dev.seqpredict.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import dev.seqpredict.processor.KeySession;
import dev.seqpredict.processor.KeySessionCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions in the Kafka Streams topology, in stream time: a key that falls silent gets its verdict once stream time
 * has passed its last record + the gap, and at the latest one punctuation interval later; an end marker closes
 * at once; the key's next session starts from a fresh state; a replay of the same input gives the same verdicts.
 * Expected verdicts follow {@link EndSymbolModels}' hand-set ranking at g = 1 ("a b" normal, "a" ends where the
 * end is unlikely, "b" first is a miss).
 */
class SessionsTopologyTest {
    private static final long GAP = 1000;
    private static final long CHECK = 250;
    private static final String VERDICTS = "verdicts";

    @TempDir
    Path stateDir;

    private final List<TopologyTestDriver> drivers = new ArrayList<>();
    private SimpleMeterRegistry meters;
    private TestInputTopic<String, String> events;
    private TestOutputTopic<String, String> verdicts;
    private TestOutputTopic<String, String> predictions;

    private void start(Path dir) {
        Properties job = KStreamsFixtures.jobProperties("unused:9092", "reset");
        job.setProperty(JobSettings.MODEL_NAME, "default");
        job.setProperty(JobSettings.MODEL_SELECTION, "single");
        job.setProperty(JobSettings.TOP_G, "1");
        job.setProperty(SessionSettings.GAP, Long.toString(GAP));
        job.setProperty(SessionSettings.CHECK, Long.toString(CHECK));
        job.setProperty(SessionSettings.END_EVENT, "END");
        job.setProperty(SessionSettings.VERDICTS_TOPIC, VERDICTS);
        JobSettings settings = JobSettings.fromProperties(job);
        meters = new SimpleMeterRegistry();
        StreamMetrics metrics = new StreamMetrics(meters, PredictionApp.ENGINE);
        TopologyTestDriver driver = new TopologyTestDriver(PredictionTopology.build(settings, metrics),
                KStreamsFixtures.driverConfig(job, settings, metrics, dir));
        drivers.add(driver);
        events = driver.createInputTopic(KStreamsFixtures.EVENTS, new StringSerializer(), new StringSerializer());
        verdicts = driver.createOutputTopic(VERDICTS, new StringDeserializer(), new StringDeserializer());
        predictions = driver.createOutputTopic(KStreamsFixtures.PREDICTIONS, new StringDeserializer(), new StringDeserializer());
        driver.createInputTopic(KStreamsFixtures.MODELS, new StringSerializer(), new ByteArraySerializer())
                .pipeInput("default", TestModels.bytes(EndSymbolModels.abEnd(true)));
    }

    @AfterEach
    void close() {
        drivers.forEach(TopologyTestDriver::close);
    }

    private void send(String key, long ts, String event) {
        events.pipeInput(key, "{\"ts\":" + ts + ",\"event\":\"" + event + "\"}", ts);
    }

    /** Moves stream time to t with a record of another key. */
    private void streamTime(long t) {
        send("clock", t, "a");
    }

    /** The verdicts written since the last call, of keys other than the clock, as "timestamp json". */
    private List<String> verdicts() {
        List<String> out = new ArrayList<>();
        for (TestRecord<String, String> r : verdicts.readRecordsToList()) {
            if (!r.key().equals("clock")) {
                out.add(r.timestamp() + " " + r.value());
            }
        }
        return out;
    }

    private static String verdict(String key, long first, long last, int n, String verdict, String reason, String at, String by) {
        return last + " {\"key\":\"" + key + "\",\"first_ts\":" + first + ",\"last_ts\":" + last + ",\"events\":" + n
                + ",\"model\":\"default\",\"version\":\"1\",\"verdict\":\"" + verdict + "\",\"reason\":"
                + (reason == null ? "null" : "\"" + reason + "\"") + ",\"at\":" + at + ",\"closed_by\":\"" + by + "\"}";
    }

    @Test
    void aSilentKeyGetsItsVerdictWithinTheGapPlusOnePunctuationInterval() {
        start(stateDir);
        send("k1", 100, "a");
        send("k1", 200, "b");
        for (long t = 300; t < 200 + GAP; t += 50) {
            streamTime(t);
        }
        assertThat(verdicts()).isEmpty(); // stream time 1150 < deadline 1200
        long t = 200 + GAP;
        List<String> got = verdicts();
        while (got.isEmpty() && t <= 200 + GAP + CHECK) {
            streamTime(t);
            got = verdicts();
            t += 10;
        }
        assertThat(got).containsExactly(verdict("k1", 100, 200, 2, "normal", null, "null", "gap"));
        assertThat(predictions.readValuesToList()).isNotEmpty();
        assertThat(meters.get("seqpredict.sessions.closed").tag("verdict", "normal").tag("closed_by", "gap")
                .counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anEndMarkerClosesAtOnceAndTheNextSessionStartsFresh() {
        start(stateDir);
        send("k", 100, "a");
        send("k", 200, "b");
        send("k", 300, "END");
        assertThat(verdicts()).containsExactly(verdict("k", 100, 200, 2, "normal", null, "null", "end"));
        // fresh state: "a" is rank 0 after the boundary (a miss, rank 1, after the old session's "b"); the end after
        // "a" is unlikely
        send("k", 400, "a");
        send("k", 500, "END");
        assertThat(verdicts()).containsExactly(verdict("k", 400, 400, 1, "anomalous", "end", "1", "end"));
        // the marker is not predicted: 3 predictions for 3 events
        assertThat(predictions.readValuesToList()).hasSize(3);
        assertThat(drivers.get(0).getKeyValueStore(PredictionTopology.SESSION_STORE).get("k")).isNull();
    }

    @Test
    void theKeysOwnLateRecordClosesTheSessionBeforeItIsProcessed() {
        start(stateDir);
        send("k", 100, "b");       // a miss at 0
        send("k", 5000, "a");      // 4.9 s later: the old session is over first
        assertThat(verdicts()).containsExactly(verdict("k", 100, 100, 1, "anomalous", "miss", "0", "gap"));
    }

    @Test
    void aReplayGivesTheSameVerdicts() {
        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            start(stateDir.resolve("run" + run));
            java.util.Random r = new java.util.Random(7);
            long t = 0;
            for (int i = 0; i < 100; i++) {
                t += 1 + r.nextInt(400);
                String key = "k" + r.nextInt(4);
                String ev = r.nextInt(20) == 0 ? "END" : r.nextBoolean() ? "a" : "b";
                send(key, t, ev);
            }
            streamTime(t + 10 * GAP);
            runs.add(verdicts());
        }
        assertThat(runs.get(0)).hasSizeGreaterThan(8).isEqualTo(runs.get(1));
        assertThat(runs.get(0)).anyMatch(v -> v.contains("\"closed_by\":\"gap\""))
                .anyMatch(v -> v.contains("\"closed_by\":\"end\""));
    }

    /** Moves stream time up from {@code from} in steps of 10 ms until a verdict is written, at most to {@code to}. */
    private List<String> verdictsBy(long from, long to) {
        List<String> got = verdicts();
        for (long t = from; got.isEmpty() && t <= to; t += 10) {
            streamTime(t);
            got = verdicts();
        }
        return got;
    }

    @Test
    void aLateRecordOfAnOpenSessionIsCountedInIt() {
        start(stateDir);
        send("k", 100, "a");
        send("k", 900, "b");
        streamTime(950);
        send("k", 300, "a"); // 650 ms behind stream time, its session still open: counted, the deadline stays 1900
        assertThat(verdictsBy(1000, 1899)).isEmpty();
        assertThat(verdictsBy(1900, 1900 + CHECK)).singleElement().asString()
                .startsWith("900 {\"key\":\"k\",\"first_ts\":100,\"last_ts\":900,\"events\":3,").endsWith("\"closed_by\":\"gap\"}");
    }

    @Test
    void aLateRecordAfterItsSessionClosedStartsANewSession() {
        start(stateDir);
        send("k", 100, "a");
        send("k", 200, "b");
        assertThat(verdictsBy(300, 1200 + CHECK)).containsExactly(verdict("k", 100, 200, 2, "normal", null, "null", "gap"));
        // 250 is behind stream time (~1200) by more than any grace: the closed session stays closed and the record
        // starts a new one, due at 1250
        send("k", 250, "a");
        assertThat(verdictsBy(1250, 1250 + CHECK)).containsExactly(verdict("k", 250, 250, 1, "anomalous", "end", "1", "gap"));
        // so late that its deadline (150 + gap) has passed already: closed by the next punctuation
        send("k", 150, "a");
        long now = 1250 + CHECK;
        assertThat(verdictsBy(now, now + CHECK)).containsExactly(verdict("k", 150, 150, 1, "anomalous", "end", "1", "gap"));
    }

    @Test
    void theOpenSessionsGaugeCountsOpenedMinusClosed() {
        start(stateDir);
        send("k1", 100, "a");
        send("k2", 110, "a");
        send("k3", 120, "a");
        send("k3", 130, "END"); // closed by its marker
        send("k4", 140, "b");
        assertThat(open()).isEqualTo(3); // k1, k2, k4
        send("k4", 5000, "a"); // closes k4's session by gap and opens its next one
        streamTime(5000 + CHECK); // a punctuation past 1110 closes k1, k2; the clock key opens a session
        assertThat(verdicts()).hasSize(4); // k3's by its marker, k4's, k1's, k2's
        assertThat(open()).isEqualTo(2); // k4's second session, the clock's
        streamTime(9000); // closes k4's and the clock's (which opens its next one)
        assertThat(verdicts()).hasSize(1);
        assertThat(open()).isEqualTo(1);
    }

    /**
     * State as the previous release left it: sessions in format 1 (no timer time) with their index entry at the real
     * deadline, moved on every record, plus a stale entry. The session that gets more records is re-armed, not lost
     * or closed early; the silent one closes at its deadline; the stale entry is dropped; one verdict per session.
     */
    @Test
    void stateOfThePreviousReleaseStillClosesEverySessionOnce() {
        start(stateDir);
        send("k1", 100, "a");
        send("k1", 200, "b");
        send("k2", 150, "a");
        TopologyTestDriver driver = drivers.get(drivers.size() - 1);
        KeyValueStore<String, KeySession> store = driver.getKeyValueStore(PredictionTopology.SESSION_STORE);
        KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(PredictionTopology.SESSION_DEADLINES);
        for (String k : List.of("k1", "k2")) {
            KeySession now = store.get(k);
            index.delete(PredictProcessor.deadlineKey(now.timerAt(), k));
            byte[] v2 = KeySessionCodec.toBytes(now);
            byte[] v1 = Arrays.copyOf(v2, v2.length - 8);
            v1[0] = 1;
            store.put(k, KeySessionCodec.fromBytes(v1)); // the store's serde reads format 1 the same way
            index.put(PredictProcessor.deadlineKey(now.deadline(GAP), k), new byte[0]);
        }
        index.put(PredictProcessor.deadlineKey(1120, "k1"), new byte[0]); // stale: not k1's deadline
        assertThat(store.get("k1").timerAt()).isEqualTo(KeySession.AT_DEADLINE);
        send("k1", 400, "a"); // k1's deadline is now 1400; its entry stays at 1200
        assertThat(verdictsBy(300, 1149)).isEmpty();
        assertThat(verdictsBy(1150, 1150 + CHECK)).containsExactly(verdict("k2", 150, 150, 1, "anomalous", "end", "1", "gap"));
        assertThat(verdictsBy(1150 + CHECK, 1399)).isEmpty(); // the stale entry and k1's old one came due: nothing closed
        assertThat(verdictsBy(1400, 1400 + CHECK)).singleElement().asString()
                .startsWith("400 {\"key\":\"k1\",\"first_ts\":100,\"last_ts\":400,\"events\":3,").endsWith("\"closed_by\":\"gap\"}");
        assertThat(store.get("k1")).isNull();
        assertThat(verdictsBy(1400 + CHECK, 5000)).isEmpty();
    }

    private double open() {
        return meters.get("seqpredict.sessions.open").tag("engine", PredictionApp.ENGINE).gauge().value();
    }
}
