package dev.seqpredict.flink;

/**
 * A prediction as the predictions topic gets it: the entity id (record key) and the JSON value of
 * {@link dev.seqpredict.processor.PredictionJson}, plus the fields tests and logs look at.
 */
public class PredictionRecord {
    public String key;
    public long ts;
    public String model;
    public String version;
    public byte[] json;

    public PredictionRecord() {
    }

    public PredictionRecord(String key, long ts, String model, String version, byte[] json) {
        this.key = key;
        this.ts = ts;
        this.model = model;
        this.version = version;
        this.json = json;
    }

    @Override
    public String toString() {
        return new String(json, java.nio.charset.StandardCharsets.UTF_8);
    }
}
