package dev.seqpredict.flink;

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

    public DeadLetterRecord() {
    }

    public DeadLetterRecord(EventRecord r, String reason, String detail) {
        this.keyBytes = r.keyBytes;
        this.value = r.value;
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
