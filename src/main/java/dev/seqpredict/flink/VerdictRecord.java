package dev.seqpredict.flink;

/**
 * A session verdict as the verdicts topic gets it: the entity id (record key), the session's last ts (record
 * timestamp) and the JSON value of {@link dev.seqpredict.processor.SessionJson}. A Flink POJO.
 */
public class VerdictRecord {
    public String key;
    public long ts;
    public byte[] json;

    public VerdictRecord() {
    }

    public VerdictRecord(String key, long ts, byte[] json) {
        this.key = key;
        this.ts = ts;
        this.json = json;
    }

    @Override
    public String toString() {
        return new String(json, java.nio.charset.StandardCharsets.UTF_8);
    }
}
