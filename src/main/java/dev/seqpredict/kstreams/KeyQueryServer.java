package dev.seqpredict.kstreams;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.seqpredict.processor.KeyState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small read-only HTTP endpoint over the key-state store (JDK {@code com.sun.net.httpserver}):
 * <pre>
 *   GET /keys/{key}  200 {"key","model","version","events","last_ts","last_prediction","last_error","anomaly_score"}
 *                    404 unknown key (on this instance), 503 store not queryable (e.g. rebalancing)
 *   GET /metrics     the job's metrics (StreamMetrics names), Prometheus text format
 * </pre>
 * The key in the path is URL-decoded. Only keys in this instance's partitions are visible.
 */
public final class KeyQueryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyQueryServer.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Function<String, KeyState> lookup;
    private final Supplier<String> metricsText;

    /**
     * @param lookup      a key's state, or null when unknown; may throw {@link InvalidStateStoreException}
     * @param metricsText the Prometheus text served at /metrics (e.g. {@code PrometheusMeterRegistry::scrape})
     */
    public KeyQueryServer(String host, int port, Function<String, KeyState> lookup, Supplier<String> metricsText) throws IOException {
        this.lookup = lookup;
        this.metricsText = metricsText;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 16);
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "seqpredict-query-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/keys/", this::keys);
        server.createContext("/metrics", this::metrics);
        server.start();
        LOG.info("key queries at http://{}:{}/keys/{{key}}", host, port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the server is bound to. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void keys(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, error("only GET"));
                return;
            }
            String raw = ex.getRequestURI().getRawPath().substring("/keys/".length());
            String key = URLDecoder.decode(raw, StandardCharsets.UTF_8);
            if (key.isEmpty()) {
                send(ex, 404, error("no key given"));
                return;
            }
            KeyState s;
            try {
                s = lookup.apply(key);
            } catch (InvalidStateStoreException e) {
                send(ex, 503, error("state store not queryable now: " + e.getMessage()));
                return;
            }
            if (s == null) {
                send(ex, 404, error("unknown key"));
            } else {
                send(ex, 200, summary(key, s));
            }
        } catch (RuntimeException e) {
            LOG.warn("query failed", e);
        }
    }

    private void metrics(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = metricsText.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    /** The JSON summary of one key's state. */
    public static byte[] summary(String key, KeyState s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("key", key);
            g.writeStringField("model", s.modelName());
            g.writeStringField("version", s.modelVersion());
            g.writeNumberField("events", s.events());
            g.writeNumberField("last_ts", s.lastTs());
            float[] last = s.lastPrediction();
            if (last == null) {
                g.writeNullField("last_prediction");
            } else {
                g.writeArrayFieldStart("last_prediction");
                for (float v : last) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            if (Float.isNaN(s.lastError())) {
                g.writeNullField("last_error");
            } else {
                g.writeNumberField("last_error", s.lastError());
            }
            g.writeNumberField("anomaly_score", s.lastScore());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] error(String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
