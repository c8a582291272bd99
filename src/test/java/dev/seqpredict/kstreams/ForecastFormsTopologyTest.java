package dev.seqpredict.kstreams;

import static dev.seqpredict.kstreams.KStreamsFixtures.EVENTS;
import static dev.seqpredict.kstreams.KStreamsFixtures.MODELS;
import static dev.seqpredict.kstreams.KStreamsFixtures.PREDICTIONS;
import static dev.seqpredict.kstreams.KStreamsFixtures.count;
import static dev.seqpredict.kstreams.KStreamsFixtures.floats;
import static dev.seqpredict.kstreams.KStreamsFixtures.json;
import static dev.seqpredict.kstreams.KStreamsFixtures.sensorJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.Normalization;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams job with a model that forecasts 3 of its 5 inputs ({@code target}) in the differenced residual
 * form: accepted, stepped as the core steps it (state kept across events in the store), error on the targets.
 */
class ForecastFormsTopologyTest {

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void aTargetListDifferencedResidualModelRunsInTheJob() {
        Random r = new Random(8);
        Normalization in = new Normalization(new float[] {0, 0, 0, 0, 0}, new float[] {1, 2, 3, 4, 5});
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 5, 6, 1, Task.REGRESSION, 3).withName("sensors", "1")
                .withNormalization(in, null).withForecast(List.of(4, 0, 2), true).withDifferencedInput(true);
        RecurrentModel m = RecurrentModel.create(spec, TestModels.layers(r, CellType.LSTM, 5, 6, 1),
                TestModels.uniform(r, 3 * 6, 0.4f), TestModels.uniform(r, 3, 0.4f), null);

        Properties job = KStreamsFixtures.jobProperties("unused:9092", "rewarm");
        JobSettings settings = JobSettings.fromProperties(job);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        StreamMetrics metrics = new StreamMetrics(meters, PredictionApp.ENGINE);
        driver = new TopologyTestDriver(PredictionTopology.build(settings, metrics),
                KStreamsFixtures.driverConfig(job, settings, metrics, stateDir));
        TestInputTopic<String, String> events = driver.createInputTopic(EVENTS, new StringSerializer(), new StringSerializer());
        TestInputTopic<String, byte[]> models = driver.createInputTopic(MODELS, new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, String> predictions = driver.createOutputTopic(PREDICTIONS, new StringDeserializer(),
                new StringDeserializer());
        models.pipeInput("sensors", TestModels.bytes(m));
        assertThat(count(meters, "seqpredict.models.rejected", "model", "sensors", "reason", "unsupported")).isZero();

        float[][] rows = {{1, 2, 3, 4, 5}, {2, 1, 4, 3, 6}, {0, 3, 2, 5, 4}, {1, 1, 1, 1, 1}};
        for (int t = 0; t < rows.length; t++) {
            events.pipeInput("k", sensorJson(100 + t, rows[t]));
        }
        List<String> out = predictions.readValuesToList();
        assertThat(out).hasSize(rows.length);
        float[] state = m.newState();
        float[] y = new float[3];
        float[] previous = null;
        for (int t = 0; t < rows.length; t++) {
            m.step(state, rows[t], y);
            JsonNode p = json(out.get(t));
            assertThat(floats(p.get("prediction"))).containsExactly(y);
            if (previous != null) {
                double d0 = rows[t][4] - previous[0];
                double d1 = rows[t][0] - previous[1];
                double d2 = rows[t][2] - previous[2];
                assertThat(p.get("error").floatValue()).isEqualTo((float) Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2) / 3));
            }
            previous = y.clone();
        }
    }
}
