package dev.seqpredict.kstreams;

import static dev.seqpredict.kstreams.KStreamsFixtures.EVENTS;
import static dev.seqpredict.kstreams.KStreamsFixtures.MODELS;
import static dev.seqpredict.kstreams.KStreamsFixtures.PREDICTIONS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.model.CellType;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.security.Keys;
import dev.seqpredict.security.ModelSignature;
import dev.seqpredict.security.ModelSigner;
import dev.seqpredict.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With trusted keys configured, the Kafka Streams job serves only models signed by them. */
class SignedModelsTopologyTest {

    @TempDir
    Path dir;

    @Test
    void servesSignedModelsAndRejectsUnsignedOnesKeepingTheCurrent() throws Exception {
        KeyPair release = ModelSigner.generateKeyPair();
        Path keys = Files.createDirectory(dir.resolve("trusted"));
        Files.writeString(keys.resolve("release.pem"), Keys.publicPem(release.getPublic()));
        Properties job = KStreamsFixtures.jobProperties("unused:9092", "reset");
        job.setProperty(JobSettings.TRUSTED_KEYS, keys.toString());
        JobSettings settings = JobSettings.fromProperties(job);
        StreamMetrics metrics = new StreamMetrics(new SimpleMeterRegistry(), PredictionApp.ENGINE);
        byte[] v1 = TestModels.bytes(TestModels.regression(1, CellType.GRU, 3, 4, 1, "sensors", "1"));
        byte[] v2 = TestModels.bytes(TestModels.regression(2, CellType.GRU, 3, 4, 1, "sensors", "2"));
        ModelSignature sig = new ModelSigner(release).sign(v1);
        RecordHeaders signed = new RecordHeaders();
        signed.add(ModelSignature.HEADER_KEY_ID, sig.keyId().getBytes(StandardCharsets.UTF_8));
        signed.add(ModelSignature.HEADER_SIGNATURE, sig.signatureBase64().getBytes(StandardCharsets.UTF_8));

        try (TopologyTestDriver driver = new TopologyTestDriver(PredictionTopology.build(settings, metrics),
                KStreamsFixtures.driverConfig(job, settings, metrics, dir.resolve("state")))) {
            var models = driver.createInputTopic(MODELS, new StringSerializer(), new ByteArraySerializer());
            var events = driver.createInputTopic(EVENTS, new StringSerializer(), new StringSerializer());
            var predictions = driver.createOutputTopic(PREDICTIONS, new StringDeserializer(), new StringDeserializer());

            models.pipeInput(new TestRecord<>("sensors", v1, signed));
            events.pipeInput("a", KStreamsFixtures.sensorJson(1, 1, 2, 3));
            assertThat(predictions.readValue()).contains("\"version\":\"1\"");

            models.pipeInput("sensors", v2); // unsigned: rejected, v1 stays
            events.pipeInput("a", KStreamsFixtures.sensorJson(2, 1, 2, 3));
            assertThat(predictions.readValue()).contains("\"version\":\"1\"");
            assertThat(metrics.registry().find("seqpredict.models.rejected").tag("reason", "unverified").counter().count())
                    .isEqualTo(1.0);
        }
    }
}
