package dev.seqpredict.kafka;

import static dev.seqpredict.kafka.KafkaTestSupport.bytesRecord;
import static dev.seqpredict.kafka.KafkaTestSupport.header;
import static dev.seqpredict.kafka.KafkaTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The helpers other end-to-end tests rely on; also shows the {@code @ExtendWith} + parameter style. */
@ExtendWith(KafkaTestSupport.class)
class KafkaTestSupportTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void stringRecordsKeepKeysHeadersAndPerPartitionOrder(KafkaTestSupport kafka) {
        String topic = kafka.newTopic("strings", 3);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(record(topic, "key-" + (i % 5), "v" + i, "seq", Integer.toString(i), "source", "test"));
        }
        List<RecordMetadata> acks = kafka.produceStrings(records);
        assertThat(acks).hasSize(30);
        assertThat(acks).extracting(RecordMetadata::partition).containsAnyOf(0, 1, 2);

        List<ConsumerRecord<String, String>> read = kafka.readStrings(topic, 30, TIMEOUT);
        assertThat(read).hasSize(30);
        assertThat(read).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(records.stream().map(ProducerRecord::value).toList());
        for (ConsumerRecord<String, String> r : read) {
            assertThat(r.key()).isEqualTo("key-" + (Integer.parseInt(r.value().substring(1)) % 5));
            assertThat(header(r, "seq")).isEqualTo(r.value().substring(1));
            assertThat(header(r, "source")).isEqualTo("test");
            assertThat(header(r, "missing")).isNull();
        }
        // Same key, same partition, produce order kept: per key the sequence numbers increase.
        for (int k = 0; k < 5; k++) {
            String key = "key-" + k;
            List<Integer> seqs = read.stream().filter(r -> r.key().equals(key))
                    .map(r -> Integer.parseInt(header(r, "seq"))).toList();
            assertThat(seqs).hasSize(6).isSorted();
        }
    }

    @Test
    void bytesRecordsRoundTrip(EmbeddedKafka broker) {
        String topic = KafkaTestSupport.uniqueTopic("bytes");
        broker.createTopics(topic);
        byte[] key = {0, 1, 2, (byte) 0xff};
        byte[] value = new byte[1000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        KafkaTestSupport.produceBytes(broker.bootstrapServers(), List.of(bytesRecord(topic, key, value, "h", "x"),
                bytesRecord(topic, null, new byte[0])));

        List<ConsumerRecord<byte[], byte[]>> read = KafkaTestSupport.readBytes(broker.bootstrapServers(), topic, 2,
                TIMEOUT);
        assertThat(read).hasSize(2);
        assertThat(read.get(0).key()).containsExactly(key);
        assertThat(read.get(0).value()).containsExactly(value);
        assertThat(read.get(0).headers().lastHeader("h").value()).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
        assertThat(read.get(1).key()).isNull();
        assertThat(read.get(1).value()).isEmpty();
    }

    @Test
    void readReturnsWhatArrivedWhenTheCountIsNotReached(KafkaTestSupport kafka) {
        String topic = kafka.newTopic("short");
        kafka.produceStrings(List.of(record(topic, "a", "1"), record(topic, "b", "2")));
        long t0 = System.nanoTime();
        List<ConsumerRecord<String, String>> read = kafka.readStrings(topic, 5, Duration.ofSeconds(2));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(read).extracting(ConsumerRecord::value).containsExactly("1", "2");
        assertThat(ms).isGreaterThanOrEqualTo(1900);
    }

    @Test
    void readWaitsForATopicCreatedLater(KafkaTestSupport kafka) throws Exception {
        String topic = KafkaTestSupport.uniqueTopic("later");
        CompletableFuture<List<ConsumerRecord<String, String>>> reader =
                CompletableFuture.supplyAsync(() -> kafka.readStrings(topic, 1, TIMEOUT));
        Thread.sleep(500);
        kafka.kafka().createTopics(topic);
        kafka.produceStrings(List.of(record(topic, "k", "late")));
        assertThat(reader.get(40, TimeUnit.SECONDS)).extracting(ConsumerRecord::value).containsExactly("late");
    }

    @Test
    void readAllCommittedFailsWhenTheTopicDoesNotExist(KafkaTestSupport kafka) {
        assertThatThrownBy(() -> kafka.readAllCommittedStrings("no-such-topic", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no-such-topic");
    }

    @Test
    void headersMustComeInPairs() {
        assertThatThrownBy(() -> record("t", "k", "v", "lonely")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A restart whose port is briefly held by someone else succeeds once the port is free again. */
    @Test
    void restartRetriesWhileThePortIsTaken() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String topic = KafkaTestSupport.uniqueTopic("busy");
            kafka.createTopics(topic);
            KafkaTestSupport.produceStrings(kafka.bootstrapServers(), List.of(record(topic, "k", "kept")));
            kafka.stop();

            // Hold both ports (the controller listener binds first) so the first attempt must fail.
            List<ServerSocket> squatters = new ArrayList<>();
            for (int port : new int[] {kafka.controllerPort(), kafka.brokerPort()}) {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                squatters.add(s);
            }
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1500);
                    for (ServerSocket s : squatters) {
                        s.close();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            kafka.restart();
            release.get(10, TimeUnit.SECONDS);
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.failedStartAttempts()).isPositive();
            assertThat(KafkaTestSupport.readStrings(kafka.bootstrapServers(), topic, 1, TIMEOUT))
                    .extracting(ConsumerRecord::value).containsExactly("kept");
        }
    }

    /** A first start that loses the port race is retried with new ports on the same log dir. */
    @Test
    void firstStartRetriesWithNewPortsWhenPortsAreTaken() throws Exception {
        List<ServerSocket> squatters = new ArrayList<>();
        int[] taken = new int[2];
        for (int i = 0; i < 2; i++) {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            squatters.add(s);
            taken[i] = s.getLocalPort();
        }
        int[] calls = {0};
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null, java.util.Map.of(),
                () -> calls[0]++ == 0 ? taken.clone() : EmbeddedKafka.freePorts(2))) {
            assertThat(calls[0]).isEqualTo(2);
            assertThat(kafka.failedStartAttempts()).isEqualTo(1);
            assertThat(kafka.brokerPort()).isNotIn(taken[0], taken[1]);
            String topic = KafkaTestSupport.uniqueTopic("race");
            kafka.createTopics(topic);
            KafkaTestSupport.produceStrings(kafka.bootstrapServers(), List.of(record(topic, "k", "ok")));
            assertThat(KafkaTestSupport.readStrings(kafka.bootstrapServers(), topic, 1, TIMEOUT))
                    .extracting(ConsumerRecord::value).containsExactly("ok");
        } finally {
            for (ServerSocket s : squatters) {
                s.close();
            }
        }
    }

    /** Jobs keep asking for the address while the broker restarts: that must not block. */
    @Test
    void addressIsAvailableWithoutBlockingDuringRestart() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String before = kafka.bootstrapServers();
            CompletableFuture<Void> restart = CompletableFuture.runAsync(kafka::restart);
            long maxNanos = 0;
            while (!restart.isDone()) {
                long t0 = System.nanoTime();
                assertThat(kafka.bootstrapServers()).isEqualTo(before);
                maxNanos = Math.max(maxNanos, System.nanoTime() - t0);
                Thread.sleep(5);
            }
            restart.get(60, TimeUnit.SECONDS);
            assertThat(kafka.isRunning()).isTrue();
            assertThat(maxNanos).isLessThan(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }
}
