package dev.seqpredict.demo;

import dev.seqpredict.flink.FlinkStreamEngine;
import dev.seqpredict.processor.JobSettings;

/** The Flink job, in-process on a MiniCluster (checkpoints every second, exactly-once output). */
final class FlinkEngine implements StreamEngine {
    private final FlinkStreamEngine engine = new FlinkStreamEngine();

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public void start(JobSettings settings) throws Exception {
        engine.start(settings);
    }

    @Override
    public void close() throws Exception {
        engine.close();
    }
}
