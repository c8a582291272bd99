package dev.seqpredict.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.EventParser;
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
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Against a real containerized broker (the image docker/docker-compose.yml runs): events produced to a
 * topic are read back, parsed with the project's EventParser, stepped by KeyedPredictor, and written as
 * PredictionJson to a predictions topic, whose records are read back and checked. Skipped where no
 * Docker engine runs (as on the development machines); the engines' own entry points get their
 * container tests once they exist.
 */
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerRoundTripTest {

    static final String KAFKA_IMAGE = "apache/kafka:4.2.0";

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE));

    @Test
    void eventsGoThroughTheBrokerAndComeBackAsPredictions() throws Exception {
        String events = "events-" + UUID.randomUUID();
        String predictions = "predictions-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(events, 1, (short) 1), new NewTopic(predictions, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int t = 1; t <= 5; t++) {
                String json = "{\"ts\":" + (1_700_000_000_000L + t * 1000L) + ",\"values\":[" + t + ".5]}";
                producer.send(new ProducerRecord<>(events, "sensor-1", json.getBytes(StandardCharsets.UTF_8))).get();
            }
            producer.send(new ProducerRecord<>(events, "sensor-1", "{\"ts\":1,\"values\":\"x\"}".getBytes(StandardCharsets.UTF_8))).get();
        }

        ServingModel model = ServingModel.of("sensors", TestModels.regression(5, CellType.LSTM, 1, 8, 1, "sensors", "1"));
        KeyedPredictor predictor = new KeyedPredictor(PredictorConfig.DEFAULTS);
        EventParser parser = new EventParser();
        Map<String, KeyState> state = new HashMap<>();
        int rejected = 0;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (ConsumerRecord<String, byte[]> r : consume(events, 6)) {
                EventParser.Result parsed = parser.parse(r.key(), r.value());
                if (!parsed.ok()) {
                    rejected++;
                    continue;
                }
                Outcome o = predictor.process(state.get(r.key()), parsed.event(), model);
                Outcome.Predicted p = (Outcome.Predicted) o;
                state.put(r.key(), p.state());
                producer.send(new ProducerRecord<>(predictions, r.key(), PredictionJson.toBytes(p.prediction()))).get();
            }
        }
        assertThat(rejected).isEqualTo(1);

        ObjectMapper json = new ObjectMapper();
        List<ConsumerRecord<String, byte[]>> out = consume(predictions, 5);
        assertThat(out).hasSize(5);
        JsonNode last = json.readTree(out.get(4).value());
        assertThat(out.get(4).key()).isEqualTo("sensor-1");
        assertThat(last.get("model").asText()).isEqualTo("sensors");
        assertThat(last.get("events").asInt()).isEqualTo(5);
        assertThat(last.get("prediction")).hasSize(1);
        assertThat(last.get("error").isNumber()).isTrue();
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static List<ConsumerRecord<String, byte[]>> consume(String topic, int n) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "round-trip-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
