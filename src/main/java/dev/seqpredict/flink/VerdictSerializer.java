package dev.seqpredict.flink;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Verdicts topic record: key = entity id, timestamp = the session's last ts (as Kafka Streams writes it),
 * value = the verdict JSON. A named class, as KafkaSink needs.
 */
public class VerdictSerializer implements KafkaRecordSerializationSchema<VerdictRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public VerdictSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(VerdictRecord v, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, v.ts, v.key.getBytes(StandardCharsets.UTF_8), v.json);
    }
}
