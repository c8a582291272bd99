package dev.seqpredict.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) running inside this JVM on 127.0.0.1.
 *
 * <p>Used by the demo and by the end-to-end tests. The log directory is formatted with Kafka's
 * {@link Formatter} and the node is started with {@link KafkaRaftServer}; both are public classes of
 * the broker distribution (no test-kit internals). Ports are chosen free at start; a lost bind race
 * is retried with new ports. {@link #stop()} and {@link #restart()} keep the ports and the data, so a
 * client that knows {@link #bootstrapServers()} reconnects to the restarted broker.
 *
 * <p>Internal topics (offsets, transaction state, share-coordinator state) have replication factor
 * and min ISR 1, so transactional (exactly-once) producers work against this single node.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopics("events");
 *     kafka.createCompactedTopic("state", 2);
 *     String bootstrap = kafka.bootstrapServers();
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Node id of the single combined broker/controller. */
    public static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int START_ATTEMPTS = 5;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final Path logDir;
    private final boolean ownsLogDir;
    private final Map<String, String> overrides;

    // Volatile, not guarded by the monitor: clients may ask for the address while stop()/restart()
    // (which hold the monitor for seconds) run in another thread.
    private volatile int brokerPort;
    private volatile int controllerPort;
    private volatile String clusterId;
    private KafkaRaftServer server;
    private boolean closed;
    private int failedStartAttempts;

    private static boolean exitGuardInstalled;
    private static final java.util.concurrent.atomic.AtomicBoolean FIRST_START_IN_JVM =
            new java.util.concurrent.atomic.AtomicBoolean(true);

    /**
     * The broker calls {@link Exit#exit}/{@link Exit#halt} on fatal errors, for example when a listener
     * cannot bind during startup. In-process that would kill the host JVM (the demo, the test run)
     * with no trace, so the procedures are replaced once per JVM by one that logs the request with
     * its stack and throws instead: the failing start then surfaces as an exception and is retried.
     */
    private static synchronized void installExitGuard() {
        if (exitGuardInstalled) {
            return;
        }
        exitGuardInstalled = true;
        Exit.setExitProcedure((code, message) -> {
            IllegalStateException e = new IllegalStateException(
                    "embedded Kafka requested exit(" + code + "): " + message);
            LOG.error("Refusing to exit the JVM for the embedded broker", e);
            throw e;
        });
        Exit.setHaltProcedure((code, message) -> {
            IllegalStateException e = new IllegalStateException(
                    "embedded Kafka requested halt(" + code + "): " + message);
            LOG.error("Refusing to halt the JVM for the embedded broker", e);
            throw e;
        });
    }

    private EmbeddedKafka(Path logDir, boolean ownsLogDir, Map<String, String> overrides) {
        this.logDir = logDir;
        this.ownsLogDir = ownsLogDir;
        this.overrides = Map.copyOf(overrides);
    }

    /** Starts a broker with a fresh temporary log directory, deleted again by {@link #close()}. */
    public static EmbeddedKafka start() {
        return start(null, Map.of());
    }

    /**
     * Starts a broker whose data lives in {@code logDir}: created and formatted if missing or empty,
     * reused (topics and committed records included) if an earlier {@code EmbeddedKafka} left it
     * there. The ports are new on every start. {@link #close()} leaves the directory in place.
     */
    public static EmbeddedKafka start(Path logDir) {
        return start(Objects.requireNonNull(logDir, "logDir"), Map.of());
    }

    /**
     * Starts a broker with extra or overriding broker properties (for example
     * {@code auto.create.topics.enable=false}). A {@code null} logDir means a temporary directory that
     * {@link #close()} deletes.
     */
    public static EmbeddedKafka start(Path logDir, Map<String, String> brokerOverrides) {
        return start(logDir, brokerOverrides, () -> freePorts(2));
    }

    /** As {@link #start(Path, Map)} with the {broker, controller} port pair of each attempt from {@code ports}. */
    static EmbeddedKafka start(Path logDir, Map<String, String> brokerOverrides, Supplier<int[]> ports) {
        boolean owns = logDir == null;
        Path dir;
        try {
            dir = owns ? Files.createTempDirectory("seqpredict-kafka-") : Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka log directory", e);
        }
        installExitGuard();
        EmbeddedKafka kafka = new EmbeddedKafka(dir.toAbsolutePath(), owns, brokerOverrides);
        try {
            kafka.firstStart(ports);
        } catch (RuntimeException | Error e) {
            kafka.closeQuietly();
            throw e;
        }
        return kafka;
    }

    /** {@code 127.0.0.1:<port>} of the PLAINTEXT listener; unchanged by {@link #restart()}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    /** The directory holding both the metadata log and the topic data. */
    public Path logDir() {
        return logDir;
    }

    /** The cluster id stored in the log directory (random for a fresh directory). */
    public String clusterId() {
        return clusterId;
    }

    /** How many start or restart attempts failed and were retried (bind races); for tests. */
    synchronized int failedStartAttempts() {
        return failedStartAttempts;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Creates topics with one partition each; topics that already exist are left as they are. */
    public void createTopics(String... names) {
        createTopics(1, names);
    }

    /** Creates topics with {@code partitions} partitions each; existing topics are left as they are. */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        createTopics(topics);
    }

    /** Creates a log-compacted topic ({@code cleanup.policy=compact}). */
    public void createCompactedTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** Creates one topic with the given topic-level configs (replication factor is always 1). */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
    }

    /**
     * Creates the topics (existing ones are skipped) and waits until every partition has a leader, so
     * producers and {@code assign}-based consumers can use them right away.
     */
    public void createTopics(Collection<NewTopic> topics) {
        if (topics.isEmpty()) {
            return;
        }
        try (Admin admin = admin()) {
            Map<String, org.apache.kafka.common.KafkaFuture<Void>> results =
                    admin.createTopics(topics).values();
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : results.entrySet()) {
                try {
                    e.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey(), ex.getCause());
                    }
                }
            }
            awaitLeaders(admin, results.keySet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics", e);
        }
    }

    /** An {@link Admin} client for this broker; the caller closes it. */
    public Admin admin() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        return Admin.create(config);
    }

    /** Stops the broker but keeps its ports and data for {@link #restart()}. No-op when stopped. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long t0 = System.nanoTime();
        KafkaRaftServer s = server;
        server = null;
        shutdown(s);
        LOG.info("Embedded Kafka stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Stops the broker (if running) and starts it again on the same ports and log directory, so
     * committed data survives and clients reconnect to the same {@link #bootstrapServers()}.
     */
    public synchronized void restart() {
        ensureOpen();
        stop();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                startServer();
                return;
            } catch (RuntimeException e) {
                // Most likely the old port is still held (TIME_WAIT, or taken by someone else meanwhile).
                last = e;
                failedStartAttempts++;
                LOG.warn("Embedded Kafka restart attempt {} failed: {}", attempt, e.toString());
                sleep(200L * attempt);
            }
        }
        throw new IllegalStateException("Embedded Kafka did not restart on ports " + brokerPort + "/"
                + controllerPort, last);
    }

    /** Stops the broker and deletes the log directory if {@link #start()} created it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (ownsLogDir) {
                deleteRecursively(logDir);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", logDir=" + logDir + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private synchronized void firstStart(Supplier<int[]> portPicker) {
        format();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int[] ports = portPicker.get();
            brokerPort = ports[0];
            controllerPort = ports[1];
            try {
                startServer();
                return;
            } catch (RuntimeException e) {
                last = e;
                failedStartAttempts++;
                LOG.warn("Embedded Kafka start attempt {} on ports {}/{} failed: {}", attempt, brokerPort,
                        controllerPort, e.toString());
            }
        }
        throw new IllegalStateException("Embedded Kafka did not start after " + START_ATTEMPTS + " attempts", last);
    }

    private void startServer() {
        long t0 = System.nanoTime();
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(brokerProperties(), false), Time.SYSTEM);
        try {
            s.startup();
            awaitBroker();
        } catch (RuntimeException | Error e) {
            shutdown(s);
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        server = s;
        LOG.info("Embedded Kafka started at {} in {} ms{} (log dir {})", bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000,
                FIRST_START_IN_JVM.getAndSet(false) ? ", first in this JVM (cold: class loading, JIT)" : "", logDir);
    }

    private Map<String, String> brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST
                + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());

        // Single node: every internal topic with one replica, so transactions and groups work.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");

        // Fast tests and a small footprint.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.segment.bytes", Integer.toString(1024 * 1024));
        p.put("log.retention.hours", "24");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "1000");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        p.put("transaction.state.log.segment.bytes", Integer.toString(1024 * 1024));
        p.put("offsets.topic.segment.bytes", Integer.toString(1024 * 1024));
        p.put("share.coordinator.state.topic.segment.bytes", Integer.toString(1024 * 1024));
        p.put("controlled.shutdown.enable", "true");
        p.put("auto.create.topics.enable", "true");
        p.putAll(overrides);
        return p;
    }

    /**
     * Formats the log directory unless it already is (a directory kept from an earlier run), then reads the cluster id back from {@code meta.properties}.
     */
    private void format() {
        try {
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                new Formatter()
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .setNodeId(NODE_ID)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(logDir.toString()))
                        .setMetadataLogDirectory(logDir.toString())
                        .setControllerListenerName(CONTROLLER_LISTENER)
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .run();
            }
            Properties meta = new Properties();
            try (var in = Files.newInputStream(logDir.resolve("meta.properties"))) {
                meta.load(in);
            }
            clusterId = meta.getProperty("cluster.id");
            String nodeId = meta.getProperty("node.id");
            if (!Integer.toString(NODE_ID).equals(nodeId)) {
                throw new IllegalStateException(logDir + " belongs to node " + nodeId + ", not " + NODE_ID);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log directory " + logDir, e);
        }
    }

    /** {@link KafkaRaftServer#startup()} returns once the broker is unfenced; check it serves requests. */
    private void awaitBroker() {
        try (Admin admin = admin()) {
            int nodes = admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            if (nodes != 1) {
                throw new IllegalStateException("expected one broker, cluster reports " + nodes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("broker at " + bootstrapServers() + " does not answer", e);
        }
    }

    private static void awaitLeaders(Admin admin, Set<String> topics) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                // UnknownTopicOrPartition until the broker has applied the metadata record: retry.
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no leaders for " + topics);
            }
            Thread.sleep(20);
        }
    }

    private static void shutdown(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while shutting down embedded Kafka", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("EmbeddedKafka is closed");
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("Error while closing embedded Kafka", e);
        }
    }

    /** Distinct ports that were free a moment ago (the broker may still lose a race: callers retry). */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            InetAddress loopback = InetAddress.getByName(HOST);
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(loopback, 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }
}
