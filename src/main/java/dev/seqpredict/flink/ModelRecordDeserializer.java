package dev.seqpredict.flink;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A models-topic record: key = model name (UTF-8), value = artifact bytes, null (tombstone) = withdraw. */
public class ModelRecordDeserializer implements KafkaRecordDeserializationSchema<ModelRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelRecord> out) {
        String name = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        out.collect(new ModelRecord(name, record.value()));
    }

    @Override
    public TypeInformation<ModelRecord> getProducedType() {
        return TypeInformation.of(ModelRecord.class);
    }
}
