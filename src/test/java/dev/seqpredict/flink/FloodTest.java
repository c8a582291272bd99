package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.EventStreams.CommittedCounter;
import dev.seqpredict.testing.EventStreams.Ev;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A flood through each engine: {@code seqpredict.flood.events} events (default 500,000 per engine;
 * {@code -Dseqpredict.flood.events=N} for another size), 10% of them bad, of every kind in turn
 * (malformed JSON, NaN, wrong arity, wrong type, unknown event, oversized, missing key, missing ts), mixed
 * with good sensor and log events on 16 keys. Every good event is predicted exactly as the core predicts
 * the good events alone (per key, in order, byte for byte), and every bad one is in the DLQ with its
 * original key and bytes and its reason.
 */
class FloodTest {
    private static final Logger LOG = LoggerFactory.getLogger(FloodTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    private static final int EVENTS = Integer.getInteger("seqpredict.flood.events", 500_000);
    private static final RecurrentModel SENSORS = TestModels.regression(71, CellType.LSTM, 2, 8, 1, "sensors", "1");
    private static final RecurrentModel LOGS = TestModels.classification(72, CellType.GRU, 10, 8, 1, "logs", "1");

    private static List<Ev> flood;
    private static Map<String, List<String>> want;
    private static List<String> wantDead;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void reference() {
        flood = EventStreams.flood(11, EVENTS);
        JobSettings s = JobSettings.fromProperties(EventStreams.floodProperties("unused"));
        // the core over the good events alone: bad ones must leave no trace in any key's state
        EventStreams.CoreReference core = new EventStreams.CoreReference(s)
                .offer("sensors", TestModels.bytes(SENSORS)).offer("logs", TestModels.bytes(LOGS))
                .feed(flood.stream().filter(Ev::good).toList());
        want = core.byKey();
        wantDead = EventStreams.expectedDeadLetters(flood, s.maxEventBytes());
        long good = flood.stream().filter(Ev::good).count();
        assertThat(core.predicted()).as("every good event is predictable").isEqualTo(good);
        // and the core alone rejects exactly the bad ones
        EventStreams.CoreReference withBad = new EventStreams.CoreReference(s)
                .offer("sensors", TestModels.bytes(SENSORS)).offer("logs", TestModels.bytes(LOGS)).feed(flood);
        assertThat(withBad.rejected()).isEqualTo(flood.size() - good);
        assertThat(withBad.byKey()).isEqualTo(want);
    }

    /** The surefire JVM is shared by every test class: do not keep a few hundred MB of flood alive after this one. */
    @AfterAll
    static void release() {
        flood = null;
        want = null;
        wantDead = null;
    }

    private static Properties topics(String engine) {
        return topics(engine, true);
    }

    private static Properties topics(String engine, boolean publishModels) {
        Properties p = EventStreams.floodProperties(KAFKA.bootstrapServers());
        p.setProperty(JobSettings.EVENTS_TOPIC, KAFKA.newTopic("flood-" + engine + "-events", 4));
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, KAFKA.newTopic("flood-" + engine + "-predictions"));
        p.setProperty(JobSettings.DLQ_TOPIC, KAFKA.newTopic("flood-" + engine + "-dlq"));
        String models = KafkaTestSupport.uniqueTopic("flood-" + engine + "-models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        p.setProperty(JobSettings.MODELS_TOPIC, models);
        if (publishModels) {
            publishModels(models);
        }
        return p;
    }

    private static void publishModels(String models) {
        KAFKA.produceBytes(List.of(
                new ProducerRecord<>(models, "sensors".getBytes(StandardCharsets.UTF_8), TestModels.bytes(SENSORS)),
                new ProducerRecord<>(models, "logs".getBytes(StandardCharsets.UTF_8), TestModels.bytes(LOGS))));
    }

    private static void check(JobSettings s, String engine, long t0, Supplier<String> status) throws Exception {
        long bad = wantDead.size();
        try (CommittedCounter out = new CommittedCounter(KAFKA.bootstrapServers(), s.predictionsTopic(), "read_committed");
             CommittedCounter written = new CommittedCounter(KAFKA.bootstrapServers(), s.predictionsTopic(), "read_uncommitted");
             CommittedCounter dead = new CommittedCounter(KAFKA.bootstrapServers(), s.deadLetterTopic(), "read_committed")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(400).toNanos();
            while (!out.await(EVENTS - bad, Duration.ofSeconds(20)) && System.nanoTime() < deadline) {
                // why a run is slow or stuck: written but not committed (transactions), or not written at all
                LOG.info("{} flood progress: {} of {} predictions committed, {} written, {} dead letters; {}", engine,
                        out.count(), EVENTS - bad, written.count(), dead.count(), status.get());
                assertThat(dead.count()).as("%s: good events dead-lettered", engine).isLessThanOrEqualTo(bad);
            }
            assertThat(out.count()).as("%s: committed predictions (%d written; %s)", engine, written.count(), status.get())
                    .isGreaterThanOrEqualTo(EVENTS - bad);
            assertThat(dead.await(bad, Duration.ofSeconds(120))).as("%s: dead letters", engine).isTrue();
        }
        Map<String, List<String>> got = EventStreams.byKey(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), s.predictionsTopic()));
        assertThat(EventStreams.firstDifference(want, got)).as(engine).isNull();
        assertThat(got).isEqualTo(want);
        List<String> gotDead = EventStreams.deadLetters(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), s.deadLetterTopic()));
        assertThat(gotDead).hasSameSizeAs(wantDead);
        assertThat(gotDead).isEqualTo(wantDead);
        Map<String, Integer> reasons = new TreeMap<>();
        gotDead.forEach(d -> reasons.merge(d.substring(0, d.indexOf('|')), 1, Integer::sum));
        LOG.info("{} flood: {} events, {} predicted, {} dead letters {} in {} s", engine, EVENTS, EVENTS - bad, bad, reasons,
                (System.nanoTime() - t0) / 1_000_000_000);
        assertThat(reasons).containsOnlyKeys("malformed", "non_finite", "wrong_arity", "wrong_type", "unknown_event",
                "oversized", "missing_key");
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void flinkPredictsEveryGoodEventAndDeadLettersEveryBadOne() throws Exception {
        long t0 = System.nanoTime();
        JobSettings s = JobSettings.fromProperties(topics("flink", false));
        EventStreams.produce(KAFKA.bootstrapServers(), s.eventsTopic(), flood);
        MiniCluster cluster = FlinkReliability.startCluster(1, 2);
        try {
            // A first start on a backlog: the flood is in the topic before the job starts and the models are
            // published only once it runs, so events are read before any model. They are held; the hold cap
            // must cover a key's backlog, or the surplus is dead-lettered as no_model (which is what made this
            // test look stalled on a loaded machine, when the models source happened to start late).
            long backlogPerKey = flood.stream().filter(Ev::good).collect(Collectors.groupingBy(Ev::key, Collectors.counting()))
                    .values().stream().mapToLong(Long::longValue).max().orElseThrow();
            FlinkSettings f = FlinkReliability.flink("flood", 1000, "hashmap",
                    Map.of(FlinkSettings.HOLD_MAX_EVENTS, Long.toString(backlogPerKey)));
            JobID job = FlinkReliability.submit(cluster, s, f, 2, null);
            FlinkReliability.awaitAllRunning(cluster, job, Duration.ofSeconds(120));
            publishModels(s.modelsTopic());
            check(s, "flink", t0, () -> FlinkReliability.describe(cluster, job));
            FlinkReliability.cancel(cluster, job);
        } finally {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void kafkaStreamsPredictsEveryGoodEventAndDeadLettersEveryBadOne() throws Exception {
        long t0 = System.nanoTime();
        Properties p = topics("kstreams");
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("flood-app"));
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.commit.interval.ms", "500");
        p.setProperty(PredictionApp.HTTP_PORT, "-1");
        JobSettings s = JobSettings.fromProperties(p);
        EventStreams.produce(KAFKA.bootstrapServers(), s.eventsTopic(), flood);
        try (PredictionApp app = PredictionApp.start(p)) {
            await().atMost(Duration.ofSeconds(120)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
            check(s, "kstreams", t0, () -> "streams " + app.streams().state());
        }
    }
}
