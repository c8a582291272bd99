package dev.seqpredict.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.flink.FlinkStreamEngine;
import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise that users can pick either engine: the same events and model through the Flink job and
 * through the Kafka Streams app give the same predictions (byte for byte, per key in order) and the same
 * dead letters (original bytes and reason).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EnginesAgreeTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path stateDir;

    /** {@code flinkBatch}: Flink's {@link FlinkSettings#BATCH_SIZE} (1 = off; 8 = batches hold a key several times). */
    @ParameterizedTest(name = "flink.batch.size={0}")
    @ValueSource(ints = {1, 8})
    void flinkAndKafkaStreamsGiveTheSamePredictionsAndDeadLetters(int flinkBatch) throws Exception {
        String events = KAFKA.newTopic("events", 2);
        String models = KafkaTestSupport.uniqueTopic("models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        byte[] model = TestModels.bytes(TestModels.regression(3, CellType.LSTM, 2, 8, 2, "default", "1"));
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "default".getBytes(StandardCharsets.UTF_8), model)));

        List<ProducerRecord<String, String>> in = new ArrayList<>();
        Random r = new Random(11);
        int good = 0;
        for (int t = 0; t < 40; t++) {
            for (String key : List.of("a", "b", "c", "d", "e")) {
                in.add(new ProducerRecord<>(events, key, "{\"ts\":" + t + ",\"values\":[" + (float) r.nextGaussian() + ","
                        + (10 + (float) r.nextGaussian()) + "]}"));
                good++;
            }
            if (t % 8 == 3) {
                in.add(new ProducerRecord<>(events, "a", "{\"ts\":" + t + ",\"values\":[1]}"));         // wrong arity
                in.add(new ProducerRecord<>(events, "b", "not json"));                                   // malformed
                in.add(new ProducerRecord<>(events, "c", "{\"ts\":" + t + ",\"values\":[NaN,1]}"));     // non finite
                in.add(new ProducerRecord<>(events, "d", "{\"ts\":" + t + ",\"values\":[\"1\",2]}"));   // wrong type
            }
        }
        KAFKA.produceStrings(in);
        int bad = in.size() - good;

        // Flink
        String flinkOut = KAFKA.newTopic("predictions-flink", 2);
        String flinkDlq = KAFKA.newTopic("dlq-flink");
        Properties flink = new Properties();
        flink.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
        flink.setProperty(FlinkSettings.PARALLELISM, "2");
        flink.setProperty(FlinkSettings.BATCH_SIZE, Integer.toString(flinkBatch));
        try (FlinkStreamEngine engine = new FlinkStreamEngine(flink)) {
            engine.start(JobSettings.defaults(KAFKA.bootstrapServers()).withTopics(events, flinkOut, flinkDlq, models));
            awaitCount(flinkOut, good);
            awaitCount(flinkDlq, bad);
        }

        // Kafka Streams
        String ksOut = KAFKA.newTopic("predictions-kstreams", 2);
        String ksDlq = KAFKA.newTopic("dlq-kstreams");
        Properties p = JobSettings.defaults(KAFKA.bootstrapServers()).withTopics(events, ksOut, ksDlq, models).toProperties();
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("agree"));
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.commit.interval.ms", "200");
        p.setProperty(PredictionApp.HTTP_PORT, "-1");
        PredictionApp app = PredictionApp.start(p);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
            awaitCount(ksOut, good);
            awaitCount(ksDlq, bad);
        } finally {
            app.close();
        }

        Map<String, List<String>> fromFlink = byKey(read(flinkOut));
        Map<String, List<String>> fromKStreams = byKey(read(ksOut));
        assertThat(fromFlink.values().stream().mapToInt(List::size).sum()).isEqualTo(good);
        assertThat(fromKStreams).isEqualTo(fromFlink);
        assertThat(deadLetters(flinkDlq)).hasSize(bad).containsExactlyInAnyOrderElementsOf(deadLetters(ksDlq));
        assertThat(deadLetters(flinkDlq)).extracting(s -> s.substring(0, s.indexOf(' ')))
                .containsOnly("wrong_arity", "malformed", "non_finite", "wrong_type");
    }

    private static void awaitCount(String topic, int n) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> read(topic).size() >= n);
    }

    private static List<ConsumerRecord<String, String>> read(String topic) {
        return KafkaTestSupport.readAllCommitted(KAFKA.bootstrapServers(), topic, new StringDeserializer(),
                new StringDeserializer(), Duration.ofSeconds(10));
    }

    /** Each key's predictions in the order they were written (one partition per key keeps that order). */
    private static Map<String, List<String>> byKey(List<ConsumerRecord<String, String>> records) {
        Map<String, List<String>> m = new TreeMap<>();
        for (ConsumerRecord<String, String> rec : records) {
            m.computeIfAbsent(rec.key(), k -> new ArrayList<>()).add(rec.value());
        }
        return m;
    }

    /** "reason value" per dead letter. */
    private static List<String> deadLetters(String topic) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, String> rec : read(topic)) {
            out.add(KafkaTestSupport.header(rec, DeadLetter.REASON) + " " + rec.value());
        }
        return out;
    }
}
