package dev.seqpredict.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.ChildJvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint;
import org.apache.flink.runtime.taskexecutor.TaskManagerRunner;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A standalone Flink session cluster in separate JVMs, as {@code bin/start-cluster.sh} would start it:
 * one JobManager process and TaskManager processes, each with one slot, on localhost. Unlike a
 * MiniCluster, a TaskManager here can be killed with SIGKILL ({@link #killTaskManager}): the JobManager
 * learns of it only through failed heartbeats and broken connections. The job is submitted over REST
 * from the test JVM; its classes are on every process's classpath (the test classpath), so it ships no jar.
 */
final class FlinkProcessCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int restPort;
    private ChildJvm jobManager;
    private int jobManagersStarted = 1;
    private final List<ChildJvm> taskManagers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private int started;

    private FlinkProcessCluster(Path dir, int restPort, ChildJvm jobManager) {
        this.dir = dir;
        this.restPort = restPort;
        this.jobManager = jobManager;
    }

    /** Starts the JobManager and {@code taskManagers} TaskManagers and waits until they registered. */
    static FlinkProcessCluster start(Path dir, int taskManagers) throws Exception {
        return start(dir, taskManagers, Map.of());
    }

    /**
     * As {@link #start(Path, int)}, with more cluster configuration ({@link #zooKeeperHa} for a JobManager
     * that can be killed and replaced).
     */
    static FlinkProcessCluster start(Path dir, int taskManagers, Map<String, String> more) throws Exception {
        int rpcPort = freePort();
        int restPort = freePort();
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("jobmanager.rpc.address", "localhost");
        conf.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        conf.put("jobmanager.bind-host", "localhost");
        conf.put("jobmanager.memory.process.size", "768m");
        conf.put("rest.address", "localhost");
        conf.put("rest.bind-address", "localhost");
        conf.put("rest.port", Integer.toString(restPort));
        conf.put("taskmanager.host", "localhost");
        conf.put("taskmanager.bind-host", "localhost");
        conf.put("taskmanager.rpc.port", "0");
        conf.put("taskmanager.data.port", "0");
        conf.put("blob.server.port", "0");
        conf.put("taskmanager.numberOfTaskSlots", "1");
        // a standalone TaskManager takes its resources as given (bin/taskmanager.sh computes them): all explicit
        conf.put("taskmanager.cpu.cores", "1.0");
        conf.put("taskmanager.memory.framework.heap.size", "64m");
        conf.put("taskmanager.memory.task.heap.size", "256m");
        conf.put("taskmanager.memory.framework.off-heap.size", "64m");
        conf.put("taskmanager.memory.task.off-heap.size", "0m");
        conf.put("taskmanager.memory.network.min", "32m");
        conf.put("taskmanager.memory.network.max", "32m");
        conf.put("taskmanager.memory.managed.size", "64m");
        conf.put("taskmanager.memory.jvm-metaspace.size", "256m");
        conf.put("taskmanager.memory.jvm-overhead.min", "192m");
        conf.put("taskmanager.memory.jvm-overhead.max", "192m");
        // a killed TaskManager is declared lost after two failed heartbeat RPCs; a slow (loaded) one gets 30 s
        conf.put("heartbeat.interval", "1000");
        conf.put("heartbeat.timeout", "30000");
        conf.put("heartbeat.rpc-failure-threshold", "2");
        conf.put("high-availability.type", "NONE");
        conf.put("io.tmp.dirs", dir.resolve("tmp").toString());
        conf.putAll(more);
        Files.createDirectories(dir.resolve("tmp"));
        StringBuilder yaml = new StringBuilder();
        conf.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf/config.yaml"), yaml, StandardCharsets.UTF_8);

        ChildJvm jm = startJobManager(dir, "jobmanager-0");
        FlinkProcessCluster cluster = new FlinkProcessCluster(dir, restPort, jm);
        try {
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.awaitTaskManagers(taskManagers, Duration.ofSeconds(120));
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * ZooKeeper high availability (the mechanism Kubernetes HA implements with ConfigMaps): the leader, the
     * submitted job and its checkpoints are recorded under {@code storageDir} and in ZooKeeper, so a new
     * JobManager process recovers the job. A short session timeout lets a killed leader's session expire fast.
     */
    static Map<String, String> zooKeeperHa(String quorum, Path storageDir) {
        return Map.of("high-availability.type", "zookeeper",
                "high-availability.zookeeper.quorum", quorum,
                "high-availability.storageDir", storageDir.toUri().toString(),
                "high-availability.cluster-id", "/seqpredict-test",
                "high-availability.zookeeper.client.session-timeout", "6000",
                "high-availability.zookeeper.client.connection-timeout", "6000");
    }

    private static ChildJvm startJobManager(Path dir, String name) throws IOException {
        return ChildJvm.start(name, dir, "448m", List.of(), StandaloneSessionClusterEntrypoint.class.getName(),
                "--configDir", dir.resolve("conf").toString());
    }

    /** SIGKILLs the JobManager process; returns its exit code. */
    int killJobManager() throws InterruptedException {
        return jobManager.kill();
    }

    /** Starts a new JobManager process (after {@link #killJobManager}), as Kubernetes would restart the pod. */
    void startNewJobManager() throws IOException {
        if (jobManager.isAlive()) {
            throw new IllegalStateException("the JobManager still runs");
        }
        jobManager = startJobManager(dir, "jobmanager-" + jobManagersStarted++);
    }

    /** Starts one more TaskManager process (named taskmanager-N in start order). */
    ChildJvm startTaskManager() throws IOException {
        ChildJvm tm = ChildJvm.start("taskmanager-" + started++, dir, "320m", List.of("-XX:MaxDirectMemorySize=96m"),
                TaskManagerRunner.class.getName(), "--configDir", dir.resolve("conf").toString());
        taskManagers.add(tm);
        return tm;
    }

    /** SIGKILLs the oldest live TaskManager; returns its exit code. */
    int killOldestTaskManager() throws InterruptedException {
        ChildJvm victim = taskManagers.stream().filter(ChildJvm::isAlive).findFirst()
                .orElseThrow(() -> new IllegalStateException("no live TaskManager"));
        return victim.kill();
    }

    /** Submits the Kafka job at {@code parallelism} over REST and waits until all its tasks run. */
    JobID submit(JobSettings settings, FlinkSettings f, int parallelism) throws Exception {
        StreamExecutionEnvironment env = environment(f);
        env.setParallelism(parallelism);
        env.setMaxParallelism(FlinkReliability.MAX_PARALLELISM);
        JobID id = PredictionJob.kafka(settings, f).executeAsync(env).getJobID();
        awaitAllRunning(id, Duration.ofSeconds(120));
        return id;
    }

    /** An environment that submits to this cluster over REST. */
    StreamExecutionEnvironment environment(FlinkSettings f) {
        return StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort, f.toConfiguration());
    }

    /** Waits until {@code n} TaskManagers are registered with the JobManager. */
    void awaitTaskManagers(int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode tms = get("/taskmanagers");
            if (tms != null && tms.path("taskmanagers").size() >= n) {
                return;
            }
            if (!jobManager.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(n + " TaskManagers not registered; JobManager log:\n" + jobManager.tail(40));
            }
            Thread.sleep(250);
        }
    }

    /** Waits until the job and all its tasks run. */
    void awaitAllRunning(JobID job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode j = get("/jobs/" + job);
            if (j != null) {
                String state = j.path("state").asText();
                if (List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                    throw new AssertionError("job " + job + " ended: " + state + "; JobManager log:\n" + jobManager.tail(60));
                }
                boolean all = state.equals("RUNNING") && !j.path("vertices").isEmpty();
                for (JsonNode v : j.path("vertices")) {
                    all &= v.path("status").asText().equals("RUNNING");
                }
                if (all) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + job + " not running after " + timeout + ": " + describe(job));
    }

    /** The job's state, its task counts by state and checkpoint counts, for a progress log. */
    String describe(JobID job) {
        try {
            JsonNode j = get("/jobs/" + job);
            JsonNode cp = get("/jobs/" + job + "/checkpoints");
            return "job " + (j == null ? "?" : j.path("state").asText() + " tasks " + j.path("status-counts"))
                    + (cp == null ? "" : " checkpoints " + cp.path("counts"));
        } catch (Exception e) {
            return "job status unavailable: " + e;
        }
    }

    /** The last lines of the JobManager's log and of the newest TaskManager's, for a failure message. */
    String logTails() {
        StringBuilder b = new StringBuilder("JobManager log:\n").append(jobManager.tail(40));
        if (!taskManagers.isEmpty()) {
            b.append("\nnewest TaskManager log:\n").append(taskManagers.get(taskManagers.size() - 1).tail(30));
        }
        return b.toString();
    }

    /** The number of restarts of the job so far (Flink's numRestarts job metric). */
    long restarts(JobID job) throws Exception {
        JsonNode m = get("/jobs/" + job + "/metrics?get=numRestarts");
        return m == null || m.isEmpty() ? -1 : m.get(0).path("value").asLong();
    }

    /** How many times the current JobManager restored the job from a checkpoint. */
    long restoredCheckpoints(JobID job) throws Exception {
        JsonNode cp = get("/jobs/" + job + "/checkpoints");
        return cp == null ? -1 : cp.path("counts").path("restored").asLong(-1);
    }

    ChildJvm jobManager() {
        return jobManager;
    }

    private JsonNode get(String path) throws Exception {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null; // not up yet
        }
    }

    /** Cancels the job through whichever JobManager leads now (a JobClient would talk to the one it was made with). */
    void cancel(JobID job) {
        try {
            http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + "/jobs/" + job + "?mode=cancel"))
                    .timeout(Duration.ofSeconds(10)).method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (Exception ignored) {
            // already ended, or the cluster is going down anyway
        }
    }

    /** A ZooKeeper server in its own JVM (the one shaded into Flink), on a free port; returns it and its port. */
    static ZooKeeper startZooKeeper(Path dir) throws Exception {
        int port = freePort();
        Path data = dir.resolve("zookeeper-data");
        Files.createDirectories(data);
        ChildJvm zk = ChildJvm.start("zookeeper", dir, "128m", List.of("-Dzookeeper.admin.enableServer=false"),
                "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.server.ZooKeeperServerMain",
                Integer.toString(port), data.toString(), "2000");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (java.net.Socket ignored = new java.net.Socket("localhost", port)) {
                return new ZooKeeper(zk, "localhost:" + port);
            } catch (IOException e) {
                if (!zk.isAlive() || System.nanoTime() > deadline) {
                    zk.close();
                    throw new AssertionError("ZooKeeper did not start; its log:\n" + zk.tail(30), e);
                }
                Thread.sleep(200);
            }
        }
    }

    /** A ZooKeeper server process and its connect string. */
    record ZooKeeper(ChildJvm process, String quorum) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildJvm tm : taskManagers) {
            tm.stop(Duration.ofSeconds(5));
        }
        jobManager.stop(Duration.ofSeconds(10));
    }
}
