package dev.seqpredict.flink;

import dev.seqpredict.processor.DeadLetter;

/** A rejected event for the dead-letter topic: its original bytes, the reason and where it came from. */
public class DeadLetterRecord {
    public byte[] keyBytes;
    public byte[] value;
    /** The {@link dev.seqpredict.processor.RejectReason} id. */
    public String reason;
    public String detail;
    public String topic;
    public int partition;
    public long offset;
    /** The original key's size when {@link #keyBytes} was cut to the key limit, else -1. */
    public int originalKeyBytes = -1;
    /** The original value's size when {@link #value} was cut to the event limit, else -1. */
    public int originalValueBytes = -1;

    /** What was cut, as the core describes it (for the headers). */
    public DeadLetter.Payload payload() {
        return new DeadLetter.Payload(keyBytes, value, originalKeyBytes, originalValueBytes);
    }

    public DeadLetterRecord() {
    }

    /** The dead letter of {@code r}, its key and value cut to the limits (see {@link DeadLetter.Payload}). */
    public DeadLetterRecord(EventRecord r, String reason, String detail, int maxKeyBytes, int maxValueBytes) {
        DeadLetter.Payload payload = DeadLetter.Payload.of(r.keyBytes, r.value, maxKeyBytes, maxValueBytes);
        this.keyBytes = payload.key();
        this.value = payload.value();
        this.originalKeyBytes = payload.originalKeyBytes();
        this.originalValueBytes = payload.originalValueBytes();
        this.reason = reason;
        this.detail = detail;
        this.topic = r.topic;
        this.partition = r.partition;
        this.offset = r.offset;
    }

    @Override
    public String toString() {
        return reason + ": " + detail + " (" + topic + "-" + partition + "@" + offset + ")";
    }
}
