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
    void unsetSettingsAreLeftToTheCluster() {
        FlinkSettings f = FlinkSettings.defaults();
        assertThat(f.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(f.transactionTimeoutMs()).isEqualTo(600_000);
        assertThat(f.stateTtlMs()).isZero();
        assertThat(f.stateBackend()).isNull();
        // a job-level value would override the cluster's (e.g. a FlinkDeployment's RocksDB): none is set
        assertThat(f.toConfiguration().toMap())
                .doesNotContainKeys("state.backend.type", "execution.checkpointing.interval", "restart-strategy.type",
                        "parallelism.default")
                .containsEntry("pipeline.generic-types", "false");
    }

    @Test
    void inProcessRunsGetCheckpointsHeapStateAndRestarts() {
        Configuration c = FlinkSettings.defaults().withLocalDefaults().toConfiguration();
        assertThat(c.toMap())
                .containsEntry("state.backend.type", "hashmap")
                .containsEntry("execution.checkpointing.interval", "10 s")
                .containsEntry("restart-strategy.type", "fixed-delay")
                .containsEntry("restart-strategy.fixed-delay.attempts", "10");
        Properties p = new Properties();
        p.setProperty("flink.state.backend", "rocksdb");
        assertThat(FlinkSettings.fromProperties(p).withLocalDefaults().stateBackend()).isEqualTo("rocksdb");
    }

    @Test
    void exactlyOnceTurnsCheckpointingOnWhenNothingConfiguresIt() {
        assertThat(PredictionJob.environment(FlinkSettings.defaults()).getCheckpointConfig().getCheckpointInterval())
                .isEqualTo(FlinkSettings.DEFAULT_CHECKPOINT_INTERVAL_MS);
        Properties p = new Properties();
        p.setProperty("flink.checkpoint.interval.ms", "2500");
        assertThat(PredictionJob.environment(FlinkSettings.fromProperties(p)).getCheckpointConfig().getCheckpointInterval())
                .isEqualTo(2500);
        Properties alo = new Properties();
        alo.setProperty("flink.delivery.guarantee", "at-least-once");
        assertThat(PredictionJob.environment(FlinkSettings.fromProperties(alo)).getCheckpointConfig().isCheckpointingEnabled())
                .isFalse();
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
        // as the FlinkDeployment and docker compose pass it
        Properties q = PredictionJob.readArgs(new String[] {"--config", file.toString()});
        assertThat(JobSettings.fromProperties(q).eventsTopic()).isEqualTo("in");
        assertThat(q).doesNotContainKey("config");
        assertThat(JobSettings.fromProperties(PredictionJob.readArgs(new String[] {"--config=" + file})).eventsTopic())
                .isEqualTo("in");
    }

    @Test
    void theExamplePropertiesFileIsValid() throws Exception {
        Properties p = PredictionJob.readArgs(new String[] {"examples/flink-job.properties"});
        JobSettings s = JobSettings.fromProperties(p);
        FlinkSettings f = FlinkSettings.fromProperties(p);
        assertThat(s.eventsTopic()).isEqualTo("events");
        assertThat(f.stateTtlMs()).isEqualTo(604_800_000L);
        assertThat(f.deliveryGuarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(f.toConfiguration().toMap()).doesNotContainKey("state.backend.type");
        assertThat(f.withLocalDefaults().toConfiguration().toMap()).containsEntry("state.backend.type", "hashmap");
    }

    @Test
    void theDeploymentConfigsParse() throws Exception {
        Properties p = PredictionJob.readArgs(new String[] {"--config", "docker/conf/flink-job.properties"});
        assertThat(JobSettings.fromProperties(p).bootstrapServers()).isEqualTo("kafka:9092");
        // RocksDB, checkpoints and restarts come from the cluster there: the job must not override them
        assertThat(FlinkSettings.fromProperties(p).toConfiguration().toMap())
                .doesNotContainKeys("state.backend.type", "execution.checkpointing.interval", "restart-strategy.type");
    }
}
