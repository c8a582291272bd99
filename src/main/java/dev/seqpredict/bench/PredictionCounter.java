package dev.seqpredict.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the predictions topic from the beginning on its own thread: counts records, notes the receive
 * time of the records that mark the throughput window, the latency (receive time − record timestamp, i.e.
 * the event's send time) of the records of the latency window, and when the first prediction of a given
 * model version arrived.
 */
final class PredictionCounter implements Runnable, AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final long[] marks;          // counts whose receive time is wanted
    private final long[] markTimes;
    private final long latencyFrom;
    private final long latencyTo;
    private final long[] latencies;
    private final byte[] versionNeedle;
    private volatile long count;
    private volatile long versionSeenAt = -1;
    private volatile boolean watchVersion;
    private volatile boolean stop;
    private volatile Throwable failure;

    PredictionCounter(String bootstrap, String topic, int partitions, boolean readCommitted, long[] marks,
                      long latencyFrom, long latencyTo, String watchedVersion) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        this.consumer = new KafkaConsumer<>(p);
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        this.marks = marks.clone();
        this.markTimes = new long[marks.length];
        Arrays.fill(markTimes, -1);
        this.latencyFrom = latencyFrom;
        this.latencyTo = latencyTo;
        this.latencies = new long[(int) Math.max(0, latencyTo - latencyFrom)];
        this.versionNeedle = ("\"version\":\"" + watchedVersion + "\"").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void run() {
        try {
            long c = 0;
            int nextMark = 0;
            while (!stop) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (c >= latencyFrom && c < latencyTo) {
                        latencies[(int) (c - latencyFrom)] = now - r.timestamp();
                    }
                    c++;
                    while (nextMark < marks.length && c >= marks[nextMark]) {
                        markTimes[nextMark++] = now;
                    }
                    if (watchVersion && versionSeenAt < 0 && contains(r.value(), versionNeedle)) {
                        versionSeenAt = now;
                    }
                }
                count = c;
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close();
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    long count() {
        if (failure != null) {
            throw new IllegalStateException("prediction consumer failed", failure);
        }
        return count;
    }

    long markTime(int i) {
        return markTimes[i];
    }

    void watchVersion() {
        watchVersion = true;
    }

    long versionSeenAt() {
        return versionSeenAt;
    }

    /** The latencies of the latency window, sorted (ms). */
    long[] sortedLatencies() {
        long[] l = latencies.clone();
        Arrays.sort(l);
        return l;
    }

    /** Waits until {@code n} predictions have arrived; false on timeout. */
    boolean await(long n, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (count() < n) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public void close() {
        stop = true;
    }
}
