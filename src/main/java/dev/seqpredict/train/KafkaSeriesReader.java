package dev.seqpredict.train;

import dev.seqpredict.model.Task;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.EventParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic's history with a plain {@link KafkaConsumer} (assigned partitions, no consumer group, no
 * commits): the records present when reading starts, optionally only the last N or those whose record
 * timestamp lies in [from, to]. Records are keyed by entity id; values are JSON
 * {@code {"ts":..,"values":[..]}} (regression) or {@code {"ts":..,"event":..}} (classification). A key's
 * events keep their partition order.
 */
public final class KafkaSeriesReader {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaSeriesReader.class);


    /** What to read. {@code lastN}, {@code fromMs}, {@code toMs} may be null; {@code task} null infers it. */
    public record Request(String bootstrapServers, String topic, Long lastN, Long fromMs, Long toMs, Task task,
                          Duration timeout) {
    }

    private KafkaSeriesReader() {
    }

    public static SeriesSet read(Request r) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, r.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "seqpredict-train");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) r.timeout().toMillis());
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(r.timeout().toMillis(), 30_000));
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            Map<String, List<PartitionInfo>> topics;
            try {
                topics = consumer.listTopics(r.timeout());
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new DataException("cannot reach Kafka at " + r.bootstrapServers() + " within " + r.timeout().toSeconds()
                        + " s (listing topics timed out)");
            }
            List<PartitionInfo> infos = topics.get(r.topic());
            if (infos == null || infos.isEmpty()) {
                throw new DataException("topic '" + r.topic() + "' does not exist on " + r.bootstrapServers());
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
            consumer.assign(parts);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Map<TopicPartition, Long> start = new HashMap<>(begin);
            if (r.fromMs() != null) {
                Map<TopicPartition, Long> query = new HashMap<>();
                parts.forEach(tp -> query.put(tp, r.fromMs()));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
                for (TopicPartition tp : parts) {
                    OffsetAndTimestamp o = found.get(tp);
                    start.put(tp, o == null ? end.get(tp) : o.offset());
                }
            } else if (r.lastN() != null) {
                for (TopicPartition tp : parts) {
                    start.put(tp, Math.max(begin.get(tp), end.get(tp) - r.lastN()));
                }
            }
            parts.forEach(tp -> consumer.seek(tp, start.get(tp)));
            long deadline = System.nanoTime() + r.timeout().toNanos();
            while (!caughtUp(consumer, parts, end)) {
                if (System.nanoTime() > deadline) {
                    throw new DataException("reading topic '" + r.topic() + "' did not reach the end offsets " + end
                            + " within " + r.timeout().toSeconds() + " s");
                }
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(200))) {
                    if (rec.offset() >= end.get(new TopicPartition(rec.topic(), rec.partition()))) {
                        continue;
                    }
                    if (r.fromMs() != null && rec.timestamp() < r.fromMs()) {
                        continue;
                    }
                    if (r.toMs() != null && rec.timestamp() > r.toMs()) {
                        continue;
                    }
                    records.add(rec);
                }
            }
        } catch (KafkaException e) {
            throw new DataException("reading topic '" + r.topic() + "' from " + r.bootstrapServers() + " failed: "
                    + e.getMessage(), e);
        }
        if (r.lastN() != null && records.size() > r.lastN()) {
            List<ConsumerRecord<String, String>> sorted = new ArrayList<>(records);
            sorted.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
            var keep = new java.util.HashSet<ConsumerRecord<String, String>>(
                    sorted.subList(sorted.size() - (int) (long) r.lastN(), sorted.size()));
            records.removeIf(rec -> !keep.contains(rec));
        }
        if (records.isEmpty()) {
            throw new DataException("topic '" + r.topic() + "' has no records in the requested range");
        }
        return toSeries(records, r);
    }

    private static boolean caughtUp(KafkaConsumer<String, String> c, List<TopicPartition> parts,
                                    Map<TopicPartition, Long> end) {
        for (TopicPartition tp : parts) {
            if (c.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    static SeriesSet toSeries(List<ConsumerRecord<String, String>> records, Request r) {
        // Keys in order of their first record's timestamp; each key's events in partition (offset) order.
        List<ConsumerRecord<String, String>> byTime = new ArrayList<>(records);
        byTime.sort(Comparator.comparingLong(ConsumerRecord<String, String>::timestamp)
                .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
        Map<String, SeriesReaders.Builder> byKey = new LinkedHashMap<>();
        byTime.forEach(rec -> {
            if (rec.key() == null) {
                return; // rejected below as missing_key
            }
            byKey.computeIfAbsent(rec.key(), SeriesReaders.Builder::new);
        });
        Task task = r.task();
        int features = -1;
        // The events topic carries whatever producers sent: records the streaming jobs would reject are
        // skipped here too (same parser, same rules), counted, and reported, never trained on.
        EventParser parser = new EventParser();
        Map<String, Integer> skipped = new java.util.TreeMap<>();
        List<ConsumerRecord<String, String>> inOrder = new ArrayList<>(records);
        inOrder.sort(Comparator.comparingInt(ConsumerRecord<String, String>::partition)
                .thenComparingLong(ConsumerRecord::offset));
        for (ConsumerRecord<String, String> rec : inOrder) {
            EventParser.Result parsed = parser.parse(rec.key(),
                    rec.value() == null ? null : rec.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (!parsed.ok()) {
                skipped.merge(parsed.rejection().reason().id(), 1, Integer::sum);
                continue;
            }
            Event e = parsed.event();
            if (task == null) {
                task = e.isLogEvent() ? Task.CLASSIFICATION : Task.REGRESSION;
            }
            if ((task == Task.CLASSIFICATION) != e.isLogEvent()) {
                skipped.merge("wrong_kind", 1, Integer::sum);
                continue;
            }
            if (task == Task.REGRESSION) {
                if (features < 0) {
                    features = e.values().length;
                } else if (e.values().length != features) {
                    skipped.merge("wrong_arity", 1, Integer::sum);
                    continue;
                }
            }
            SeriesReaders.Builder b = byKey.get(rec.key());
            b.ts.add(Long.toString(e.ts()));
            if (task == Task.CLASSIFICATION) {
                b.events.add(e.event().trim());
            } else {
                b.values.add(e.values());
            }
        }
        if (!skipped.isEmpty()) {
            LOG.warn("skipped {} invalid record(s) of topic {} by reason: {}",
                    skipped.values().stream().mapToInt(Integer::intValue).sum(), r.topic(), skipped);
        }
        byKey.values().removeIf(builder -> builder.ts.isEmpty());
        if (byKey.isEmpty()) {
            throw new DataException("topic '" + r.topic() + "' has no valid records in the requested range (skipped: " + skipped + ")");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < features; i++) {
            names.add("x" + i);
        }
        List<Series> series = new ArrayList<>();
        for (SeriesReaders.Builder b : byKey.values()) {
            series.add(b.build(true));
        }
        return new SeriesSet(task, names, series, "kafka:" + r.topic() + "@" + r.bootstrapServers());
    }

    private static String where(ConsumerRecord<String, String> rec) {
        return "topic " + rec.topic() + " partition " + rec.partition() + " offset " + rec.offset() + ": record ";
    }
}
