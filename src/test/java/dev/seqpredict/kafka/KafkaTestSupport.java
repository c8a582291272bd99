package dev.seqpredict.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link EmbeddedKafka} broker per test class, plus helpers to produce and read records.
 *
 * <p>Register it on a <b>static</b> field (the broker starts before the first test of the class and
 * is closed after the last one):
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaTestSupport KAFKA = new KafkaTestSupport();
 *
 * @Test
 * void roundTrip() {
 *     String topic = KAFKA.newTopic("in");                       // unique name, created, 1 partition
 *     KAFKA.produceStrings(List.of(KafkaTestSupport.record(topic, "k", "v", "trace", "42")));
 *     List<ConsumerRecord<String, String>> out = KAFKA.readStrings(topic, 1, Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Or {@code @ExtendWith(KafkaTestSupport.class)} and take an {@link EmbeddedKafka} (or the
 * {@code KafkaTestSupport}) as a test or lifecycle method parameter. The static methods take a
 * bootstrap address and work with any broker.
 *
 * <p>All readers use {@code isolation.level=read_committed} and {@code assign} (no consumer group),
 * starting at the earliest offset of every partition.
 */
public final class KafkaTestSupport implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTestSupport.class);
    private static final AtomicInteger TOPIC_COUNTER = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(100);

    private EmbeddedKafka kafka;

    // ------------------------------------------------------------------ JUnit 5 extension

    @Override
    public void beforeAll(ExtensionContext context) {
        if (kafka == null) {
            long t0 = System.nanoTime();
            kafka = EmbeddedKafka.start();
            LOG.info("Broker for {} started in {} ms at {}", context.getDisplayName(),
                    (System.nanoTime() - t0) / 1_000_000, kafka.bootstrapServers());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedKafka.class || type == KafkaTestSupport.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaTestSupport.class ? this : kafka();
    }

    /** The broker of the current test class. */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("no broker: register KafkaTestSupport on a static field "
                    + "with @RegisterExtension, or use @ExtendWith(KafkaTestSupport.class)");
        }
        return kafka;
    }

    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** Creates a topic with a unique name starting with {@code prefix} and one partition. */
    public String newTopic(String prefix) {
        return newTopic(prefix, 1);
    }

    /** Creates a topic with a unique name starting with {@code prefix}. */
    public String newTopic(String prefix, int partitions) {
        String name = uniqueTopic(prefix);
        kafka().createTopics(partitions, name);
        return name;
    }

    public List<RecordMetadata> produceStrings(List<ProducerRecord<String, String>> records) {
        return produceStrings(bootstrapServers(), records);
    }

    public List<RecordMetadata> produceBytes(List<ProducerRecord<byte[], byte[]>> records) {
        return produceBytes(bootstrapServers(), records);
    }

    public List<ConsumerRecord<String, String>> readStrings(String topic, int count, Duration timeout) {
        return readStrings(bootstrapServers(), topic, count, timeout);
    }

    public List<ConsumerRecord<byte[], byte[]>> readBytes(String topic, int count, Duration timeout) {
        return readBytes(bootstrapServers(), topic, count, timeout);
    }

    public List<ConsumerRecord<String, String>> readAllCommittedStrings(String topic, Duration timeout) {
        return readAllCommitted(bootstrapServers(), topic, new StringDeserializer(), new StringDeserializer(),
                timeout);
    }

    // ------------------------------------------------------------------ static helpers

    /** A topic name that is unique within this JVM (letters, digits, dots, dashes only). */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + TOPIC_COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    /**
     * A string record with UTF-8 headers given as alternating names and values:
     * {@code record("t", "key", "value", "h1", "v1", "h2", "v2")}. The key may be {@code null}.
     */
    public static ProducerRecord<String, String> record(String topic, String key, String value,
                                                        String... headerNamesAndValues) {
        return new ProducerRecord<>(topic, null, key, value, headers(headerNamesAndValues));
    }

    /** A bytes record with UTF-8 headers given as alternating names and values. */
    public static ProducerRecord<byte[], byte[]> bytesRecord(String topic, byte[] key, byte[] value,
                                                             String... headerNamesAndValues) {
        return new ProducerRecord<>(topic, null, key, value, headers(headerNamesAndValues));
    }

    /** Headers from alternating names and UTF-8 values. */
    public static List<Header> headers(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("header names and values must come in pairs");
        }
        List<Header> headers = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(new RecordHeader(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        return headers;
    }

    /** The UTF-8 value of the last header called {@code name}, or {@code null}. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Sends with an idempotent producer (acks=all) and waits until every record is acknowledged. */
    public static List<RecordMetadata> produceStrings(String bootstrap, List<ProducerRecord<String, String>> records) {
        return produce(bootstrap, new StringSerializer(), new StringSerializer(), records);
    }

    /** Sends with an idempotent producer (acks=all) and waits until every record is acknowledged. */
    public static List<RecordMetadata> produceBytes(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) {
        return produce(bootstrap, new ByteArraySerializer(), new ByteArraySerializer(), records);
    }

    public static <K, V> List<RecordMetadata> produce(String bootstrap, Serializer<K> keySerializer,
                                                      Serializer<V> valueSerializer,
                                                      List<ProducerRecord<K, V>> records) {
        try (KafkaProducer<K, V> producer = new KafkaProducer<>(producerConfig(bootstrap), keySerializer,
                valueSerializer)) {
            List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
            for (ProducerRecord<K, V> r : records) {
                futures.add(producer.send(r));
            }
            producer.flush();
            List<RecordMetadata> result = new ArrayList<>(futures.size());
            for (Future<RecordMetadata> f : futures) {
                result.add(f.get(30, TimeUnit.SECONDS));
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("produce to " + bootstrap + " failed", e);
        }
    }

    /** Producer settings: idempotent, acks=all, fast batching. Add {@code transactional.id} for EOS. */
    public static Map<String, Object> producerConfig(String bootstrap) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        return c;
    }

    /** Consumer settings for readers: read_committed, earliest, no group, no auto topic creation. */
    public static Map<String, Object> consumerConfig(String bootstrap) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return c;
    }

    public static List<ConsumerRecord<String, String>> readStrings(String bootstrap, String topic, int count,
                                                                   Duration timeout) {
        return read(bootstrap, topic, new StringDeserializer(), new StringDeserializer(), count, timeout);
    }

    public static List<ConsumerRecord<byte[], byte[]>> readBytes(String bootstrap, String topic, int count,
                                                                 Duration timeout) {
        return read(bootstrap, topic, new ByteArrayDeserializer(), new ByteArrayDeserializer(), count, timeout);
    }

    /**
     * Reads committed records of all partitions of {@code topic} from the beginning until at least
     * {@code count} arrived or {@code timeout} passed, and returns what was read (possibly fewer than
     * {@code count}: assert on the size). Waits for the topic to exist. Records of one partition are in
     * offset order; partitions are interleaved as polled.
     */
    public static <K, V> List<ConsumerRecord<K, V>> read(String bootstrap, String topic,
                                                         Deserializer<K> keyDeserializer,
                                                         Deserializer<V> valueDeserializer, int count,
                                                         Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(consumerConfig(bootstrap), keyDeserializer,
                valueDeserializer)) {
            if (!assignAll(consumer, topic, deadline)) {
                return out;
            }
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(POLL).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Reads every record committed so far: polls until each partition reaches its end offset under
     * read_committed (the last stable offset) as of the call. Fails if that takes longer than
     * {@code timeout} (for example when an open transaction holds the last stable offset back).
     */
    public static <K, V> List<ConsumerRecord<K, V>> readAllCommitted(String bootstrap, String topic,
                                                                     Deserializer<K> keyDeserializer,
                                                                     Deserializer<V> valueDeserializer,
                                                                     Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(consumerConfig(bootstrap), keyDeserializer,
                valueDeserializer)) {
            if (!assignAll(consumer, topic, deadline)) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("did not reach end offsets " + end + " of " + topic
                            + " within " + timeout + "; read " + out.size());
                }
                consumer.poll(POLL).forEach(out::add);
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static boolean assignAll(KafkaConsumer<?, ?> consumer, String topic, long deadline) {
        while (true) {
            List<PartitionInfo> partitions = List.of();
            try {
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(2));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // topic or broker not there yet
            }
            if (partitions != null && !partitions.isEmpty()) {
                List<TopicPartition> tps = new ArrayList<>();
                for (PartitionInfo p : partitions) {
                    tps.add(new TopicPartition(topic, p.partition()));
                }
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
