package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictionJson;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole job on a Flink MiniCluster against a real in-process Kafka broker: exactly-once Kafka
 * sinks, read back with isolation.level=read_committed.
 */
class PredictionJobEndToEndTest {

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 5;

    private final RecurrentModel v1 = TestModels.regression(31, CellType.LSTM, 2, 8, 1, "default", "1");
    private final RecurrentModel v2 = TestModels.regression(32, CellType.GRU, 2, 8, 1, "default", "2");

    /** The topics of one test run. */
    record Topics(String events, String predictions, String dlq, String models) {
        static Topics create(String prefix) {
            Topics t = new Topics(KafkaTestSupport.uniqueTopic(prefix + "-events"), KafkaTestSupport.uniqueTopic(prefix + "-predictions"),
                    KafkaTestSupport.uniqueTopic(prefix + "-dlq"), KafkaTestSupport.uniqueTopic(prefix + "-models"));
            KAFKA.kafka().createTopics(2, t.events);
            KAFKA.kafka().createTopics(1, t.predictions, t.dlq);
            KAFKA.kafka().createCompactedTopic(t.models, 1);
            return t;
        }
    }

    private static JobSettings settings(Topics t) {
        Properties p = new Properties();
        p.setProperty(JobSettings.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        return JobSettings.fromProperties(p).withTopics(t.events, t.predictions, t.dlq, t.models);
    }

    private static FlinkSettings flink(String id) {
        return flink(id, "hashmap");
    }

    private static FlinkSettings flink(String id, String backend) {
        Properties p = new Properties();
        p.setProperty("state.backend.type", backend);
        p.setProperty(FlinkSettings.PARALLELISM, "2");
        p.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
        p.setProperty(FlinkSettings.RESTART_ATTEMPTS, "3");
        p.setProperty(FlinkSettings.RESTART_DELAY, "200");
        p.setProperty(FlinkSettings.GROUP_ID, "seqpredict-" + id);
        p.setProperty(FlinkSettings.TRANSACTIONAL_ID_PREFIX, "seqpredict-" + id);
        return FlinkSettings.fromProperties(p);
    }

    private static StreamExecutionEnvironment env(FlinkSettings f) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(f.toConfiguration());
        env.setParallelism(2);
        return env;
    }

    /** One event of the test stream; {@code good} = it must be predicted. */
    record In(String key, long ts, float[] values, String raw, boolean good) {
        String json() {
            return raw != null ? raw : "{\"ts\":" + ts + ",\"values\":[" + values[0] + "," + values[1] + "]}";
        }
    }

