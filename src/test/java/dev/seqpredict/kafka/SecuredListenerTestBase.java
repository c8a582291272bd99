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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An authenticated connection: the in-process broker gets one more listener with the security protocol a
 * subclass sets up, and every client of the pipeline reaches it only through the {@code kafka.*}
 * passthrough of the job settings (the CLI's {@code publish} through {@code --property}): the model is
 * published with the CLI, the Kafka Streams application and the Flink job each predict a stream end to
 * end over that listener, and a client with the wrong credentials is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
abstract class SecuredListenerTestBase {
    private static final RecurrentModel MODEL = TestModels.regression(91, CellType.LSTM, 2, 8, 1, "sensors", "1");

    private EmbeddedKafka kafka;
    private int securePort;

    @TempDir
    Path dir;

    /** The listener's security protocol, e.g. {@code SASL_PLAINTEXT} or {@code SSL}. */
    abstract String protocol();

    /** Broker settings of the listener, under {@code prefix} ({@code listener.name.<name>.}). */
    abstract Map<String, String> listenerSettings(String prefix) throws Exception;

    /** The client security settings, as a deployment writes them in its job properties; wrong ones if asked. */
    abstract Map<String, String> clientSecurity(boolean valid) throws Exception;

    /** What a client with the wrong credentials gets. */
    abstract Class<? extends Exception> refusal();

    @BeforeAll
    void startBrokerWithSecuredListener() throws Exception {
        RuntimeException last = null;
        String name = protocol().toLowerCase(java.util.Locale.ROOT);
        for (int attempt = 0; attempt < 3 && kafka == null; attempt++) { // fresh ports if one was taken meanwhile
            int[] ports = EmbeddedKafka.freePorts(3);
            Map<String, String> o = new LinkedHashMap<>();
            o.put("listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + ",CONTROLLER://127.0.0.1:" + ports[1]
                    + "," + protocol() + "://127.0.0.1:" + ports[2]);
            o.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[0] + "," + protocol() + "://127.0.0.1:" + ports[2]);
            o.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT," + protocol() + ":" + protocol());
            o.putAll(listenerSettings("listener.name." + name + "."));
            try {
                kafka = EmbeddedKafka.start(null, o, () -> ports);
                securePort = ports[2];
            } catch (RuntimeException e) {
                last = e;
            }
        }
        if (kafka == null) {
            throw last;
        }
    }

    @AfterAll
    void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private String secured() {
        return "127.0.0.1:" + securePort;
    }

    private Map<String, String> clientSecurity() {
        try {
            return clientSecurity(true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Properties job(String engine) {
        Properties p = EventStreams.floodProperties(secured());
        clientSecurity().forEach((k, v) -> p.setProperty("kafka." + k, v));
        String events = KafkaTestSupport.uniqueTopic("sec-" + engine + "-events");
        String predictions = KafkaTestSupport.uniqueTopic("sec-" + engine + "-predictions");
        String dlq = KafkaTestSupport.uniqueTopic("sec-" + engine + "-dlq");
        String models = KafkaTestSupport.uniqueTopic("sec-" + engine + "-models");
        kafka.createTopics(2, events);
        kafka.createTopics(1, predictions, dlq);
        kafka.createCompactedTopic(models, 1);
        p.setProperty(JobSettings.EVENTS_TOPIC, events);
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, predictions);
        p.setProperty(JobSettings.DLQ_TOPIC, dlq);
        p.setProperty(JobSettings.MODELS_TOPIC, models);
        return p;
    }

    /** {@code seqpredict publish} over the secured listener, credentials through --property. */
    private void publishWithCli(String topic) throws Exception {
        Path model = dir.resolve("sensors.safetensors");
        Files.write(model, TestModels.bytes(MODEL));
        List<String> args = new ArrayList<>(List.of("publish", "--bootstrap-servers", secured(), "--topic", topic,
                "--name", "sensors", "--model", model.toString(), "--timeout", "60"));
        clientSecurity().forEach((k, v) -> args.addAll(List.of("--property", k + "=" + v)));
        CommandLine cl = SeqPredictCli.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute(args.toArray(String[]::new))).as("publish: %s %s", out, err).isZero();
        assertThat(out.toString()).contains("published");
    }

    private Map<String, Object> clientConfig(Map<String, String> security) {
        Map<String, Object> c = new HashMap<>(EventStreams.bulkProducerConfig(secured()));
        c.putAll(security);
        return c;
    }

    private void produce(String topic, List<Ev> events) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(clientConfig(clientSecurity()), new ByteArraySerializer(), new ByteArraySerializer())) {
            EventStreams.produce(p, topic, events);
        }
    }

    /** Reads {@code n} committed records over the secured listener. */
    private List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
        Map<String, Object> c = KafkaTestSupport.consumerConfig(secured());
        c.putAll(clientSecurity());
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
    void aClientWithTheWrongCredentialsIsRefused() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(clientConfig(clientSecurity(false)), new ByteArraySerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("any", new byte[] {1})).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(refusal());
        }
    }

    @Test
    void kafkaStreamsAndTheCliWorkOverTheSecuredListenerThroughTheKafkaPassthrough() throws Exception {
        Properties p = job("kstreams");
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("sec-app"));
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
    void theFlinkJobWorksOverTheSecuredListenerThroughTheKafkaPassthrough() throws Exception {
        Properties p = job("flink");
        publishWithCli(p.getProperty(JobSettings.MODELS_TOPIC));
        p.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
        p.setProperty(FlinkSettings.PARALLELISM, "1");
        p.setProperty(FlinkSettings.GROUP_ID, "sec-flink");
        p.setProperty(FlinkSettings.TRANSACTIONAL_ID_PREFIX, KafkaTestSupport.uniqueTopic("sec-flink"));
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
