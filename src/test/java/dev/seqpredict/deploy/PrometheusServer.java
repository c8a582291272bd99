package dev.seqpredict.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Prometheus server (the {@code prometheus} binary; .ci/run installs Debian's package) scraping
 * given targets every second, for the tests that run the dashboards' PromQL against what the code exports.
 */
final class PrometheusServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final String url;
    private final Path log;

    private PrometheusServer(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** The metric names of the samples in a Prometheus text exposition. */
    static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(exposition);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The binary: {@code $PROMETHEUS_BIN}, else {@code prometheus} on the PATH. */
    static Optional<Path> binary() {
        String explicit = System.getenv("PROMETHEUS_BIN");
        if (explicit != null && Files.isExecutable(Path.of(explicit))) {
            return Optional.of(Path.of(explicit));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "prometheus");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Starts Prometheus on a free port, scraping {@code /metrics} of each job's target (job name → host:port). */
    static PrometheusServer start(Path binary, Path dir, Map<String, String> targets) throws Exception {
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                  evaluation_interval: 1s
                scrape_configs:
                """);
        targets.forEach((job, target) -> config.append("""
                  - job_name: %s
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["%s"]
                """.formatted(job, target)));
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        Path log = dir.resolve("prometheus.log");
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path data = Files.createDirectories(dir.resolve("tsdb-" + attempt));
            Process p = new ProcessBuilder(binary.toString(),
                    "--config.file=" + file,
                    "--storage.tsdb.path=" + data,
                    "--storage.tsdb.retention.time=1h",
                    "--web.listen-address=127.0.0.1:" + port,
                    "--web.console.templates=" + dir,
                    "--web.console.libraries=" + dir,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PrometheusServer server = new PrometheusServer(p, "http://127.0.0.1:" + port, log);
            if (server.awaitReady()) {
                return server;
            }
            p.destroyForcibly();
            if (attempt == 3) {
                throw new AssertionError("prometheus did not start:\n" + Files.readString(log));
            }
        }
    }

    private boolean awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false; // e.g. the port was taken meanwhile: retry on another
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Waits until Prometheus holds at least {@code n} successful scrapes of {@code job}; returns the count. */
    long awaitScrapes(String job, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long count = 0;
        while (System.nanoTime() < deadline) {
            JsonNode result = query("sum_over_time(up{job=\"" + job + "\"}[5m])").path("data").path("result");
            if (!result.isEmpty()) {
                count = (long) Double.parseDouble(result.get(0).path("value").get(1).asText());
                if (count >= n) {
                    return count;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus scraped " + job + " " + count + " times, wanted " + n + ":\n" + Files.readString(log));
    }

    JsonNode query(String promql) throws IOException, InterruptedException {
        String uri = url + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Dashboards.JSON.readTree(r.body());
    }

    /** Null when the query returned data, else what is wrong. */
    String check(Dashboards.Query q) throws IOException, InterruptedException {
        JsonNode r = query(q.promql());
        if (!"success".equals(r.path("status").asText())) {
            return q.where() + ": query failed: " + r.path("error").asText() + "\n  " + q.promql();
        }
        JsonNode data = r.path("data");
        boolean empty = switch (data.path("resultType").asText()) {
            case "vector", "matrix" -> data.path("result").isEmpty();
            default -> data.path("result").isMissingNode();
        };
        return empty ? q.where() + ": no data for\n  " + q.promql() : null;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
