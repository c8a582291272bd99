package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.model.Task;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Turning topic records into per-key series (the broker round trip waits for the in-process broker). */
class KafkaSeriesReaderTest {

    private static final KafkaSeriesReader.Request REQUEST =
            new KafkaSeriesReader.Request("b:9092", "history", null, null, null, null, Duration.ofSeconds(5));

    static ConsumerRecord<String, String> rec(int partition, long offset, long ts, String key, String value) {
        return new ConsumerRecord<>("history", partition, offset, ts, TimestampType.CREATE_TIME, -1, -1, key, value,
                new RecordHeaders(), java.util.Optional.empty());
    }

    @Test
    void groupsRecordsByKeyInPartitionOrder() {
        SeriesSet s = KafkaSeriesReader.toSeries(List.of(
                rec(1, 0, 20, "b", "{\"ts\":20,\"values\":[1.5,2]}"),
                rec(0, 0, 10, "a", "{\"ts\":10,\"values\":[1,2]}"),
                rec(0, 1, 30, "a", "{\"ts\":30,\"values\":[3,4]}"),
                rec(1, 1, 40, "b", "{\"values\":[5,6]}")), REQUEST);
        assertThat(s.task()).isEqualTo(Task.REGRESSION);
        assertThat(s.featureNames()).containsExactly("x0", "x1");
        assertThat(s.series()).extracting(Series::key).containsExactly("a", "b");
        assertThat(s.series().get(0).values()).isDeepEqualTo(new float[][] {{1, 2}, {3, 4}});
        assertThat(s.series().get(1).ts()).containsExactly("20", "40");
        assertThat(s.firstTs()).isEqualTo("10");
        assertThat(s.lastTs()).isEqualTo("40");
    }

    @Test
    void readsEvents() {
        SeriesSet s = KafkaSeriesReader.toSeries(List.of(
                rec(0, 0, 1, "blk_1", "{\"ts\":1,\"event\":\"E5\"}"),
                rec(0, 1, 2, "blk_1", "{\"ts\":2,\"event\":\"E22\"}")), REQUEST);
        assertThat(s.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(s.series().get(0).events()).containsExactly("E5", "E22");
    }

    @Test
    void badRecordsNameTheirOffset() {
        assertThatThrownBy(() -> KafkaSeriesReader.toSeries(List.of(
                rec(0, 0, 1, "a", "{\"values\":[1,2]}"),
                rec(0, 7, 2, "a", "{\"values\":[1]}")), REQUEST))
                .isInstanceOf(DataException.class).hasMessageContaining("partition 0 offset 7").hasMessageContaining("has 1 values");
        assertThatThrownBy(() -> KafkaSeriesReader.toSeries(List.of(rec(2, 3, 1, null, "{\"values\":[1]}")), REQUEST))
                .isInstanceOf(DataException.class).hasMessageContaining("has no key");
        assertThatThrownBy(() -> KafkaSeriesReader.toSeries(List.of(rec(0, 0, 1, "a", "not json")), REQUEST))
                .isInstanceOf(DataException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> KafkaSeriesReader.toSeries(List.of(
                rec(0, 0, 1, "a", "{\"event\":\"x\"}"), rec(0, 1, 2, "a", "{\"values\":[1]}")), REQUEST))
                .isInstanceOf(DataException.class).hasMessageContaining("has no \"event\"");
    }
}