    /** {@code n} events per key, with a bad record (of each kind in turn) after every 5th round. */
    private static List<In> stream(long seed, int fromTs, int n) {
        Random r = new Random(seed);
        List<In> out = new ArrayList<>();
        String[] bad = {"{not json", "{\"ts\":1,\"values\":[1.0,2.0,3.0]}", "{\"ts\":1,\"values\":[1.0,\"x\"]}"};
        int b = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < KEYS; k++) {
                out.add(new In("k" + k, fromTs + i, new float[] {(float) r.nextGaussian(), 10 + 2 * (float) r.nextGaussian()}, null, true));
            }
            if (i % 5 == 4) {
                out.add(new In("k" + (i % KEYS), -1, null, bad[b++ % bad.length], false));
            }
        }
        return out;
    }

    private static void produce(String topic, List<In> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (In e : events) {
            records.add(new ProducerRecord<>(topic, e.key.getBytes(StandardCharsets.UTF_8), e.json().getBytes(StandardCharsets.UTF_8)));
        }
        KAFKA.produceBytes(records);
    }

    private static void publishModel(String topic, RecurrentModel m) {
        KAFKA.produceBytes(List.of(new ProducerRecord<>(topic, "default".getBytes(StandardCharsets.UTF_8), TestModels.bytes(m))));
    }

    /** What the core gives: per key, KeyedPredictor over the good events, {@code v2From} = first ts under v2. */
    private Map<String, String> expected(List<In> events, long v2From) {
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS);
        ServingModel m1 = ServingModel.of("default", v1);
        ServingModel m2 = ServingModel.of("default", v2);
        Map<String, KeyState> states = new HashMap<>();
        Map<String, String> out = new TreeMap<>();
        for (In e : events) {
            if (!e.good) {
                continue;
            }
            Outcome.Predicted o = (Outcome.Predicted) p.process(states.get(e.key), Event.sensor(e.key, e.ts, e.values),
                    e.ts >= v2From ? m2 : m1);
            states.put(e.key, o.state());
            out.put(e.key + "@" + e.ts, new String(PredictionJson.toBytes(o.prediction()), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static final String PROBE = "probe";

    /** One probe key per subtask of the predict operator (parallelism 2, default max parallelism 128). */
    private static List<String> probeKeys() {
        List<String> keys = new ArrayList<>(List.of("", ""));
        for (int i = 0; keys.contains(""); i++) {
            String k = PROBE + "-" + i;
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(k,
                    KeyGroupRangeAssignment.computeDefaultMaxParallelism(2), 2);
            if (keys.get(subtask).isEmpty()) {
                keys.set(subtask, k);
            }
        }
        return keys;
    }

    /**
     * Sends events on probe keys (one per subtask) until each is predicted by {@code version}: from then
     * on every subtask serves that model, so the events produced next are all predicted by it. Returns the
     * number of probe events sent (each is predicted).
     */
    private static int awaitModelVersion(Topics t, String version) throws Exception {
        List<String> probes = probeKeys();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long ts = 0;
        while (System.nanoTime() < deadline) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (String k : probes) {
                records.add(new ProducerRecord<>(t.events, k.getBytes(StandardCharsets.UTF_8),
                        ("{\"ts\":" + ts + ",\"values\":[0.5,10]}").getBytes(StandardCharsets.UTF_8)));
            }
            ts++;
            KAFKA.produceBytes(records);
            Thread.sleep(300);
            java.util.Set<String> served = new java.util.HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : readAll(t.predictions)) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (probes.contains(key) && JSON.readTree(r.value()).get("version").asText().equals(version)) {
                    served.add(key);
                }
            }
            if (served.size() == probes.size()) {
                return (int) ts * probes.size();
            }
        }
        throw new AssertionError("model version " + version + " never served the probe keys");
    }

    /** key@ts → JSON, failing on a duplicate. */
    private static Map<String, String> byKeyAndTs(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            var node = JSON.readTree(r.value());
            String id = new String(r.key(), StandardCharsets.UTF_8) + "@" + node.get("ts").asLong();
            assertThat(node.get("key").asText()).isEqualTo(new String(r.key(), StandardCharsets.UTF_8));
            String previous = out.put(id, new String(r.value(), StandardCharsets.UTF_8));
            assertThat(previous).as("duplicate prediction for %s", id).isNull();
        }
        return out;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return KafkaTestSupport.readAllCommitted(KAFKA.bootstrapServers(), topic, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Duration.ofSeconds(30));
    }

    private static long good(List<In> events) {
        return events.stream().filter(In::good).count();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void predictsLikeTheCoreDeadLettersBadRecordsAndSwapsModelsMidStream() throws Exception {
        Topics t = Topics.create("e2e");
        FlinkSettings f = flink("e2e");
        publishModel(t.models, v1);
        List<In> first = stream(1, 0, 20);
        List<In> second = stream(2, 1000, 20);
        produce(t.events, first);

        JobClient job = PredictionJob.kafka(settings(t), f).executeAsync(env(f));
        try {
            List<ConsumerRecord<byte[], byte[]>> out1 = KAFKA.readBytes(t.predictions, (int) good(first), Duration.ofSeconds(60));
            assertThat(out1).hasSize((int) good(first));

            publishModel(t.models, v2); // mid-stream: every later event must be predicted by v2
            int probes = awaitModelVersion(t, "2");
            produce(t.events, second);
            long total = good(first) + good(second) + probes;
            List<ConsumerRecord<byte[], byte[]>> out = KAFKA.readBytes(t.predictions, (int) total, Duration.ofSeconds(60));
            assertThat(out).hasSize((int) total);
            int bad = (int) (first.size() - good(first) + second.size() - good(second));
            List<ConsumerRecord<byte[], byte[]>> dlq = KAFKA.readBytes(t.dlq, bad, Duration.ofSeconds(30));
            assertThat(dlq).hasSize(bad);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }

        List<In> all = new ArrayList<>(first);
        all.addAll(second);
        // nothing lost, nothing duplicated, every prediction byte for byte what the core computes
        Map<String, String> got = byKeyAndTs(readAll(t.predictions));
        got.keySet().removeIf(id -> id.startsWith(PROBE + "-"));
        Map<String, String> want = expected(all, 1000);
        assertThat(got.keySet()).isEqualTo(want.keySet());
        assertThat(got).isEqualTo(want);
        assertThat(got.get("k3@1000")).contains("\"version\":\"2\"").contains("\"swapped\":true");
        assertThat(got.get("k3@19")).contains("\"version\":\"1\"");

        // the bad records, with their original bytes and the dead-letter headers
        List<ConsumerRecord<byte[], byte[]>> dlq = readAll(t.dlq);
        List<In> badIn = all.stream().filter(e -> !e.good).toList();
        assertThat(dlq).hasSize(badIn.size());
        Map<String, Integer> reasons = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            assertThat(badIn).anySatisfy(e -> assertThat(e.json()).isEqualTo(value));
            reasons.merge(KafkaTestSupport.header(r, DeadLetter.REASON), 1, Integer::sum);
            assertThat(KafkaTestSupport.header(r, DeadLetter.SOURCE_TOPIC)).isEqualTo(t.events);
            assertThat(KafkaTestSupport.header(r, DeadLetter.SOURCE_OFFSET)).matches("\\d+");
            assertThat(KafkaTestSupport.header(r, DeadLetter.DETAIL)).isNotBlank();
        }
        assertThat(reasons).containsOnlyKeys("malformed", "wrong_arity", "wrong_type");
        assertThat(reasons.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(badIn.size());

        // the dead-letter counter, by reason, summed over the subtasks
        Map<String, Metric> counters = METRICS.findMetrics(job.getJobID(), PredictFunction.DLQ_METRIC);
        for (String reason : List.of("malformed", "wrong_arity", "wrong_type", "no_model")) {
            long n = counters.entrySet().stream().filter(e -> e.getKey().contains(".reason." + reason + "."))
                    .mapToLong(e -> ((Counter) e.getValue()).getCount()).sum();
            assertThat(n).as("%s for %s", PredictFunction.DLQ_METRIC, reason).isEqualTo((long) reasons.getOrDefault(reason, 0));
        }
    }

    /** Throws once, on the n-th record it sees (counted over all subtasks of this JVM). */
    static final class FailOnce implements MapFunction<EventRecord, EventRecord> {
        static final AtomicInteger SEEN = new AtomicInteger();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final int n;

        FailOnce(int n) {
            this.n = n;
        }

        @Override
        public EventRecord map(EventRecord r) {
            if (SEEN.incrementAndGet() == n && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure on record " + n);
            }
            return r;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void afterAFailureAndRecoveryTheCommittedOutputIsTheSameAsWithout(String backend) throws Exception {
        Topics t = Topics.create("fail-" + backend);
        FlinkSettings f = flink("fail-" + backend, backend);
        assertThat(f.toConfiguration().toMap()).containsEntry("state.backend.type", backend);
        publishModel(t.models, v1);
        List<In> first = stream(3, 0, 20);
        List<In> second = stream(4, 1000, 20);
        produce(t.events, first);
        FailOnce.SEEN.set(0);
        FailOnce.FAILED.set(false);

        StreamExecutionEnvironment env = env(f);
        PredictionJob.kafka(settings(t), f).build(env, s -> s.map(new FailOnce(first.size() + 37)).name("fail-once"));
        JobClient job = env.executeAsync("fail-once");
        try {
            // the first batch is committed (so a checkpoint completed) before the failure
            assertThat(KAFKA.readBytes(t.predictions, (int) good(first), Duration.ofSeconds(60))).hasSize((int) good(first));
            produce(t.events, second);
            long total = good(first) + good(second);
            assertThat(KAFKA.readBytes(t.predictions, (int) total, Duration.ofSeconds(90))).hasSize((int) total);
            assertThat(FailOnce.FAILED).isTrue();
            // give a duplicate, if there were one, the time to be committed
            Thread.sleep(1_500);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
        List<In> all = new ArrayList<>(first);
        all.addAll(second);
        Map<String, String> got = byKeyAndTs(readAll(t.predictions)); // fails on a duplicate
        assertThat(got).isEqualTo(expected(all, Long.MAX_VALUE));
        assertThat(readAll(t.dlq)).hasSize((int) (all.size() - good(all)));
    }
}
