package dev.seqpredict.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.flink.FlinkStreamEngine;
import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Records as large as the broker takes, through each engine: a value just under Kafka's default 1 MiB
 * request limit, so that the dead letter would not fit if it carried the whole value plus its reason
 * headers, and a key of 600,000 bytes with a valid value. Both go to the DLQ with reason
 * {@code oversized}, their bytes cut to the job's limits and the original sizes in headers; the good
 * events around them are predicted; the job neither fails nor loops on them.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class OversizedRecordsTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    /** With the record overhead this is just under the producer's default max.request.size (1,048,576). */
    private static final int HUGE_VALUE = 1_048_400;
    private static final int HUGE_KEY = 600_000;

    @TempDir
    Path stateDir;

    @ParameterizedTest
    @ValueSource(strings = {"flink", "kstreams"})
    void recordsAsLargeAsTheBrokerTakesAreDeadLetteredCutToTheLimitsAndTheRestFlowsOn(String engine) throws Exception {
        String events = KAFKA.newTopic("big-events", 1);
        String predictions = KAFKA.newTopic("big-predictions");
        String dlq = KAFKA.newTopic("big-dlq");
        String models = KafkaTestSupport.uniqueTopic("big-models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, bytes("default"),
                TestModels.bytes(TestModels.regression(5, CellType.LSTM, 2, 8, 2, "default", "1")))));

        byte[] hugeValue = new byte[HUGE_VALUE];
        Arrays.fill(hugeValue, (byte) ' ');
        byte[] start = bytes("{\"ts\":3,\"values\":[1,2]}");
        System.arraycopy(start, 0, hugeValue, 0, start.length);
        byte[] hugeKey = new byte[HUGE_KEY];
        Arrays.fill(hugeKey, (byte) 'k');
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            in.add(new ProducerRecord<>(events, bytes("a"), bytes("{\"ts\":" + t + ",\"values\":[" + t + ",1]}")));
        }
        in.add(new ProducerRecord<>(events, bytes("a"), hugeValue));
        in.add(new ProducerRecord<>(events, hugeKey, bytes("{\"ts\":3,\"values\":[1,2]}")));
        for (int t = 4; t < 7; t++) {
            in.add(new ProducerRecord<>(events, bytes("a"), bytes("{\"ts\":" + t + ",\"values\":[" + t + ",1]}")));
        }
        KAFKA.produceBytes(in);

        JobSettings settings = JobSettings.defaults(KAFKA.bootstrapServers()).withTopics(events, predictions, dlq, models);
        try (AutoCloseable job = start(engine, settings)) {
            awaitCount(predictions, 6);
            awaitCount(dlq, 2);
        }
        List<ConsumerRecord<byte[], byte[]>> out = read(predictions);
        assertThat(out).hasSize(6).allSatisfy(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("a"));
        List<ConsumerRecord<byte[], byte[]>> dead = read(dlq);
        assertThat(dead).hasSize(2).allSatisfy(r -> assertThat(KafkaTestSupport.header(r, DeadLetter.REASON)).isEqualTo("oversized"));

        ConsumerRecord<byte[], byte[]> bigValue = dead.get(0);
        assertThat(bigValue.key()).isEqualTo(bytes("a"));
        assertThat(bigValue.value()).hasSize(EventParser.DEFAULT_MAX_EVENT_BYTES)
                .isEqualTo(Arrays.copyOf(hugeValue, EventParser.DEFAULT_MAX_EVENT_BYTES));
        assertThat(KafkaTestSupport.header(bigValue, DeadLetter.VALUE_BYTES)).isEqualTo(Integer.toString(HUGE_VALUE));
        assertThat(KafkaTestSupport.header(bigValue, DeadLetter.KEY_BYTES)).isNull();

        ConsumerRecord<byte[], byte[]> bigKey = dead.get(1);
        assertThat(bigKey.key()).hasSize(EventParser.DEFAULT_MAX_KEY_BYTES).isEqualTo(Arrays.copyOf(hugeKey, EventParser.DEFAULT_MAX_KEY_BYTES));
        assertThat(bigKey.value()).isEqualTo(bytes("{\"ts\":3,\"values\":[1,2]}"));
        assertThat(KafkaTestSupport.header(bigKey, DeadLetter.KEY_BYTES)).isEqualTo(Integer.toString(HUGE_KEY));
        assertThat(KafkaTestSupport.header(bigKey, DeadLetter.DETAIL)).contains("key is " + HUGE_KEY + " bytes");
    }

    private AutoCloseable start(String engine, JobSettings settings) throws Exception {
        if (engine.equals("flink")) {
            Properties flink = new Properties();
            flink.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
            flink.setProperty(FlinkSettings.RESTART_ATTEMPTS, "0"); // a failure on the huge record fails the test at once
            FlinkStreamEngine e = new FlinkStreamEngine(flink);
            e.start(settings);
            return e;
        }
        Properties p = settings.toProperties();
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("big"));
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.commit.interval.ms", "200");
        p.setProperty(PredictionApp.HTTP_PORT, "-1");
        PredictionApp app = PredictionApp.start(p);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
        return app;
    }

    private static void awaitCount(String topic, int n) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> read(topic).size() >= n);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return KafkaTestSupport.readAllCommitted(KAFKA.bootstrapServers(), topic, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Duration.ofSeconds(10));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
