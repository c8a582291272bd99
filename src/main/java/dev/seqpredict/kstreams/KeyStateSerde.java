package dev.seqpredict.kstreams;

import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyStateCodec;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The state store's value serde: a {@link KeyState} in the engine-neutral {@link KeyStateCodec} format
 * (the same bytes Flink's state serializer writes). A corrupt value fails with a
 * {@link SerializationException} rather than yielding a half-read state.
 */
public final class KeyStateSerde implements Serde<KeyState> {

    private static final Serializer<KeyState> SERIALIZER =
            (topic, state) -> state == null ? null : KeyStateCodec.toBytes(state);

    private static final Deserializer<KeyState> DESERIALIZER = (topic, bytes) -> {
        if (bytes == null) {
            return null;
        }
        try {
            return KeyStateCodec.fromBytes(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("corrupt key state (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
    };

    @Override
    public Serializer<KeyState> serializer() {
        return SERIALIZER;
    }

    @Override
    public Deserializer<KeyState> deserializer() {
        return DESERIALIZER;
    }
}
