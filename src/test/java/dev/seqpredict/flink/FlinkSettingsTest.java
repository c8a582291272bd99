package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.SwapPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkSettingsTest {

    @Test
    void defaultsAreExactlyOnceOnTheHeapBackend() {
        FlinkSettings f = FlinkSettings.defaults();
        assertThat(f.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(f.stateBackend()).isEqualTo("hashmap");
        assertThat(f.transactionTimeoutMs()).isEqualTo(600_000);
        assertThat(f.checkpointIntervalMs()).isEqualTo(10_000);
        assertThat(f.stateTtlMs()).isZero();
        Configuration c = f.toConfiguration();
        assertThat(c.toMap())
                .containsEntry("state.backend.type", "hashmap")
                .containsEntry("execution.checkpointing.interval", "10 s")
                .containsEntry("restart-strategy.type", "fixed-delay")
                .containsEntry("pipeline.generic-types", "false");
    }

    @Test
    void propertiesSelectRocksDbTtlAndPassFlinkKeysThrough() {
        Properties p = new Properties();
        p.setProperty("flink.state.backend", "RocksDB");
        p.setProperty("flink.state.ttl.ms", "3600000");
        p.setProperty("flink.checkpoint.interval.ms", "2500");
        p.setProperty("flink.parallelism", "4");
        p.setProperty("flink.conf.state.backend.incremental", "true");
        FlinkSettings f = FlinkSettings.fromProperties(p);
        assertThat(f.stateBackend()).isEqualTo("rocksdb");
        assertThat(f.stateTtlMs()).isEqualTo(3_600_000);
        assertThat(f.toConfiguration().toMap())
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("state.backend.incremental", "true")
                .containsEntry("parallelism.default", "4");
        // Flink's own key works too
        Properties q = new Properties();
        q.setProperty("state.backend.type", "rocksdb");
        assertThat(FlinkSettings.fromProperties(q).stateBackend()).isEqualTo("rocksdb");
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        Properties p = new Properties();
        p.setProperty("flink.checkpoint.interval.ms", "0");
        assertThatThrownBy(() -> FlinkSettings.fromProperties(p)).hasMessageContaining("exactly-once delivery needs checkpointing");
        p.setProperty("flink.delivery.guarantee", "at-least-once");
        assertThat(FlinkSettings.fromProperties(p).deliveryGuarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        Properties t = new Properties();
        t.setProperty("flink.transaction.timeout.ms", "3600000");
        assertThatThrownBy(() -> FlinkSettings.fromProperties(t)).hasMessageContaining("transaction.timeout.ms");
        Properties b = new Properties();
        b.setProperty("flink.state.backend", "memory");
        assertThatThrownBy(() -> FlinkSettings.fromProperties(b)).hasMessageContaining("hashmap or rocksdb");
    }

    @Test
    void argsAreFilesThenOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "bootstrap.servers=kafka:9092\ntopic.events=in\nswap.policy=keep\nflink.parallelism=2\n");
        Properties p = PredictionJob.readArgs(new String[] {file.toString(), "topic.events=sensors", "--flink.parallelism", "3"});
        JobSettings s = JobSettings.fromProperties(p);
        assertThat(s.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(s.eventsTopic()).isEqualTo("sensors");
        assertThat(s.predictor().swapPolicy()).isEqualTo(SwapPolicy.KEEP);
        assertThat(FlinkSettings.fromProperties(p).parallelism()).isEqualTo(3);
    }

    @Test
    void theExamplePropertiesFileIsValid() throws Exception {
        Properties p = PredictionJob.readArgs(new String[] {"examples/flink-job.properties"});
        JobSettings s = JobSettings.fromProperties(p);
        FlinkSettings f = FlinkSettings.fromProperties(p);
        assertThat(s.eventsTopic()).isEqualTo("events");
        assertThat(f.stateTtlMs()).isEqualTo(604_800_000L);
        assertThat(f.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(f.toConfiguration().toMap()).containsEntry("state.backend.type", "hashmap");
    }
}
