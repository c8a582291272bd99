package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.JobSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class PredictionAppConfigTest {

    @Test
    void streamsConfigDefaultsAndPassthrough() {
        Properties p = KStreamsFixtures.jobProperties("broker:9092", "keep");
        p.setProperty("kafka.security.protocol", "SSL");
        p.setProperty("streams.num.standby.replicas", "1");
        p.setProperty("streams.state.dir", "/var/lib/seqpredict");
        JobSettings s = JobSettings.fromProperties(p);
        Properties c = PredictionApp.streamsConfig(p, s, new StreamMetrics(new SimpleMeterRegistry(), PredictionApp.ENGINE));
        assertThat(c.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(c.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo(PredictionApp.DEFAULT_APPLICATION_ID);
        assertThat(c.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("broker:9092");
        assertThat(c.get("security.protocol")).isEqualTo("SSL");
        assertThat(c.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo("1");
        assertThat(c.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/seqpredict");
        assertThat(c.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG)).isEqualTo(ExceptionHandlers.Deserialization.class);
        assertThat(c.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG)).isEqualTo(ExceptionHandlers.Processing.class);
        assertThat(c.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG)).isEqualTo(ExceptionHandlers.Production.class);
        assertThat(new StreamsConfig(c).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");

        p.setProperty("streams.processing.guarantee", "at_least_once");
        assertThat(PredictionApp.streamsConfig(p, s, null).get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("at_least_once");
    }

    private static Map<String, Object> handlerConfig(SimpleMeterRegistry meters) {
        Map<String, Object> m = new HashMap<>();
        m.put(ExceptionHandlers.EVENTS_TOPIC_CONFIG, "events");
        m.put(ExceptionHandlers.DLQ_TOPIC_CONFIG, "events-dlq");
        m.put(ExceptionHandlers.METRICS_CONFIG, new StreamMetrics(meters, PredictionApp.ENGINE));
        return m;
    }

    @Test
    void processingErrorsGoToTheDlqWithTheOriginalBytes() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ExceptionHandlers.Processing h = new ExceptionHandlers.Processing();
        h.configure(handlerConfig(meters));
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] value = "{\"ts\":1,\"values\":[1]}".getBytes(StandardCharsets.UTF_8);
        var response = h.handleError(context(key, value), new Record<>(key, value, 0L), new IllegalStateException("corrupt key state"));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> d = response.deadLetterQueueRecords().get(0);
        assertThat(d.topic()).isEqualTo("events-dlq");
        assertThat(d.key()).isEqualTo(key);
        assertThat(d.value()).isEqualTo(value);
        assertThat(new String(d.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8)).isEqualTo("processing_error");
        assertThat(new String(d.headers().lastHeader(DeadLetter.DETAIL).value(), StandardCharsets.UTF_8)).contains("corrupt key state");
        assertThat(new String(d.headers().lastHeader(DeadLetter.SOURCE_OFFSET).value(), StandardCharsets.UTF_8)).isEqualTo("42");
        assertThat(KStreamsFixtures.count(meters, "seqpredict.dlq.records", "reason", "processing_error")).isEqualTo(1);
    }

    @Test
    void productionErrors() {
        ExceptionHandlers.Production h = new ExceptionHandlers.Production();
        h.configure(handlerConfig(new SimpleMeterRegistry()));
        ErrorHandlerContext ctx = context(null, null);
        ProducerRecord<byte[], byte[]> dlq = new ProducerRecord<>("events-dlq", new byte[1]);
        ProducerRecord<byte[], byte[]> prediction = new ProducerRecord<>("predictions", new byte[1]);
        assertThat(h.handleError(ctx, prediction, new NotEnoughReplicasException("x")).result())
                .isEqualTo(ProductionExceptionHandler.Result.RETRY);
        assertThat(h.handleError(ctx, dlq, new RecordTooLargeException("x")).result())
                .isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(h.handleError(ctx, prediction, new RecordTooLargeException("x")).result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }

    private static ErrorHandlerContext context(byte[] key, byte[] value) {
        return new ErrorHandlerContext() {
            public String topic() {
                return "events";
            }

            public int partition() {
                return 0;
            }

            public long offset() {
                return 42;
            }

            public Headers headers() {
                return new RecordHeaders();
            }

            public String processorNodeId() {
                return PredictionTopology.PREDICT;
            }

            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            public long timestamp() {
                return 0;
            }

            public byte[] sourceRawKey() {
                return key;
            }

            public byte[] sourceRawValue() {
                return value;
            }
        };
    }
}
