package dev.seqpredict.flink;

import java.nio.charset.StandardCharsets;

/**
 * One record of the events topic as read, before parsing: the original key and value bytes (kept for
 * the dead-letter topic) and where it came from. A Flink POJO (public fields, no-arg constructor), so
 * it travels with Flink's PojoSerializer, never Kryo.
 */
public class EventRecord {
    /** The entity id decoded as UTF-8, or null when the record has no key. */
    public String key;
    public byte[] keyBytes;
    public byte[] value;
    public String topic;
    public int partition;
    public long offset;
    /**
     * The record's event time in the engine (its Kafka timestamp), kept while the record is held for its model so
     * a session sees the same time on release; {@link #NO_TIMESTAMP} when not known.
     */
    public long timestamp = NO_TIMESTAMP;

    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    public EventRecord() {
    }

    public EventRecord(byte[] keyBytes, byte[] value, String topic, int partition, long offset) {
        this.keyBytes = keyBytes;
        this.key = keyBytes == null ? null : new String(keyBytes, StandardCharsets.UTF_8);
        this.value = value;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    /** A record as if read from {@code topic}, for tests and demos. */
    public static EventRecord of(String key, String json, String topic, int partition, long offset) {
        return new EventRecord(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                json == null ? null : json.getBytes(StandardCharsets.UTF_8), topic, partition, offset);
    }

    /** The key the stream is partitioned by: the entity id, or "" for a record without one. */
    public String partitionKey() {
        return key == null ? "" : key;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + " key=" + key;
    }
}
