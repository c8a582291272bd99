package dev.seqpredict.demo;

import dev.seqpredict.processor.JobSettings;

/** A streaming engine running the prediction job in this JVM, for the demo. */
public interface StreamEngine extends AutoCloseable {

    String name();

    /** Starts the job on the given topics; returns once it is running. */
    void start(JobSettings settings) throws Exception;

    /** Stops the job (gracefully where the engine allows). */
    @Override
    void close() throws Exception;
}
