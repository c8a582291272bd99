package dev.seqpredict.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * One Prometheus registry per JVM and its {@code /metrics} endpoint (the JDK's HTTP server), bound to
 * 127.0.0.1 unless configured otherwise. Both engines record into {@link #registry()}, so a Flink
 * TaskManager and a Kafka Streams instance expose the same metric names.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static MetricsEndpoint running;

    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    /** The JVM-wide registry. */
    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /** Starts the endpoint once per JVM (later calls return the running one); port 0 picks a free port. */
    public static synchronized MetricsEndpoint start(String host, int port) throws IOException {
        if (running != null) {
            return running;
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = REGISTRY.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "seqpredict-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        running = new MetricsEndpoint(server);
        return running;
    }

    /** Property keys (in the job's properties file) of the endpoint: host [127.0.0.1] and port [-1 = none]. */
    public static final String HOST_PROPERTY = "metrics.host";
    public static final String PORT_PROPERTY = "metrics.port";

    /** Starts the endpoint when the properties set {@value #PORT_PROPERTY} (≥ 0); otherwise returns null. */
    public static MetricsEndpoint startIfConfigured(java.util.Properties props) throws IOException {
        String port = props.getProperty(PORT_PROPERTY);
        if (port == null || Integer.parseInt(port.trim()) < 0) {
            return null;
        }
        return start(props.getProperty(HOST_PROPERTY, "127.0.0.1").trim(), Integer.parseInt(port.trim()));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the endpoint is bound to (127.0.0.1 unless {@value #HOST_PROPERTY} says otherwise). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/metrics";
    }

    @Override
    public void close() {
        synchronized (MetricsEndpoint.class) {
            server.stop(0);
            if (running == this) {
                running = null;
            }
        }
    }
}
