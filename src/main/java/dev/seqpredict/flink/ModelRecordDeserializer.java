package dev.seqpredict.flink;

import dev.seqpredict.security.ModelSignature;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A models-topic record: key = model name (UTF-8), value = artifact bytes, null (tombstone) = withdraw,
 * with the signature headers ({@link ModelSignature#HEADER_KEY_ID}, {@link ModelSignature#HEADER_SIGNATURE}).
 */
public class ModelRecordDeserializer implements KafkaRecordDeserializationSchema<ModelRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelRecord> out) {
        String name = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        out.collect(new ModelRecord(name, record.value(), header(record, ModelSignature.HEADER_KEY_ID),
                header(record, ModelSignature.HEADER_SIGNATURE)));
    }

    private static byte[] header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : h.value();
    }

    @Override
    public TypeInformation<ModelRecord> getProducedType() {
        return TypeInformation.of(ModelRecord.class);
    }
}
