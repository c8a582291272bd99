package dev.seqpredict.flink;

/** One record of the models topic: key = model name, value = artifact bytes (null or empty = withdraw). */
public class ModelRecord {
    public String name;
    public byte[] artifact;

    public ModelRecord() {
    }

    public ModelRecord(String name, byte[] artifact) {
        this.name = name;
        this.artifact = artifact;
    }

    @Override
    public String toString() {
        return "model " + name + " (" + (artifact == null ? 0 : artifact.length) + " bytes)";
    }
}
