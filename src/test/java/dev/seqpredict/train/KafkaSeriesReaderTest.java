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
                rec(1, 1, 40, "b", "{\"ts\":40,\"values\":[5,6]}")), REQUEST);
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
    void recordsTheJobsWouldRejectAreSkippedNotTrainedOn() {
        SeriesSet s = KafkaSeriesReader.toSeries(List.of(
                rec(0, 0, 1, "a", "{\"ts\":1,\"values\":[1,2]}"),
                rec(0, 1, 2, "a", "{\"ts\":2,\"values\":[1]}"),            // wrong arity
                rec(0, 2, 3, "a", "not json"),                                  // malformed
                rec(0, 3, 4, null, "{\"ts\":4,\"values\":[1,2]}"),          // no key
                rec(0, 4, 5, "a", "{\"ts\":5,\"values\":[\"3\",4]}"),     // wrong type
                rec(0, 5, 6, "a", "{\"ts\":6,\"values\":[5,6]}")), REQUEST);
        assertThat(s.series()).hasSize(1);
        assertThat(s.series().get(0).values()).isDeepEqualTo(new float[][] {{1, 2}, {5, 6}});
    }

    @Test
    void aTopicWithNothingValidIsAClearError() {
        assertThatThrownBy(() -> KafkaSeriesReader.toSeries(List.of(rec(0, 0, 1, "a", "not json"),
                rec(0, 1, 2, null, "{\"ts\":1,\"values\":[1]}")), REQUEST))
                .isInstanceOf(DataException.class).hasMessageContaining("no valid records")
                .hasMessageContaining("malformed=1").hasMessageContaining("missing_key=1");
    }
}
