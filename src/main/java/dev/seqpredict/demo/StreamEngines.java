package dev.seqpredict.demo;

/** The engines the demo can run the job on. */
public final class StreamEngines {
    private StreamEngines() {
    }

    public static StreamEngine create(String name) {
        throw new IllegalArgumentException("unknown engine '" + name + "'; expected flink or kstreams");
    }
}
