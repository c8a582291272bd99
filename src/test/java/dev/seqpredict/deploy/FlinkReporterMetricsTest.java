package dev.seqpredict.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.flink.PredictionJob;
import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.TestModels;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's own metrics for lag and backpressure, as deployed: the {@code metrics.reporter.*} entries of
 * {@code k8s/flink-deployment.yaml} (with a free port) on a MiniCluster running the Kafka job. The names the
 * README lists must be on the reporter's endpoint, and every query of the Flink dashboard
 * ({@link Dashboards#FLINK}) must return data from a real Prometheus scraping it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FlinkReporterMetricsTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    /** Metric names the README's Metrics section lists for the Flink job (Flink's, not ours). */
    static final List<String> DOCUMENTED = List.of(
            "flink_taskmanager_job_task_operator_pendingRecords",
            "flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max",
            "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
            "flink_jobmanager_job_lastCheckpointDuration",
            "flink_jobmanager_job_numberOfFailedCheckpoints");

    @TempDir
    static Path tmp; // static: injected before @BeforeAll

    private MiniCluster cluster;
    private int port;
    private String exposition;
    private PrometheusServer prometheus;

    @BeforeAll
    void runTheJobWithTheManifestsReporter() throws Exception {
        Map<String, Object> spec = DeployFiles.map(DeployFiles.yamlDocuments(DeployFiles.K8S.resolve("flink-deployment.yaml")).stream()
                .filter(d -> "FlinkDeployment".equals(d.get("kind"))).findFirst().orElseThrow().get("spec"));
        Configuration conf = new Configuration();
        DeployFiles.map(spec.get("flinkConfiguration")).forEach((k, v) -> {
            if (k.startsWith("metrics.reporter.")) {
                conf.setString(k, String.valueOf(v));
            }
        });
        assertThat(conf.toMap()).containsKey("metrics.reporter.prom.factory.class").containsKey("metrics.reporter.prom.port");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        conf.setString("metrics.reporter.prom.port", Integer.toString(port));

        String events = KAFKA.newTopic("rep-events", 2);
        String predictions = KAFKA.newTopic("rep-predictions");
        String dlq = KAFKA.newTopic("rep-dlq");
        String models = KafkaTestSupport.uniqueTopic("rep-models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "default".getBytes(StandardCharsets.UTF_8),
                TestModels.bytes(TestModels.regression(3, CellType.LSTM, 2, 8, 1, "default", "1")))));
        EventStreams.produce(KAFKA.bootstrapServers(), events, EventStreams.sensorEvents(1, EventStreams.keys("r", 4), 500, 0));
        JobSettings settings = JobSettings.defaults(KAFKA.bootstrapServers()).withTopics(events, predictions, dlq, models);
        Properties fp = new Properties();
        fp.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
        FlinkSettings f = FlinkSettings.fromProperties(fp);

        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
        cluster.start();
        try (EventStreams.CommittedCounter committed = new EventStreams.CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_committed")) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(f.toConfiguration());
            env.setParallelism(2);
            PredictionJob.kafka(settings, f).build(env);
            cluster.submitJob(env.getStreamGraph()).get(60, TimeUnit.SECONDS);
            assertThat(committed.await(2_000, Duration.ofSeconds(90))).isTrue();
        }
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            exposition = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return PrometheusServer.sampleNames(exposition).containsAll(DOCUMENTED);
        });
        Optional<Path> binary = PrometheusServer.binary();
        if (binary.isPresent()) {
            prometheus = PrometheusServer.start(binary.get(), tmp, Map.of("flink", "127.0.0.1:" + port));
            prometheus.awaitScrapes("flink", 3);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theManifestsReporterExportsTheDocumentedLagAndBackpressureMetrics() {
        assertThat(PrometheusServer.sampleNames(exposition)).as("exported by Flink's reporter").containsAll(DOCUMENTED);
    }

    @TestFactory
    Stream<DynamicTest> everyFlinkDashboardQueryReturnsData() throws Exception {
        List<Dashboards.Query> queries = Dashboards.flinkQueries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(5);
        return queries.stream().map(q -> DynamicTest.dynamicTest(q.where(), () -> {
            Assumptions.assumeTrue(prometheus != null, "prometheus binary not found (.ci/run installs it)");
            String problem = prometheus.check(q);
            assertThat(problem).isNull();
        }));
    }

}
