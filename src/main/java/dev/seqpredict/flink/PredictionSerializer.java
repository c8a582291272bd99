package dev.seqpredict.flink;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Predictions topic record: key = entity id, value = the prediction JSON. A named class, as KafkaSink needs. */
public class PredictionSerializer implements KafkaRecordSerializationSchema<PredictionRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public PredictionSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(PredictionRecord p, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, p.key.getBytes(StandardCharsets.UTF_8), p.json);
    }
}
