package dev.seqpredict.kstreams;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.EventParser;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exception handlers the application sets deliberately (see {@link PredictionApp#streamsConfig}).
 *
 * <ul>
 * <li>{@link Deserialization}: the sources read raw bytes, so deserialization cannot fail in this
 *     topology today; should it (a changed serde), an events-topic record goes to the DLQ with reason
 *     {@code deserialization_error} and processing resumes; any other topic's record is logged and
 *     skipped.</li>
 * <li>{@link Processing}: an exception thrown while processing one record (e.g. a corrupt stored key
 *     state, or a bug) sends that record's original bytes to the DLQ with reason
 *     {@code processing_error} and resumes, so one poisoned key cannot stop every other key.</li>
 * <li>{@link Production}: retriable send errors are retried; a DLQ record too large for the broker is
 *     logged and dropped (the DLQ must not stop the predictions); anything else fails the task
 *     (with exactly-once the transaction aborts and nothing half-written becomes visible).</li>
 * <li>{@link #uncaught}: a stream thread that dies shuts the client down ({@code SHUTDOWN_CLIENT});
 *     {@link PredictionApp} then exits non-zero so the supervisor restarts it from committed state,
 *     rather than replacing threads in a loop on a persistent fault.</li>
 * </ul>
 */
public final class ExceptionHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ExceptionHandlers.class);
    /** Streams config keys the handlers read (set by {@link PredictionApp#streamsConfig}). */
    static final String EVENTS_TOPIC_CONFIG = "seqpredict.topic.events";
    static final String DLQ_TOPIC_CONFIG = "seqpredict.topic.dlq";
    static final String MAX_EVENT_BYTES_CONFIG = "seqpredict.limits.event.bytes";
    static final String MAX_KEY_BYTES_CONFIG = "seqpredict.limits.key.bytes";
    /** The {@link StreamMetrics} instance travels to the handlers as a config value under this key. */
    static final String METRICS_CONFIG = "seqpredict.metrics.instance";

    public static final String DESERIALIZATION_ERROR = "deserialization_error";
    public static final String PROCESSING_ERROR = "processing_error";

    private ExceptionHandlers() {
    }

    abstract static class Base {
        String eventsTopic;
        String dlqTopic;
        int maxEventBytes = EventParser.DEFAULT_MAX_EVENT_BYTES;
        int maxKeyBytes = EventParser.DEFAULT_MAX_KEY_BYTES;
        MeterRegistry meters;

        public void configure(Map<String, ?> configs) {
            eventsTopic = String.valueOf(configs.get(EVENTS_TOPIC_CONFIG));
            dlqTopic = String.valueOf(configs.get(DLQ_TOPIC_CONFIG));
            if (configs.get(MAX_EVENT_BYTES_CONFIG) != null) {
                maxEventBytes = Integer.parseInt(String.valueOf(configs.get(MAX_EVENT_BYTES_CONFIG)));
            }
            if (configs.get(MAX_KEY_BYTES_CONFIG) != null) {
                maxKeyBytes = Integer.parseInt(String.valueOf(configs.get(MAX_KEY_BYTES_CONFIG)));
            }
            meters = configs.get(METRICS_CONFIG) instanceof StreamMetrics m ? m.registry() : new SimpleMeterRegistry();
        }

        /** The DLQ counter of {@link StreamMetrics} (same name and tags) for reasons beyond RejectReason. */
        void count(String reason) {
            Counter.builder("seqpredict.dlq.records").tag("engine", PredictionApp.ENGINE).tag("reason", reason)
                    .description("Records sent to the dead-letter topic").register(meters).increment();
        }

        ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext ctx, byte[] key, byte[] value, String reason, Exception e) {
            var payload = DeadLetter.Payload.of(key, value, maxKeyBytes, maxEventBytes);
            var headers = PredictProcessor.deadLetterHeaders(ctx.headers(), reason,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), ctx.topic(), ctx.partition(), ctx.offset(),
                    payload, maxEventBytes);
            count(reason);
            return new ProducerRecord<>(dlqTopic, null, null, payload.key(), payload.value(), headers);
        }
    }

    public static final class Deserialization extends Base implements DeserializationExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext ctx, ConsumerRecord<byte[], byte[]> record, Exception e) {
            if (eventsTopic.equals(record.topic())) {
                LOG.warn("cannot deserialize {}-{}@{}; sent to the DLQ: {}", record.topic(), record.partition(), record.offset(), e.toString());
                return Response.resume(List.of(deadLetter(ctx, record.key(), record.value(), DESERIALIZATION_ERROR, e)));
            }
            LOG.warn("cannot deserialize {}-{}@{}; skipped: {}", record.topic(), record.partition(), record.offset(), e.toString());
            return Response.resume();
        }
    }

    public static final class Processing extends Base implements ProcessingExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext ctx, Record<?, ?> record, Exception e) {
            byte[] key = ctx.sourceRawKey() != null ? ctx.sourceRawKey() : record.key() instanceof byte[] b ? b : null;
            byte[] value = ctx.sourceRawValue() != null ? ctx.sourceRawValue() : record.value() instanceof byte[] b ? b : null;
            LOG.error("processing {}-{}@{} failed in {}; sent to the DLQ", ctx.topic(), ctx.partition(), ctx.offset(),
                    ctx.processorNodeId(), e);
            return Response.resume(List.of(deadLetter(ctx, key, value, PROCESSING_ERROR, e)));
        }
    }

    public static final class Production extends Base implements ProductionExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext ctx, ProducerRecord<byte[], byte[]> record, Exception e) {
            if (e instanceof RetriableException) {
                return Response.retry();
            }
            if (e instanceof RecordTooLargeException && dlqTopic.equals(record.topic())) {
                count("dlq_dropped");
                LOG.error("dead letter for {}-{}@{} too large for the DLQ topic; dropped", ctx.topic(), ctx.partition(), ctx.offset(), e);
                return Response.resume();
            }
            LOG.error("cannot write to {}; failing the task", record.topic(), e);
            return Response.fail();
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext ctx, ProducerRecord record, Exception e,
                                                 SerializationExceptionOrigin origin) {
            LOG.error("cannot serialize the {} of a record for {}; failing the task", origin, record.topic(), e);
            return Response.fail();
        }
    }

    /** The uncaught exception handler: log and shut this client down (the app then exits non-zero). */
    public static StreamsUncaughtExceptionHandler uncaught() {
        return e -> {
            LOG.error("stream thread died; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        };
    }
}
