package dev.seqpredict.kstreams;

import static dev.seqpredict.kstreams.KStreamsFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.model.CellType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyQueryServerTest {
    @TempDir
    Path stateDir;

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void summaryForAKeyAnd404ForAnUnknownOne() throws Exception {
        Properties job = KStreamsFixtures.jobProperties("unused:9092", "reset");
        JobSettings settings = JobSettings.fromProperties(job);
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StreamMetrics metrics = new StreamMetrics(meters, PredictionApp.ENGINE);
        try (TopologyTestDriver driver = new TopologyTestDriver(PredictionTopology.build(settings, metrics),
                KStreamsFixtures.driverConfig(job, settings, metrics, stateDir))) {
            driver.createInputTopic(KStreamsFixtures.MODELS, new StringSerializer(), new ByteArraySerializer())
                    .pipeInput("sensors", TestModels.bytes(TestModels.regression(1, CellType.GRU, 2, 4, 1, "sensors", "5")));
            var events = driver.createInputTopic(KStreamsFixtures.EVENTS, new StringSerializer(), new StringSerializer());
            events.pipeInput("pump 7/a", "{\"ts\":1700000000000,\"values\":[1.0,11.0]}");
            events.pipeInput("pump 7/a", "{\"ts\":1700000001000,\"values\":[1.5,12.0]}");
            List<String> out = driver.createOutputTopic(KStreamsFixtures.PREDICTIONS, new StringDeserializer(), new StringDeserializer())
                    .readValuesToList();
            KeyValueStore<String, KeyState> store = driver.getKeyValueStore(PredictionTopology.STATE_STORE);

            try (KeyQueryServer server = new KeyQueryServer("127.0.0.1", 0, store::get, meters::scrape)) {
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> ok = get(client, server.port(), "/keys/pump%207%2Fa");
                assertThat(ok.statusCode()).isEqualTo(200);
                JsonNode s = json(ok.body());
                JsonNode lastPrediction = json(out.get(1));
                assertThat(s.get("key").asText()).isEqualTo("pump 7/a");
                assertThat(s.get("model").asText()).isEqualTo("sensors");
                assertThat(s.get("version").asText()).isEqualTo("5");
                assertThat(s.get("events").asLong()).isEqualTo(2);
                assertThat(s.get("last_ts").asLong()).isEqualTo(1700000001000L);
                assertThat(s.get("last_prediction")).isEqualTo(lastPrediction.get("prediction"));
                assertThat(s.get("last_error")).isEqualTo(lastPrediction.get("error"));
                assertThat(s.get("last_error").isNumber()).isTrue();
                assertThat(s.get("anomaly_score").asDouble()).isEqualTo(lastPrediction.get("anomaly_score").asDouble());

                HttpResponse<String> unknown = get(client, server.port(), "/keys/nobody");
                assertThat(unknown.statusCode()).isEqualTo(404);
                assertThat(json(unknown.body()).get("error").asText()).isEqualTo("unknown key");

                HttpResponse<String> prom = get(client, server.port(), "/metrics");
                assertThat(prom.statusCode()).isEqualTo(200);
                assertThat(prom.body()).contains("seqpredict_predictions_total{engine=\"kstreams\",model=\"sensors\",version=\"5\"} 2.0")
                        .contains("seqpredict_model_active{engine=\"kstreams\",model=\"sensors\",version=\"5\"} 1.0");
            }
        }
    }
}
