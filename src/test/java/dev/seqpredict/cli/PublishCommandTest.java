package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.PublishedModel;
import dev.seqpredict.security.ModelSignature;
import dev.seqpredict.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** publish against the in-process broker; the published records go through a verifying registry as a job's would. */
class PublishCommandTest {

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path dir;
    private Path keys;
    private Path model;
    private ModelRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        keys = dir.resolve("keys");
        assertThat(CliRun.of("keygen", "--out", keys.toString()).exitCode()).isZero();
        model = dir.resolve("m.safetensors");
        ModelArtifact.write(TestModels.regression(9, CellType.GRU, 2, 4, 1, "m", "1"), model);
        Properties p = new Properties();
        p.setProperty(JobSettings.MODEL_NAME, "m");
        p.setProperty(JobSettings.TRUSTED_KEYS, keys.resolve("public.pem").toString());
        registry = JobSettings.fromProperties(p).newRegistry();
    }

    private ModelRegistry.Update offer(ConsumerRecord<byte[], byte[]> r) {
        return registry.offer(PublishedModel.fromRecord(new String(r.key()), r.value(),
                h -> r.headers().lastHeader(h) == null ? null : r.headers().lastHeader(h).value()));
    }

    @Test
    void signedPublishCarriesTheSignatureHeadersAndIsAcceptedByAVerifyingRegistry() throws Exception {
        String topic = KAFKA.newTopic("models");
        CliRun run = CliRun.of("publish", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic, "--name", "m",
                "--model", model.toString(), "--key", keys.resolve("private.pem").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("published    m -> " + topic + "-0@0");

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readBytes(topic, 1, Duration.ofSeconds(20));
        ConsumerRecord<byte[], byte[]> r = records.get(0);
        assertThat(r.value()).isEqualTo(Files.readAllBytes(model));   // the artifact travels unchanged
        assertThat(KafkaTestSupport.header(r, ModelSignature.HEADER_KEY_ID)).matches("[0-9a-f]{16}");
        assertThat(KafkaTestSupport.header(r, ModelSignature.HEADER_SIGNATURE)).hasSize(88);
        assertThat(offer(r)).isInstanceOf(ModelRegistry.Update.Accepted.class);
    }

    @Test
    void unsignedPublishWarnsAndIsRejectedAsUnverifiedWhileAPreSignedOneIsAccepted() throws Exception {
        String topic = KAFKA.newTopic("models");
        CliRun unsigned = CliRun.of("publish", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic, "--name", "m",
                "--model", model.toString());
        assertThat(unsigned.exitCode()).as(unsigned.err()).isZero();
        assertThat(unsigned.err()).contains("warning: publishing m unsigned");

        assertThat(CliRun.of("sign", "--model", model.toString(), "--key", keys.resolve("private.pem").toString()).exitCode()).isZero();
        CliRun presigned = CliRun.of("publish", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic, "--name", "m",
                "--model", model.toString(), "--signature", dir.resolve("m.safetensors.sig").toString());
        assertThat(presigned.exitCode()).as(presigned.err()).isZero();
        CliRun withdraw = CliRun.of("publish", "--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic, "--name", "m",
                "--withdraw", "--key", keys.resolve("private.pem").toString());
        assertThat(withdraw.exitCode()).as(withdraw.err()).isZero();

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readBytes(topic, 3, Duration.ofSeconds(20));
        assertThat(records.get(0).headers().toArray()).extracting(Header::key).doesNotContain(ModelSignature.HEADER_SIGNATURE);
        ModelRegistry.Update first = offer(records.get(0));
        assertThat(first).isInstanceOf(ModelRegistry.Update.Rejected.class);
        assertThat(((ModelRegistry.Update.Rejected) first).reason()).isEqualTo("unverified");
        assertThat(offer(records.get(1))).isInstanceOf(ModelRegistry.Update.Accepted.class);
        assertThat(records.get(2).value()).isEmpty();
        assertThat(offer(records.get(2))).isInstanceOf(ModelRegistry.Update.Removed.class);
    }

    @Test
    void publishRefusesInvalidModelsAndReportsAnUnreachableBroker() throws Exception {
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {9, 9, 9});
        CliRun invalid = CliRun.of("publish", "--bootstrap-servers", KAFKA.bootstrapServers(), "--name", "m", "--model", junk.toString());
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains("error: refusing to publish an invalid model");

        CliRun both = CliRun.of("publish", "--bootstrap-servers", KAFKA.bootstrapServers(), "--name", "m", "--model", model.toString(),
                "--key", "a.pem", "--signature", "a.sig");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");

        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CliRun down = CliRun.of("publish", "--bootstrap-servers", "127.0.0.1:" + closedPort, "--name", "m",
                "--model", model.toString(), "--key", keys.resolve("private.pem").toString(), "--timeout", "2");
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err()).contains("error: ");
    }
}
