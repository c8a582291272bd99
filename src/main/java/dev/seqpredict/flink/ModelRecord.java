package dev.seqpredict.flink;

import dev.seqpredict.processor.PublishedModel;

/**
 * One record of the models topic: key = model name, value = artifact bytes (null or empty = withdraw),
 * and the raw values of the signature headers (null when absent; see {@link PublishedModel}).
 */
public class ModelRecord {
    public String name;
    public byte[] artifact;
    public byte[] keyIdHeader;
    public byte[] signatureHeader;

    public ModelRecord() {
    }

    public ModelRecord(String name, byte[] artifact) {
        this(name, artifact, null, null);
    }

    public ModelRecord(String name, byte[] artifact, byte[] keyIdHeader, byte[] signatureHeader) {
        this.name = name;
        this.artifact = artifact;
        this.keyIdHeader = keyIdHeader;
        this.signatureHeader = signatureHeader;
    }

    public PublishedModel published() {
        return new PublishedModel(name, artifact, keyIdHeader, signatureHeader);
    }

    @Override
    public String toString() {
        return "model " + name + " (" + (artifact == null ? 0 : artifact.length) + " bytes)";
    }
}
