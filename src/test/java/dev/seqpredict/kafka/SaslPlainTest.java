package dev.seqpredict.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.seqpredict.cli.SeqPredictCli;
import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.flink.PredictionJob;
import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.EventStreams.Ev;
import dev.seqpredict.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An authenticated connection: the in-process broker gets a SASL_PLAINTEXT listener with the PLAIN
 * mechanism (one user in the listener's JAAS config), and every client of the pipeline reaches it only
 * through the {@code kafka.*} passthrough of the job settings (the CLI's {@code publish} through
 * {@code --property}): the model is published with the CLI, the Kafka Streams application and the Flink
 * job each predict a stream end to end over that listener, and a client with a wrong password is refused.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SaslPlainTest {
    private static final String USER = "seqpredict";
    private static final String PASSWORD = "s3cret-pl41n";
    private static final RecurrentModel MODEL = TestModels.regression(91, CellType.LSTM, 2, 8, 1, "sensors", "1");

    private static EmbeddedKafka kafka;
    private static int saslPort;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrokerWithSaslListener() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 3 && kafka == null; attempt++) { // fresh ports if one was taken meanwhile
            int[] ports = EmbeddedKafka.freePorts(3);
            Map<String, String> o = new LinkedHashMap<>();
            o.put("listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",CONTROLLER://127.0.0.1:" + ports[1]
                    + ",SASL_PLAINTEXT://127.0.0.1:" + ports[2]);
            o.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",SASL_PLAINTEXT://127.0.0.1:" + ports[2]);
            o.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
            o.put("sasl.enabled.mechanisms", "PLAIN");
            o.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
            o.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\"" + PASSWORD + "\";");
            try {
                kafka = EmbeddedKafka.start(null, o, () -> ports);
                saslPort = ports[2];
            } catch (RuntimeException e) {
                last = e;
            }
        }
        if (kafka == null) {
            throw last;
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String sasl() {
        return "127.0.0.1:" + saslPort;
    }

    /** The client security settings, as a deployment writes them in its job properties. */
    private static Map<String, String> clientSecurity(String password) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("security.protocol", "SASL_PLAINTEXT");
        m.put("sasl.mechanism", "PLAIN");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + USER
                + "\" password=\"" + password + "\";");
        return m;
    }

    private Properties job(String engine) {
        Properties p = EventStreams.floodProperties(sasl());
        clientSecurity(PASSWORD).forEach((k, v) -> p.setProperty("kafka." + k, v));
        String events = KafkaTestSupport.uniqueTopic("sasl-" + engine + "-events");
        String predictions = KafkaTestSupport.uniqueTopic("sasl-" + engine + "-predictions");
        String dlq = KafkaTestSupport.uniqueTopic("sasl-" + engine + "-dlq");
        String models = KafkaTestSupport.uniqueTopic("sasl-" + engine + "-models");
        kafka.createTopics(2, events);
        kafka.createTopics(1, predictions, dlq);
        kafka.createCompactedTopic(models, 1);
        p.setProperty(JobSettings.EVENTS_TOPIC, events);
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, predictions);
        p.setProperty(JobSettings.DLQ_TOPIC, dlq);
        p.setProperty(JobSettings.MODELS_TOPIC, models);
        return p;
    }

    /** {@code seqpredict publish} over the SASL listener, credentials through --property. */
    private void publishWithCli(String topic) throws Exception {
        Path model = dir.resolve("sensors.safetensors");
        Files.write(model, TestModels.bytes(MODEL));
        List<String> args = new ArrayList<>(List.of("publish", "--bootstrap-servers", sasl(), "--topic", topic,
                "--name", "sensors", "--model", model.toString(), "--timeout", "60"));
        clientSecurity(PASSWORD).forEach((k, v) -> args.addAll(List.of("--property", k + "=" + v)));
        CommandLine cl = SeqPredictCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute(args.toArray(String[]::new))).as("publish: %s %s", out, err).isZero();
        assertThat(out.toString()).contains("published");
    }

    private static Map<String, Object> clientConfig(String password) {
        Map<String, Object> c = new HashMap<>(EventStreams.bulkProducerConfig(sasl()));
        c.putAll(clientSecurity(password));
        return c;
    }

    private static void produce(String topic, List<Ev> events) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(clientConfig(PASSWORD), new ByteArraySerializer(), new ByteArraySerializer())) {
            EventStreams.produce(p, topic, events);
        }
    }

    /** Reads {@code n} committed records over the SASL listener. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
        Map<String, Object> c = KafkaTestSupport.consumerConfig(sasl());
        c.putAll(clientSecurity(PASSWORD));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private void endToEnd(Properties p, Runnable startAndAwaitRunning, List<Ev> events) {
        JobSettings s = JobSettings.fromProperties(p);
        Map<String, List<String>> want = new EventStreams.CoreReference(s).offer("sensors", TestModels.bytes(MODEL)).feed(events).byKey();
        startAndAwaitRunning.run();
        produce(s.eventsTopic(), events);
        List<ConsumerRecord<byte[], byte[]>> out = read(s.predictionsTopic(), events.size());
        assertThat(out).hasSize(events.size());
        assertThat(EventStreams.byKey(out)).isEqualTo(want);
    }

    @Test
    void aWrongPasswordIsRefused() {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(clientConfig("wrong"), new ByteArraySerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("any", new byte[] {1})).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void kafkaStreamsAndTheCliWorkOverSaslPlainThroughTheKafkaPassthrough() throws Exception {
        Properties p = job("kstreams");
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("sasl-app"));
        p.setProperty("streams.state.dir", dir.resolve("state").toString());
        p.setProperty("streams.commit.interval.ms", "200");
        p.setProperty(PredictionApp.HTTP_PORT, "-1");
        publishWithCli(p.getProperty(JobSettings.MODELS_TOPIC));
        PredictionApp[] app = new PredictionApp[1];
        try {
            endToEnd(p, () -> {
                try {
                    app[0] = PredictionApp.start(p);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                await().atMost(Duration.ofSeconds(120)).until(() -> app[0].streams().state() == KafkaStreams.State.RUNNING);
            }, EventStreams.sensorEvents(1, EventStreams.keys("a", 4), 50, 0));
        } finally {
            if (app[0] != null) {
                app[0].close();
            }
        }
    }

    @Test
    void theFlinkJobWorksOverSaslPlainThroughTheKafkaPassthrough() throws Exception {
        Properties p = job("flink");
        publishWithCli(p.getProperty(JobSettings.MODELS_TOPIC));
        p.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
        p.setProperty(FlinkSettings.PARALLELISM, "1");
        p.setProperty(FlinkSettings.GROUP_ID, "sasl-flink");
        p.setProperty(FlinkSettings.TRANSACTIONAL_ID_PREFIX, KafkaTestSupport.uniqueTopic("sasl-flink"));
        JobClient[] job = new JobClient[1];
        try {
            endToEnd(p, () -> {
                try {
                    job[0] = PredictionJob.kafka(JobSettings.fromProperties(p), FlinkSettings.fromProperties(p)).startLocal();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, EventStreams.sensorEvents(2, EventStreams.keys("b", 4), 50, 0));
        } finally {
            if (job[0] != null) {
                job[0].cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
