package dev.seqpredict.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seqpredict.metrics.MetricsEndpoint;
import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.ClosedSession;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeySessions;
import dev.seqpredict.processor.OpenSession;
import dev.seqpredict.processor.SessionVerdict;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.testing.TestModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Proves that every PromQL query of the Grafana dashboards returns data from what the code exports: a
 * real Prometheus (the {@code prometheus} binary, installed by .ci/run from Debian's package) scrapes the
 * in-process {@link MetricsEndpoint} while the per-key processing runs for two engines (a regression and a
 * classification model, bad records to the DLQ, a new model version and the swap of every key, a
 * rejected model); then each panel, variable and annotation query goes through /api/v1/query and must
 * return a non-empty result. A dashboard naming a metric the code never exports fails here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardQueriesTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Path tmp;

    private PrometheusServer prometheus;
    private MetricsEndpoint endpoint;
    private Feeder feeder;
    private String scrapeText;
    private String skipReason;

    /** Each test is reported as skipped, with the reason, when there is no prometheus binary. */
    @BeforeEach
    void requirePrometheus() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    @BeforeAll
    void startPrometheusAndFeed() throws Exception {
        Optional<Path> binary = PrometheusServer.binary();
        if (binary.isEmpty()) {
            skipReason = "prometheus binary not found on PATH (nor $PROMETHEUS_BIN): dashboard queries not checked. "
                    + ".ci/run installs it with 'apt-get install -y prometheus'.";
            System.err.println("DashboardQueriesTest skipped: " + skipReason);
            return;
        }
        tmp = Files.createTempDirectory("seqpredict-prometheus");
        endpoint = MetricsEndpoint.start("127.0.0.1", 0);
        feeder = new Feeder(MetricsEndpoint.registry());
        feeder.start();

        prometheus = PrometheusServer.start(binary.get(), tmp, Map.of("seqpredict", "127.0.0.1:" + endpoint.port()));
        // phase 1: version 1 of both models in service, at least 2 scrapes
        long seen = prometheus.awaitScrapes("seqpredict", 3);
        // phase 2: a new version of the regression model is accepted (every key swaps on its next
        // event), a published artifact is rejected; at least 2 more scrapes
        feeder.newVersion();
        prometheus.awaitScrapes("seqpredict", seen + 3);
        scrapeText = scrape();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (feeder != null) {
            feeder.stop();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        if (tmp != null) {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyDashboardQueryReturnsData() throws IOException {
        List<Dashboards.Query> queries = Dashboards.queries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(20);
        return queries.stream().map(q -> DynamicTest.dynamicTest(q.where(), () -> {
            String problem = check(q);
            if (problem != null) {
                fail(problem);
            }
        }));
    }

    @Test
    void dashboardsNameOnlyMetricsTheCodeExports() throws IOException {
        Set<String> exported = PrometheusServer.sampleNames(scrapeText);
        TreeSet<String> used = new TreeSet<>();
        for (Dashboards.Query q : Dashboards.queries()) {
            used.addAll(Dashboards.metricNames(q.promql()));
        }
        assertThat(used).isNotEmpty();
        assertThat(exported).as("metric names on /metrics").containsAll(used);
        // and the dashboards use no metric outside the project's own (no JVM/Kafka client binders)
        for (Dashboards.Query q : Dashboards.queries()) {
            assertThat(q.promql()).as(q.where()).doesNotContainPattern("\\b(jvm|process|kafka)_[a-z_]+");
        }
    }

    /** The negative check: a dashboard with a misspelt metric, and a bad query, are caught. */
    @Test
    void aQueryOnAMetricTheCodeNeverExportsIsDetected() throws Exception {
        JsonNode good = Dashboards.JSON.readTree(Dashboards.DIR.resolve("seqpredict-overview.json").toFile());
        ObjectNode bad = (ObjectNode) Dashboards.JSON.readTree(
                Dashboards.JSON.writeValueAsString(good).replace("seqpredict_events_in_total", "seqpredict_events_total"));
        List<Dashboards.Query> badQueries = Dashboards.queries("bad.json", bad);
        List<String> problems = new ArrayList<>();
        for (Dashboards.Query q : badQueries) {
            String p = check(q);
            if (p != null) {
                problems.add(p);
            }
        }
        assertThat(problems).as("queries of the bad dashboard that fail").isNotEmpty()
                .anyMatch(p -> p.contains("seqpredict_events_total") && p.contains("no data"));
        assertThat(PrometheusServer.sampleNames(scrapeText)).doesNotContain("seqpredict_events_total");

        assertThat(check(new Dashboards.Query("bad", "x", "sum(rate(seqpredict_not_exported_total[1m]))")))
                .contains("no data");
        assertThat(check(new Dashboards.Query("syntax", "x", "sum(rate(seqpredict_events_in_total[1m])")))
                .contains("failed");
        // and the same machinery passes a good query, so the checks above are not vacuous
        assertThat(check(new Dashboards.Query("good", "x", "sum(rate(seqpredict_events_in_total[1m]))"))).isNull();
    }

    private String check(Dashboards.Query q) throws IOException, InterruptedException {
        return prometheus.check(q);
    }


    private String scrape() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(endpoint.url())).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    // ---- the per-key processing, driven like the engines drive it ---------------------------------------

    /**
     * Two engines ("flink", "kstreams") each with its own StreamMetrics on the JVM-wide registry and its own
     * keyed state; records arrive as bytes and go through EventParser and KeyedPredictor as in the jobs.
     */
    static final class Feeder implements Runnable {
        private final List<Engine> engines = new ArrayList<>();
        private final KeyedPredictor predictor = new KeyedPredictor(PredictorConfig.DEFAULTS);
        private final EventParser parser = new EventParser();
        private final Random random = new Random(7);
        private volatile ServingModel sensors =
                ServingModel.of("sensors", TestModels.regression(11, CellType.LSTM, 2, 8, 1, "sensors", "1"));
        private final ServingModel hdfs =
                ServingModel.of("hdfs", TestModels.classification(12, CellType.GRU, 10, 8, 1, "hdfs", "1"));
        private volatile boolean running = true;
        private final Thread thread = new Thread(this, "dashboard-feeder");
        private long ts = 1_700_000_000_000L;

        Feeder(io.micrometer.core.instrument.MeterRegistry registry) {
            for (String e : List.of("flink", "kstreams")) {
                Engine engine = new Engine(new StreamMetrics(registry, e));
                engine.metrics.modelAccepted(sensors);
                engine.metrics.modelAccepted(hdfs);
                engines.add(engine);
            }
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        /** Version 2 of the sensor model arrives on the models topic; a broken artifact is rejected. */
        void newVersion() {
            ServingModel v2 = ServingModel.of("sensors", TestModels.regression(21, CellType.LSTM, 2, 8, 1, "sensors", "2"));
            for (Engine e : engines) {
                e.metrics.modelAccepted(v2);
                e.metrics.modelRejected("sensors", "invalid");
            }
            sensors = v2;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5000);
        }

        @Override
        public void run() {
            while (running) {
                for (Engine e : engines) {
                    e.metrics.batch(16 + random.nextInt(49)); // a batched pass, as the Flink operator reports it
                    for (int k = 0; k < 20; k++) {
                        e.process("s" + k, sensorRecord(k), sensors);
                        e.process("blk_" + k, ("{\"ts\":" + ts + ",\"event\":\"" + (1 + random.nextInt(10)) + "\"}")
                                .getBytes(StandardCharsets.UTF_8), hdfs);
                    }
                    e.process("s1", "{\"ts\":1,\"values\":[1.0]}".getBytes(StandardCharsets.UTF_8), sensors); // wrong arity
                    e.process("s2", "not json".getBytes(StandardCharsets.UTF_8), sensors);                  // malformed
                    e.process("blk_1", ("{\"ts\":" + ts + ",\"event\":\"99\"}").getBytes(StandardCharsets.UTF_8), hdfs); // unknown
                    // session verdicts, as the engines record them when a session closes
                    e.metrics.sessionClosed(new ClosedSession("blk_" + random.nextInt(20), ts - 3000, ts, 3, hdfs.name(),
                            hdfs.version(), SessionVerdict.NORMAL, KeySessions.BY_GAP));
                    e.metrics.sessionClosed(new ClosedSession("blk_" + random.nextInt(20), ts - 3000, ts, 2, hdfs.name(),
                            hdfs.version(), new SessionVerdict(true, 2, OpenSession.END), KeySessions.BY_GAP));
                }
                ts += 1000;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }

        private byte[] sensorRecord(int k) {
            double v0 = 10 * Math.sin(ts / 10_000.0 + k) + random.nextGaussian();
            double v1 = 10 + 2 * Math.cos(ts / 7_000.0 + k) + random.nextGaussian() * 0.1;
            // an occasional spike makes the anomaly score move
            if (random.nextInt(200) == 0) {
                v0 += 500;
            }
            return String.format(Locale.ROOT, "{\"ts\":%d,\"values\":[%.4f,%.4f]}", ts, v0, v1).getBytes(StandardCharsets.UTF_8);
        }

        final class Engine {
            final StreamMetrics metrics;
            final Map<String, KeyState> state = new HashMap<>();

            Engine(StreamMetrics metrics) {
                this.metrics = metrics;
            }

            void process(String key, byte[] value, ServingModel model) {
                metrics.eventIn();
                EventParser.Result parsed = parser.parse(key, value);
                if (!parsed.ok()) {
                    metrics.deadLetter(parsed.rejection().reason());
                    return;
                }
                Event event = parsed.event();
                long t0 = System.nanoTime();
                KeyState s = state.get(key);
                Outcome o = predictor.process(s, event, model);
                long nanos = System.nanoTime() - t0;
                if (o instanceof Outcome.Predicted p) {
                    if (s == null) {
                        metrics.keyCreated();
                    }
                    state.put(key, p.state());
                    metrics.predicted(p.prediction(), p.state(), nanos);
                } else if (o instanceof Outcome.Rejected r) {
                    metrics.deadLetter(r.rejection().reason());
                }
            }
        }
    }
}
