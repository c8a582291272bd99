package dev.seqpredict.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.RejectReason;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.testing.TestModels;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class StreamMetricsTest {

    @Test
    void exportsOneSetOfNamesWithTheRecordedValues() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StreamMetrics metrics = new StreamMetrics(registry, "test");
        ServingModel v1 = ServingModel.of("sensors", TestModels.regression(1, CellType.GRU, 1, 4, 1, "sensors", "1"));
        ServingModel v2 = ServingModel.of("sensors", TestModels.regression(2, CellType.GRU, 1, 4, 1, "sensors", "2"));
        metrics.modelAccepted(v1);
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS);
        var s = ((Outcome.Predicted) p.process(null, Event.sensor("k", 1, 1f), v1)).state();
        metrics.keyCreated();
        for (int t = 2; t <= 4; t++) {
            metrics.eventIn();
            var o = (Outcome.Predicted) p.process(s, Event.sensor("k", t, t), v1);
            metrics.predicted(o.prediction(), o.state(), 1000);
        }
        metrics.modelAccepted(v2);
        var o = (Outcome.Predicted) p.process(s, Event.sensor("k", 5, 5f), v2);
        metrics.predicted(o.prediction(), o.state(), 1000);
        metrics.deadLetter(RejectReason.WRONG_ARITY);
        metrics.modelRejected("sensors", "invalid");

        String text = registry.scrape();
        assertThat(text)
                .contains("seqpredict_events_in_total{engine=\"test\"} 3.0")
                .contains("seqpredict_predictions_total{engine=\"test\",model=\"sensors\",version=\"1\"} 3.0")
                .contains("seqpredict_predictions_total{engine=\"test\",model=\"sensors\",version=\"2\"} 1.0")
                .contains("seqpredict_prediction_error_count{engine=\"test\",model=\"sensors\",version=\"1\"} 3")
                .contains("seqpredict_dlq_records_total{engine=\"test\",reason=\"wrong_arity\"} 1.0")
                .contains("seqpredict_dlq_records_total{engine=\"test\",reason=\"malformed\"} 0.0")
                .contains("seqpredict_models_rejected_total{engine=\"test\",model=\"sensors\",reason=\"invalid\"} 1.0")
                .contains("seqpredict_model_swaps_total{engine=\"test\",model=\"sensors\",version=\"2\"} 1.0")
                .contains("seqpredict_model_active{engine=\"test\",model=\"sensors\",version=\"2\"} 1.0")
                .doesNotContain("seqpredict_model_active{engine=\"test\",model=\"sensors\",version=\"1\"}")
                .contains("seqpredict_keys{engine=\"test\"} 1.0")
                .contains("seqpredict_step_latency_seconds_bucket");
    }

    @Test
    void batchSizesAreCountedInBucketsUpToTheBatch() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StreamMetrics metrics = new StreamMetrics(registry, "test");
        metrics.batch(64);
        metrics.batch(64);
        metrics.batch(3);
        assertThat(registry.scrape())
                .contains("seqpredict_batch_events_count{engine=\"test\"} 3")
                .contains("seqpredict_batch_events_sum{engine=\"test\"} 131.0")
                .contains("seqpredict_batch_events_bucket{engine=\"test\",le=\"2.0\"} 0")
                .contains("seqpredict_batch_events_bucket{engine=\"test\",le=\"4.0\"} 1")
                .contains("seqpredict_batch_events_bucket{engine=\"test\",le=\"32.0\"} 1")
                .contains("seqpredict_batch_events_bucket{engine=\"test\",le=\"64.0\"} 3");
    }

    @Test
    void aHealthyJobShowsZeroRejectionsForEveryReasonBeforeTheFirst() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StreamMetrics metrics = new StreamMetrics(registry, "test");
        assertThat(registry.scrape()).doesNotContain("seqpredict_models_rejected_total");
        metrics.expectModel("sensors");
        String text = registry.scrape();
        for (String reason : new String[] {"invalid", "unverified", "too_large", "unsupported"}) {
            assertThat(text).contains("seqpredict_models_rejected_total{engine=\"test\",model=\"sensors\",reason=\""
                    + reason + "\"} 0.0");
        }
        assertThat(text).contains("seqpredict_models_accepted_total{engine=\"test\",model=\"sensors\"} 0.0");
        metrics.modelRejected("sensors", "too_large");
        assertThat(registry.scrape())
                .contains("seqpredict_models_rejected_total{engine=\"test\",model=\"sensors\",reason=\"too_large\"} 1.0");
    }

    @Test
    void endpointServesTheRegistryOnLoopback() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0)) {
            MetricsEndpoint.registry().counter("seqpredict.endpoint.test").increment();
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(endpoint.url())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("seqpredict_endpoint_test_total 1.0");
            assertThat(endpoint.url()).startsWith("http://127.0.0.1:");
        }
    }
}
