package dev.seqpredict.demo;

/** The engines the demo can run the job on. */
public final class StreamEngines {
    private StreamEngines() {
    }

    public static StreamEngine create(String name) {
        return switch (name) {
            case "flink" -> new FlinkEngine();
            case "kstreams" -> new KStreamsEngine();
            default -> throw new IllegalArgumentException("unknown engine '" + name + "'; expected flink or kstreams");
        };
    }
}
