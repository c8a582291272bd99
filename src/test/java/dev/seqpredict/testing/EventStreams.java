package dev.seqpredict.testing;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictionJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Large event streams for the reliability tests (failures, rescaling, floods), the core reference they
 * are compared with, and helpers to produce them fast and read the committed output per key.
 *
 * <p>The comparison is per key and in order, on the exact JSON bytes of every prediction: a lost, a
 * duplicated, a reordered or a numerically different prediction (one float bit) all fail it.
 */
public final class EventStreams {
    private EventStreams() {
    }

    /** One input record: key (null = no key), value bytes, whether it must be predicted, and the expected DLQ reason. */
    public record Ev(String key, byte[] value, boolean good, String reason) {
        public static Ev good(String key, String json) {
            return new Ev(key, json.getBytes(StandardCharsets.UTF_8), true, null);
        }

        public static Ev bad(String key, String json, String reason) {
            return new Ev(key, json.getBytes(StandardCharsets.UTF_8), false, reason);
        }

        public String json() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    /** {@code perKey} rounds of one sensor event (2 values) for each of the keys, interleaved; ts from {@code tsFrom}. */
    public static List<Ev> sensorEvents(long seed, List<String> keys, int perKey, long tsFrom) {
        Random r = new Random(seed);
        List<Ev> out = new ArrayList<>(keys.size() * perKey);
        for (int i = 0; i < perKey; i++) {
            for (String k : keys) {
                out.add(Ev.good(k, sensorJson(tsFrom + i, (float) r.nextGaussian(), 10 + 2 * (float) r.nextGaussian())));
            }
        }
        return out;
    }

    public static String sensorJson(long ts, float a, float b) {
        return "{\"ts\":" + ts + ",\"values\":[" + a + "," + b + "]}";
    }

    public static List<String> keys(String prefix, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(prefix + i);
        }
        return keys;
    }

    /**
     * The engine-neutral reference: the shared parser and {@link KeyedPredictor} over the records in order,
     * with the models offered so far; what a run without failures emits, per key, as JSON.
     */
    public static final class CoreReference {
        private final ModelRegistry registry;
        private final KeyedPredictor predictor;
        private final EventParser parser;
        private final Map<String, KeyState> states = new HashMap<>();
        private final Map<String, List<String>> out = new TreeMap<>();
        private long predicted;
        private long rejected;

        public CoreReference(JobSettings settings) {
            registry = settings.newRegistry(ModelRegistry.ArtifactVerifier.ACCEPT_ALL);
            predictor = new KeyedPredictor(settings.predictor());
            parser = settings.newParser();
        }

        public CoreReference offer(String name, byte[] artifact) {
            registry.offer(name, artifact);
            return this;
        }

        public CoreReference feed(List<Ev> events) {
            for (Ev e : events) {
                EventParser.Result parsed = parser.parse(e.key(), e.value());
                if (!parsed.ok()) {
                    rejected++;
                    continue;
                }
                Event ev = parsed.event();
                Outcome o = predictor.process(states.get(ev.key()), ev, registry.select(ev));
                if (o instanceof Outcome.Predicted p) {
                    states.put(ev.key(), p.state());
                    out.computeIfAbsent(ev.key(), k -> new ArrayList<>())
                            .add(new String(PredictionJson.toBytes(p.prediction()), StandardCharsets.UTF_8));
                    predicted++;
                } else {
                    rejected++;
                }
            }
            return this;
        }

        /** key → its predictions' JSON in order. */
        public Map<String, List<String>> byKey() {
            return out;
        }

        public long predicted() {
            return predicted;
        }

        public long rejected() {
            return rejected;
        }

        public KeyState state(String key) {
            return states.get(key);
        }
    }

    /** Producer settings for bulk loads: idempotent, acks=all, larger batches. */
    public static Map<String, Object> bulkProducerConfig(String bootstrap) {
        Map<String, Object> c = KafkaTestSupport.producerConfig(bootstrap);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        return c;
    }

    /** Sends the records in order (one producer, so each key's records keep their order) and waits for every ack. */
    public static void produce(String bootstrap, String topic, List<Ev> events) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(bulkProducerConfig(bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            produce(p, topic, events);
        }
    }

