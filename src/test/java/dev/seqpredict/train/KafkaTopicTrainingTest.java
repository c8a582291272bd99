package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reading training history from a real (in-process) events topic. */
class KafkaTopicTrainingTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @Test
    void readsTheLastNRecordsPerKeyInOrderAndSkipsBadOnes() {
        String topic = KAFKA.newTopic("history", 2);
        List<ProducerRecord<String, String>> in = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            for (String key : List.of("s1", "s2")) {
                in.add(new ProducerRecord<>(topic, key, "{\"ts\":" + t + ",\"values\":[" + t + "]}"));
            }
            if (t == 45) {
                in.add(new ProducerRecord<>(topic, "s1", "garbage"));
            }
        }
        KAFKA.produceStrings(in);
        SeriesSet s = KafkaSeriesReader.read(new KafkaSeriesReader.Request(KAFKA.bootstrapServers(), topic, 20L, null, null,
                null, Duration.ofSeconds(30)));
        assertThat(s.task()).isEqualTo(Task.REGRESSION);
        assertThat(s.series()).extracting(Series::key).containsExactlyInAnyOrder("s1", "s2");
        for (Series one : s.series()) {
            // the newest records only, in stream order; the bad record is skipped, not trained on
            assertThat(one.values()[one.length() - 1][0]).isEqualTo(49f);
            for (int i = 1; i < one.length(); i++) {
                assertThat(one.values()[i][0]).isGreaterThan(one.values()[i - 1][0]);
            }
        }
        assertThat(s.rows()).isLessThanOrEqualTo(20);
    }

    @Test
    void aMissingTopicIsAClearError() {
        assertThatThrownBy(() -> KafkaSeriesReader.read(new KafkaSeriesReader.Request(KAFKA.bootstrapServers(),
                "no-such-topic", 10L, null, null, null, Duration.ofSeconds(20))))
                .isInstanceOf(DataException.class).hasMessageContaining("topic 'no-such-topic' does not exist");
    }
}
