package dev.seqpredict.kstreams;

import static dev.seqpredict.kstreams.KStreamsFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The application against a real in-process broker: same output as the core, and exactly-once across a crash. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PredictionAppKafkaTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path stateDir;

    private static final RecurrentModel MODEL = TestModels.regression(7, CellType.LSTM, 3, 8, 1, "sensors", "1");

    /** Job properties with fresh topics (events: 2 partitions; models: compacted) and a unique application id. */
    private Properties freshJob(String policy) {
        Properties p = KStreamsFixtures.jobProperties(KAFKA.bootstrapServers(), policy);
        String events = KAFKA.newTopic("events", 2);
        String predictions = KAFKA.newTopic("predictions", 2);
        String dlq = KAFKA.newTopic("dlq");
        String models = KafkaTestSupport.uniqueTopic("models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        p.setProperty(JobSettings.EVENTS_TOPIC, events);
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, predictions);
        p.setProperty(JobSettings.DLQ_TOPIC, dlq);
        p.setProperty(JobSettings.MODELS_TOPIC, models);
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("app"));
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.commit.interval.ms", "200");
        p.setProperty("streams.num.stream.threads", "1");
        p.setProperty("streams.consumer.session.timeout.ms", "6000");
        p.setProperty("streams.consumer.heartbeat.interval.ms", "500");
        p.setProperty(PredictionApp.HTTP_PORT, "0");
        p.setProperty(PredictionApp.SHUTDOWN_TIMEOUT_MS, "20000");
        return p;
    }

    private static void produce(String topic, List<String[]> records) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (String[] r : records) {
            out.add(new ProducerRecord<>(topic, r[0], r[1]));
        }
        KAFKA.produceStrings(out);
    }

    private static void publishModel(String topic, String name, byte[] artifact) {
        KAFKA.produceBytes(List.of(new ProducerRecord<>(topic, name.getBytes(StandardCharsets.UTF_8), artifact)));
    }

    private static void awaitRunning(PredictionApp app) {
        await().atMost(Duration.ofSeconds(60)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
    }

    /** Each key's prediction values in order (partitions interleave keys, but one key stays in order). */
    private static Map<String, List<String>> byKey(List<String> predictionJson) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String v : predictionJson) {
            m.computeIfAbsent(json(v).get("key").asText(), k -> new ArrayList<>()).add(v);
        }
        return m;
    }

    @Test
    void endToEndGivesTheSamePredictionsAsTheCore() throws Exception {
        Properties job = freshJob("rewarm");
        JobSettings settings = JobSettings.fromProperties(job);
        byte[] artifact = TestModels.bytes(MODEL);
        publishModel(settings.modelsTopic(), "sensors", artifact);
        List<String[]> records = KStreamsFixtures.sensorStream(17, List.of("a", "b", "c", "d"), 15, 3);
        List<String> expected = KStreamsFixtures.coreRun(settings, Map.of("sensors", artifact), records);

        try (PredictionApp app = PredictionApp.start(job)) {
            awaitRunning(app);
            produce(settings.eventsTopic(), records);
            produce(settings.eventsTopic(), List.<String[]>of(new String[] {"a", "{\"ts\":1,\"values\":[1,2]}"}));

            List<ConsumerRecord<String, String>> out = KAFKA.readStrings(settings.predictionsTopic(), records.size(), Duration.ofSeconds(60));
            assertThat(out).hasSize(records.size());
            assertThat(byKey(out.stream().map(ConsumerRecord::value).toList())).isEqualTo(byKey(expected));
            assertThat(out).allSatisfy(r -> assertThat(r.key()).isEqualTo(json(r.value()).get("key").asText()));

            List<ConsumerRecord<byte[], byte[]>> dead = KAFKA.readBytes(settings.deadLetterTopic(), 1, Duration.ofSeconds(30));
            assertThat(dead).hasSize(1);
            assertThat(KafkaTestSupport.header(dead.get(0), DeadLetter.REASON)).isEqualTo("wrong_arity");
            assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{\"ts\":1,\"values\":[1,2]}");

            // interactive query through KafkaStreams#store, over HTTP
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/keys/c"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(json(r.body()).get("events").asLong()).isEqualTo(15);
            assertThat(json(r.body()).get("version").asText()).isEqualTo("1");
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/keys/zz"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
        }
    }

    /**
     * Instance 1 dies mid-transaction: a timestamp extractor throws an Error on a marked record in the
     * middle of the second half of the input, which kills the stream thread with a transaction open
     * (records already written in it are aborted, nothing is closed cleanly). A new instance with the
     * same application id and state directory takes over. Read with read_committed, the output equals an
     * uninterrupted run: no prediction lost, none duplicated, per-key state intact.
     */
    @Test
    void aCrashedInstanceRestartsWithExactlyOnceOutput() throws Exception {
        Properties job = freshJob("reset");
        job.setProperty("streams.commit.interval.ms", "2000");
        job.setProperty("streams.default.timestamp.extractor", CrashOnMarkedRecord.class.getName());
        JobSettings settings = JobSettings.fromProperties(job);
        byte[] artifact = TestModels.bytes(MODEL);
        publishModel(settings.modelsTopic(), "sensors", artifact);
        List<String> keys = List.of("a", "b", "c", "d", "e");
        List<String[]> records = new ArrayList<>(KStreamsFixtures.sensorStream(23, keys, 40, 3));
        String[] marked = records.get(160);
        marked[1] = marked[1].replace("{", "{\"crash_here\":true,"); // ignored by the parser
        List<String> expected = KStreamsFixtures.coreRun(settings, Map.of("sensors", artifact), records);
        CrashOnMarkedRecord.ARMED.set(true);

        PredictionApp app1 = PredictionApp.start(job);
        int committedBeforeCrash;
        try {
            awaitRunning(app1);
            produce(settings.eventsTopic(), records.subList(0, 100));
            assertThat(KAFKA.readStrings(settings.predictionsTopic(), 100, Duration.ofSeconds(60))).hasSize(100);
            produce(settings.eventsTopic(), records.subList(100, records.size())); // one batch, one transaction
            await().atMost(Duration.ofSeconds(60)).until(() -> app1.streams().state() == KafkaStreams.State.ERROR);
            assertThat(CrashOnMarkedRecord.ARMED).isFalse();
        } finally {
            app1.close(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
        }
        committedBeforeCrash = readAll(settings.predictionsTopic(), "read_committed").size();
        int writtenBeforeCrash = readAll(settings.predictionsTopic(), "read_uncommitted").size();
        org.slf4j.LoggerFactory.getLogger(PredictionAppKafkaTest.class).info(
                "instance 1 crashed: {} predictions committed, {} written (the rest aborted), of {}",
                committedBeforeCrash, writtenBeforeCrash, records.size());
        assertThat(committedBeforeCrash).isBetween(100, records.size() - 1);
        assertThat(writtenBeforeCrash).as("an open transaction was aborted").isGreaterThan(committedBeforeCrash);

        try (PredictionApp app2 = PredictionApp.start(job)) {
            awaitRunning(app2);
            List<ConsumerRecord<String, String>> out = KAFKA.readStrings(settings.predictionsTopic(), records.size(), Duration.ofSeconds(90));
            assertThat(out).hasSize(records.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> app2.keyState("e") != null && app2.keyState("e").events() == 40);
            Thread.sleep(2500); // a commit interval: anything extra would be visible now
            List<String> all = readAll(settings.predictionsTopic(), "read_committed");
            assertThat(byKey(all)).isEqualTo(byKey(expected));
        }
    }

    private static List<String> readAll(String topic, String isolation) {
        Map<String, Object> c = KafkaTestSupport.consumerConfig(KAFKA.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading %s", topic).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    /** Kills the stream thread (an Error, past every handler) at the marked record, once. */
    public static final class CrashOnMarkedRecord implements TimestampExtractor {
        static final AtomicBoolean ARMED = new AtomicBoolean();

        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            if (record.value() instanceof byte[] v && new String(v, StandardCharsets.UTF_8).contains("crash_here")
                    && ARMED.compareAndSet(true, false)) {
                throw new SimulatedCrash();
            }
            return record.timestamp();
        }
    }

    /** An Error, so it bypasses the processing exception handler and kills the stream thread. */
    private static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash of the stream thread");
        }
    }
}