    /**
     * Produces the events in chunks of 5,000 from another thread, 100 ms apart, so they arrive while a job
     * runs (and fails); join the returned thread to wait for the last ack.
     */
    public static Thread produceInBackground(String bootstrap, String topic, List<Ev> events) {
        Thread t = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(bulkProducerConfig(bootstrap),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                int chunk = 5_000;
                for (int i = 0; i < events.size(); i += chunk) {
                    produce(p, topic, new ArrayList<>(events.subList(i, Math.min(events.size(), i + chunk))));
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "producer-" + topic);
        t.setDaemon(true);
        t.start();
        return t;
    }

    public static void produce(KafkaProducer<byte[], byte[]> p, String topic, List<Ev> events) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        for (Ev e : events) {
            acks.add(p.send(new ProducerRecord<>(topic, e.key() == null ? null : e.key().getBytes(StandardCharsets.UTF_8), e.value())));
        }
        p.flush();
        try {
            for (Future<RecordMetadata> f : acks) {
                f.get(120, TimeUnit.SECONDS);
            }
        } catch (Exception ex) {
            throw new IllegalStateException("produce to " + topic + " failed", ex);
        }
    }

    /** key → values in offset order (one key lives in one partition, so its order is the partition's). */
    public static Map<String, List<String>> byKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<String>> m = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            m.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Every record committed so far (read_committed, from the beginning to the last stable offset). */
    public static List<ConsumerRecord<byte[], byte[]>> readAllCommitted(String bootstrap, String topic) {
        return KafkaTestSupport.readAllCommitted(bootstrap, topic, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Duration.ofSeconds(90));
    }

    /** A human-readable first difference between two per-key outputs (assertion messages of 200k records are useless). */
    public static String firstDifference(Map<String, List<String>> want, Map<String, List<String>> got) {
        if (!want.keySet().equals(got.keySet())) {
            return "keys differ: want " + want.keySet() + ", got " + got.keySet();
        }
        for (String k : want.keySet()) {
            List<String> w = want.get(k);
            List<String> g = got.get(k);
            for (int i = 0; i < Math.min(w.size(), g.size()); i++) {
                if (!w.get(i).equals(g.get(i))) {
                    return "key " + k + " record " + i + ": want " + w.get(i) + ", got " + g.get(i);
                }
            }
            if (w.size() != g.size()) {
                return "key " + k + ": want " + w.size() + " records, got " + g.size()
                        + (g.size() > w.size() ? " (extra: " + g.get(w.size()) + ")" : "");
            }
        }
        return null;
    }

    /**
     * Follows a topic under read_committed from the beginning in the background and counts what it saw,
     * so a test can wait for progress without re-reading everything.
     */
    public static final class CommittedCounter implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long count;
        private volatile RuntimeException failure;

