package dev.seqpredict.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class EmbeddedKafkaTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @Test
    void readCommittedSeesCommittedTransactionsOnlyAndAbortedRecordsAreInTheLog() throws Exception {
        String topic = KAFKA.newTopic("tx");
        try (KafkaProducer<String, String> producer = transactionalProducer(KAFKA.bootstrapServers(), "tx-test")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k1", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k2", "committed-2"));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k1", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "k2", "aborted-2"));
            producer.flush(); // the aborted records really reach the log
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k3", "committed-3"));
            producer.commitTransaction();
        }

        List<ConsumerRecord<String, String>> committed = KAFKA.readAllCommittedStrings(topic, TIMEOUT);
        assertThat(committed).extracting(ConsumerRecord::value)
                .containsExactly("committed-1", "committed-2", "committed-3");
        assertThat(committed).extracting(ConsumerRecord::key).containsExactly("k1", "k2", "k3");

        // The same log read uncommitted shows the aborted records: read_committed really filtered them.
        List<String> uncommitted = readUncommittedValues(KAFKA.bootstrapServers(), topic, 5);
        assertThat(uncommitted).containsExactly("committed-1", "committed-2", "aborted-1", "aborted-2",
                "committed-3");
    }

    @Test
    void createsCompactedAndPartitionedTopics() throws Exception {
        String compacted = KafkaTestSupport.uniqueTopic("compacted");
        String plain = KafkaTestSupport.uniqueTopic("plain");
        KAFKA.kafka().createCompactedTopic(compacted, 3);
        KAFKA.kafka().createTopics(2, plain);
        KAFKA.kafka().createTopics(2, plain); // existing topics are skipped, not an error

        try (Admin admin = KAFKA.kafka().admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(compacted, plain)).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            assertThat(topics.get(compacted).partitions()).hasSize(3);
            assertThat(topics.get(plain).partitions()).hasSize(2);

            ConfigResource cr = new ConfigResource(ConfigResource.Type.TOPIC, compacted);
            ConfigResource pr = new ConfigResource(ConfigResource.Type.TOPIC, plain);
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(cr, pr)).all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(configs.get(cr).get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(configs.get(pr).get("cleanup.policy").value()).isEqualTo("delete");
        }
    }

    @Test
    void restartKeepsCommittedRecordsPortsAndAcceptsNewRecords() throws Exception {
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("MEASURED embedded broker start (format + startup + ready): {} ms", startMs);
            String bootstrap = kafka.bootstrapServers();
            String topic = KafkaTestSupport.uniqueTopic("restart");
            kafka.createTopics(topic);

            try (KafkaProducer<String, String> producer = transactionalProducer(bootstrap, "restart-test")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "a", "before-1"));
                producer.send(new ProducerRecord<>(topic, "b", "before-2"));
                producer.commitTransaction();

                long r0 = System.nanoTime();
                kafka.restart();
                LOG.info("MEASURED embedded broker restart (stop + start): {} ms", (System.nanoTime() - r0) / 1_000_000);

                assertThat(kafka.isRunning()).isTrue();
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(KafkaTestSupport.readStrings(bootstrap, topic, 2, TIMEOUT))
                        .extracting(ConsumerRecord::value).containsExactly("before-1", "before-2");

                // The producer created before the restart reconnects to the same address.
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "c", "after-1"));
                producer.commitTransaction();
            }
            KafkaTestSupport.produceStrings(bootstrap, List.of(KafkaTestSupport.record(topic, "d", "after-2")));

            List<ConsumerRecord<String, String>> all = KafkaTestSupport.readAllCommitted(bootstrap, topic,
                    new StringDeserializer(), new StringDeserializer(), TIMEOUT);
            assertThat(all).extracting(ConsumerRecord::value)
                    .containsExactly("before-1", "before-2", "after-1", "after-2");
        }
    }

    @Test
    void stoppedBrokerRefusesClientsUntilRestarted() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String topic = KafkaTestSupport.uniqueTopic("stopped");
            kafka.createTopics(topic);
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            Map<String, Object> config = KafkaTestSupport.producerConfig(kafka.bootstrapServers());
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1500);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                    new StringSerializer())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "x")).get(10, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            }
            kafka.restart();
            KafkaTestSupport.produceStrings(kafka.bootstrapServers(), List.of(KafkaTestSupport.record(topic, null, "y")));
            assertThat(KafkaTestSupport.readStrings(kafka.bootstrapServers(), topic, 1, TIMEOUT))
                    .extracting(ConsumerRecord::value).containsExactly("y");
        }
    }

    @Test
    void closeDeletesTheTemporaryLogDir() {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Path dir = kafka.logDir();
        assertThat(dir.resolve("meta.properties")).isRegularFile();
        kafka.close();
        assertThat(kafka.isRunning()).isFalse();
        assertThat(dir).doesNotExist();
        assertThatThrownBy(kafka::restart).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void givenLogDirIsKeptAndReusedWithItsData(@TempDir Path tmp) {
        Path dir = tmp.resolve("kafka-data");
        String topic = KafkaTestSupport.uniqueTopic("kept");
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            clusterId = kafka.clusterId();
            kafka.createTopics(topic);
            KafkaTestSupport.produceStrings(kafka.bootstrapServers(), List.of(KafkaTestSupport.record(topic, "k", "v")));
        }
        assertThat(dir.resolve("meta.properties")).isRegularFile();
        assertThat(Files.isDirectory(dir)).isTrue();

        try (EmbeddedKafka again = EmbeddedKafka.start(dir)) {
            assertThat(again.clusterId()).isEqualTo(clusterId);
            assertThat(KafkaTestSupport.readStrings(again.bootstrapServers(), topic, 1, TIMEOUT))
                    .extracting(ConsumerRecord::value).containsExactly("v");
        }
    }

    // ---------------------------------------------------------------------------------------------

    static KafkaProducer<String, String> transactionalProducer(String bootstrap, String transactionalId) {
        Map<String, Object> config = KafkaTestSupport.producerConfig(bootstrap);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static List<String> readUncommittedValues(String bootstrap, String topic, int count) {
        Map<String, Object> config = KafkaTestSupport.consumerConfig(bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
            }
            return values;
        }
    }
}
