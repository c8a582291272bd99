package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The in-process runner ({@link PredictionJob#startLocal}) as the demo uses it. */
class FlinkStreamEngineTest {

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startsInProcessPredictsAndStops() throws Exception {
        String events = KAFKA.newTopic("events", 2);
        String predictions = KAFKA.newTopic("predictions");
        String dlq = KAFKA.newTopic("dlq");
        String models = KafkaTestSupport.uniqueTopic("models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        JobSettings settings = JobSettings.defaults(KAFKA.bootstrapServers()).withTopics(events, predictions, dlq, models);

        RecurrentModel m = TestModels.regression(5, CellType.GRU, 2, 8, 1, settings.defaultModel(), "7");
        // events first, model after: they are held until the model arrives, not dead-lettered
        List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (String key : List.of("a", "b", "c")) {
                in.add(new ProducerRecord<>(events, key.getBytes(StandardCharsets.UTF_8),
                        ("{\"ts\":" + i + ",\"values\":[" + i + ".5,10]}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        Properties flink = new Properties();
        flink.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
        flink.setProperty(FlinkSettings.PARALLELISM, "2");
        try (FlinkStreamEngine engine = new FlinkStreamEngine(flink)) {
            engine.start(settings);
            assertThat(engine.jobClient().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            KAFKA.produceBytes(in);
            Thread.sleep(500);
            KAFKA.produceBytes(List.of(new ProducerRecord<>(models, settings.defaultModel().getBytes(StandardCharsets.UTF_8),
                    TestModels.bytes(m))));
            List<ConsumerRecord<String, String>> out = KAFKA.readStrings(predictions, 30, Duration.ofSeconds(60));
            assertThat(out).hasSize(30).allSatisfy(r -> assertThat(r.value()).contains("\"version\":\"7\""));
            assertThat(out).filteredOn(r -> r.key().equals("b")).extracting(r -> r.value().replaceAll(".*\"ts\":(\\d+),.*", "$1"))
                    .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
            // the shared metric names, as Kafka Streams exports them (engine="flink")
            String scrape = dev.seqpredict.metrics.MetricsEndpoint.registry().scrape();
            assertThat(scrape).contains("seqpredict_events_in_total{engine=\"flink\"}")
                    .contains("seqpredict_model_active{engine=\"flink\",model=\"default\",version=\"7\"} 1.0");
            double predicted = dev.seqpredict.metrics.MetricsEndpoint.registry().find("seqpredict.predictions")
                    .tags("engine", "flink", "model", "default", "version", "7").counter().count();
            assertThat(predicted).isGreaterThanOrEqualTo(30.0);
        }
        assertThat(KafkaTestSupport.readAllCommitted(KAFKA.bootstrapServers(), dlq,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer(), Duration.ofSeconds(10))).isEmpty();
    }
}