        public CommittedCounter(String bootstrap, String topic, String isolation) {
            thread = new Thread(() -> {
                Map<String, Object> c = KafkaTestSupport.consumerConfig(bootstrap);
                c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    List<TopicPartition> tps = new ArrayList<>();
                    while (tps.isEmpty() && running) {
                        try {
                            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(5))) {
                                tps.add(new TopicPartition(topic, p.partition()));
                            }
                        } catch (org.apache.kafka.common.errors.TimeoutException e) {
                            // broker down or topic not there yet
                        }
                    }
                    consumer.assign(tps);
                    consumer.seekToBeginning(tps);
                    while (running) {
                        try {
                            count += consumer.poll(Duration.ofMillis(200)).count();
                        } catch (org.apache.kafka.common.errors.TimeoutException e) {
                            // broker restarting: keep polling
                        }
                    }
                } catch (RuntimeException e) {
                    if (running) {
                        failure = e;
                    }
                }
            }, "committed-counter-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        public long count() {
            if (failure != null) {
                throw failure;
            }
            return count;
        }

        /** Waits until at least {@code n} records were seen; false on timeout. */
        public boolean await(long n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count() < n) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(50);
            }
            return true;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    /** The bad kinds of a flood, in turn, and the DLQ reason each must get. */
    public static final String[][] BAD_KINDS = {
            {"malformed_json", "malformed"}, {"nan", "non_finite"}, {"wrong_arity", "wrong_arity"},
            {"wrong_type", "wrong_type"}, {"unknown_event", "unknown_event"}, {"oversized", "oversized"},
            {"missing_key", "missing_key"}, {"missing_ts", "malformed"}};

    /** Job properties of a flood: model chosen by the event's field (sensors by default, "logs" for log events), 2 KB limit. */
    public static Properties floodProperties(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(JobSettings.BOOTSTRAP_SERVERS, bootstrap);
        p.setProperty(JobSettings.MODEL_NAME, "sensors");
        p.setProperty(JobSettings.MODEL_SELECTION, "field");
        p.setProperty(JobSettings.MAX_EVENT_BYTES, "2048");
        return p;
    }

    /**
     * {@code n} events, every 10th one bad, of each of {@link #BAD_KINDS} in turn; the good ones are sensor
     * events (2 values) on keys s0..s11 and log events (ids 1..10, model "logs") on keys l0..l3.
     */
    public static List<Ev> flood(long seed, int n) {
        Random r = new Random(seed);
        List<Ev> out = new ArrayList<>(n);
        String pad = "x".repeat(2100);
        int bad = 0;
        for (int i = 0; i < n; i++) {
            long ts = 1_700_000_000_000L + i;
            boolean log = i % 4 == 3;
            String key = log ? "l" + (i / 4) % 4 : "s" + (i % 12);
            if (i % 10 == 9) {
                String[] kind = BAD_KINDS[bad++ % BAD_KINDS.length];
                String json = switch (kind[0]) {
                    case "malformed_json" -> "{\"ts\":" + ts + ",\"values\":[1.0,";
                    case "nan" -> "{\"ts\":" + ts + ",\"values\":[NaN,1.0]}";
                    case "wrong_arity" -> "{\"ts\":" + ts + ",\"values\":[1.0,2.0,3.0]}";
                    case "wrong_type" -> "{\"ts\":" + ts + ",\"values\":[1.0,\"2.0\"]}";
                    case "unknown_event" -> "{\"ts\":" + ts + ",\"event\":\"999\",\"model\":\"logs\"}";
                    case "oversized" -> "{\"ts\":" + ts + ",\"values\":[1.0,2.0],\"pad\":\"" + pad + "\"}";
                    case "missing_key" -> "{\"ts\":" + ts + ",\"values\":[1.0,2.0]}";
                    case "missing_ts" -> "{\"values\":[1.0,2.0]}";
                    default -> throw new IllegalStateException(kind[0]);
                };
                String k = kind[0].equals("unknown_event") ? "l" + (i % 4) : "s" + (i % 12);
                out.add(Ev.bad(kind[0].equals("missing_key") ? null : k, json, kind[1]));
            } else if (log) {
                out.add(Ev.good(key, "{\"ts\":" + ts + ",\"event\":" + (1 + r.nextInt(10)) + ",\"model\":\"logs\"}"));
            } else {
                out.add(Ev.good(key, sensorJson(ts, (float) r.nextGaussian(), 10 + 2 * (float) r.nextGaussian())));
            }
        }
        return out;
    }

    /**
     * "reason|key|value" of each bad input, sorted: what the DLQ must hold (an oversized value cut to
     * {@code maxEventBytes}, as the jobs write it; every other one whole).
     */
    public static List<String> expectedDeadLetters(List<Ev> events, int maxEventBytes) {
        List<String> out = new ArrayList<>();
        for (Ev e : events) {
            if (!e.good()) {
                byte[] v = e.value().length > maxEventBytes ? Arrays.copyOf(e.value(), maxEventBytes) : e.value();
                out.add(e.reason() + "|" + e.key() + "|" + new String(v, StandardCharsets.UTF_8));
            }
        }
        out.sort(null);
        return out;
    }

    /** "reason|key|value" of each DLQ record, sorted. */
    public static List<String> deadLetters(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.add(KafkaTestSupport.header(r, "seqpredict.reason") + "|"
                    + (r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8)) + "|"
                    + new String(r.value(), StandardCharsets.UTF_8));
        }
        out.sort(null);
        return out;
    }

    /** Records per key of a list of inputs that must be predicted. */
    public static Map<String, Integer> goodPerKey(List<Ev> events) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Ev e : events) {
            if (e.good()) {
                m.merge(e.key(), 1, Integer::sum);
            }
        }
        return m;
    }
}
