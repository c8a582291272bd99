package dev.seqpredict.bench;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes sensor events {@code {"ts": <send time ms>, "values": [8 floats]}} for keys {@code k0..k(N-1)},
 * round-robin, so event i goes to key i mod N. The Kafka record timestamp is the send time too; both
 * engines copy it to the prediction record, which is what the latency is measured against.
 */
final class EventFeed implements AutoCloseable {
    private static final int POOL = 1024;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int keys;
    private final String[] values = new String[POOL];
    private final byte[][] keyBytes;
    private long next;

    EventFeed(String bootstrap, String topic, int keys, int inputSize, long seed) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.keys = keys;
        this.keyBytes = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            keyBytes[k] = ("k" + k).getBytes(StandardCharsets.UTF_8);
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < POOL; i++) {
            StringBuilder sb = new StringBuilder("[");
            for (int j = 0; j < inputSize; j++) {
                sb.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", r.nextGaussian()));
            }
            values[i] = sb.append(']').toString();
        }
    }

    /** Sends the next event (asynchronously); returns its send time. */
    long send() {
        long now = System.currentTimeMillis();
        int k = (int) (next % keys);
        String v = "{\"ts\":" + now + ",\"values\":" + values[(int) (next % POOL)] + "}";
        producer.send(new ProducerRecord<>(topic, null, now, keyBytes[k], v.getBytes(StandardCharsets.UTF_8)));
        next++;
        return now;
    }

    long sent() {
        return next;
    }

    void flush() {
        producer.flush();
    }

    /** Sends {@code n} events at {@code rate} per second (in 10 ms slices). */
    void paced(long n, double rate, Runnable atHalf) throws InterruptedException {
        long start = System.nanoTime();
        long done = 0;
        boolean half = false;
        while (done < n) {
            long due = Math.min(n, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
            while (done < due) {
                send();
                done++;
            }
            if (!half && atHalf != null && done >= n / 2) {
                half = true;
                producer.flush();
                atHalf.run();
            }
            producer.flush();
            Thread.sleep(10);
        }
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
