package dev.seqpredict.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second JVM on the test's classpath, so a test can kill a process for real: {@link #kill()} sends
 * SIGKILL, no shutdown hook or finally block runs, sockets drop and open transactions stay open, as when
 * a container is OOM-killed or a node dies. Output goes to a log file the test names in its messages.
 */
public final class ChildJvm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildJvm.class);
    /** The exit code of a process ended by SIGKILL (128 + 9). */
    public static final int KILLED = 137;

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM ({@code -Xmx}{@code heap}, plus {@code jvmArgs}).
     * The classpath goes through an argument file: one command-line argument is limited to 128 KiB on Linux.
     */
    public static ChildJvm start(String name, Path dir, String heap, List<String> jvmArgs, String mainClass, String... args)
            throws IOException {
        Files.createDirectories(dir);
        Path argFile = dir.resolve(name + ".jvm-args");
        // surefire may run tests from a manifest-only jar; it names the real classpath here
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Files.writeString(argFile, "-cp \"" + classpath.replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heap);
        cmd.add("-XX:+UseSerialGC"); // two cores shared by several JVMs: no parallel GC threads fighting
        cmd.add("-Dseqpredict.child=" + name);
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            // the same (fast) kernels as this JVM; the scalar fallback gives the same floats, only slower
            cmd.add("--add-modules=jdk.incubator.vector");
        }
        cmd.addAll(jvmArgs);
        cmd.add("@" + argFile);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LOG.info("started {} (pid {}): {} {}; log {}", name, p.pid(), mainClass, String.join(" ", args), log);
        return new ChildJvm(name, p, log);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; its exit code, or throws after {@code timeout}. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") still running after " + timeout
                    + "; log " + log);
        }
        return process.exitValue();
    }

    /** SIGKILL, then waits for the process to be gone; returns its exit code ({@link #KILLED}). */
    public int kill() throws InterruptedException {
        LOG.info("kill -9 {} (pid {})", name, process.pid());
        process.destroyForcibly(); // SIGKILL on Linux
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") still alive 30 s after SIGKILL");
        }
        return process.exitValue();
    }

    /** Whether the log has a line containing {@code text}. */
    public boolean logContains(String text) {
        try {
            return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** The last {@code lines} lines of the log, for a failure message. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the process if it still runs: SIGTERM first (shutdown hooks run), SIGKILL after {@code grace}. */
    public void stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(10));
    }
}
