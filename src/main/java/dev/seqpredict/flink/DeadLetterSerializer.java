package dev.seqpredict.flink;

import dev.seqpredict.processor.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead-letter topic record: the original key and value bytes, untouched, with the {@link DeadLetter}
 * headers (reason, detail, source topic, partition and offset).
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetterRecord> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetterRecord d, KafkaSinkContext context, Long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetter.REASON, utf8(d.reason));
        headers.add(DeadLetter.DETAIL, DeadLetter.detailBytes(d.detail));
        if (d.topic != null) {
            headers.add(DeadLetter.SOURCE_TOPIC, utf8(d.topic));
            headers.add(DeadLetter.SOURCE_PARTITION, utf8(Integer.toString(d.partition)));
            headers.add(DeadLetter.SOURCE_OFFSET, utf8(Long.toString(d.offset)));
        }
        d.payload().cutHeaders().forEach(headers::add);
        return new ProducerRecord<>(topic, null, timestamp, d.keyBytes, d.value, headers);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
