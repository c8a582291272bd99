package dev.seqpredict.flink;

import dev.seqpredict.processor.JobSettings;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * The Flink prediction job in this JVM (a MiniCluster), for the demo: {@link PredictionJob#startLocal}
 * with a short checkpoint interval, since exactly-once output becomes visible at each checkpoint.
 * {@link #start} returns once the job is running; {@link #close} cancels it.
 */
public final class FlinkStreamEngine implements AutoCloseable {
    public static final String ENGINE = "flink";

    private final Properties flinkProperties;
    private JobClient job;

    /** Checkpoints every second, parallelism 2, heap state. */
    public FlinkStreamEngine() {
        this(defaults());
    }

    /** @param flinkProperties {@link FlinkSettings} keys (e.g. {@code flink.state.backend=rocksdb}) */
    public FlinkStreamEngine(Properties flinkProperties) {
        this.flinkProperties = flinkProperties;
    }

    private static Properties defaults() {
        Properties p = new Properties();
        p.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "1000");
        p.setProperty(FlinkSettings.PARALLELISM, "2");
        return p;
    }

    public String name() {
        return ENGINE;
    }

    public synchronized void start(JobSettings settings) throws Exception {
        if (job != null) {
            throw new IllegalStateException("already started");
        }
        Properties p = new Properties();
        p.putAll(flinkProperties);
        // a fresh transactional id prefix per run, so a previous run's producers never fence this one
        p.putIfAbsent(FlinkSettings.TRANSACTIONAL_ID_PREFIX, "seqpredict-flink-" + UUID.randomUUID().toString().substring(0, 8));
        FlinkSettings flink = FlinkSettings.fromProperties(p);
        job = PredictionJob.kafka(settings, flink).startLocal();
        awaitRunning(Duration.ofSeconds(60));
    }

    private void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus s = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (s == JobStatus.RUNNING) {
                return;
            }
            if (s.isGloballyTerminalState()) {
                throw new IllegalStateException("the Flink job ended while starting: " + s);
            }
            Thread.sleep(50);
        }
        throw new TimeoutException("the Flink job is not running after " + timeout);
    }

    public synchronized JobClient jobClient() {
        return job;
    }

    @Override
    public synchronized void close() throws Exception {
        if (job != null) {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } finally {
                job = null;
            }
        }
    }
}
