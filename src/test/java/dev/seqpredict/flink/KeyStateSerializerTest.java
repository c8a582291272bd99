package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyStateCodec;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.testing.TestModels;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class KeyStateSerializerTest {

    private final KeyStateSerializer serializer = KeyStateSerializer.INSTANCE;

    /** A state with everything filled in: recurrent state, last prediction, anomaly stats, rewarm ring. */
    static KeyState sampleState(int events) {
        RecurrentModel m = TestModels.regression(7, CellType.LSTM, 3, 8, 2, "m", "1");
        ServingModel sm = ServingModel.of("m", m);
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4));
        KeyState s = null;
        for (int i = 0; i < events; i++) {
            Outcome o = p.process(s, Event.sensor("k", 1000 + i, i, 10 + i * 0.5f, 20 - i), sm);
            s = ((Outcome.Predicted) o).state();
        }
        return s;
    }

    private static byte[] bytes(TypeSerializer<KeyState> ser, KeyState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ser.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void roundTripKeepsEveryField() throws IOException {
        KeyState s = sampleState(7); // ring (capacity 4) has wrapped
        byte[] b = bytes(serializer, s);
        assertThat(b).isEqualTo(KeyStateCodec.toBytes(s)); // the shared binary form, nothing else
        KeyState back = serializer.deserialize(new DataInputDeserializer(b));
        assertThat(KeyStateCodec.toBytes(back)).isEqualTo(b);
        assertThat(back.events()).isEqualTo(7);
        assertThat(back.recurrentState()).containsExactly(s.recurrentState());
        assertThat(back.lastPrediction()).containsExactly(s.lastPrediction());
        assertThat(back.bufferedInputs()).isEqualTo(4);
        assertThat(back.modelFingerprint()).isEqualTo(s.modelFingerprint()).isNotZero();
        // the reuse variant too, and a fresh (empty) state
        KeyState back2 = serializer.deserialize(new KeyState(), new DataInputDeserializer(b));
        assertThat(KeyStateCodec.toBytes(back2)).isEqualTo(b);
        KeyState empty = serializer.createInstance();
        assertThat(KeyStateCodec.toBytes(serializer.deserialize(new DataInputDeserializer(bytes(serializer, empty)))))
                .isEqualTo(KeyStateCodec.toBytes(empty));
    }

    @Test
    void streamCopyWritesTheSameBytes() throws IOException {
        byte[] b = bytes(serializer, sampleState(3));
        DataOutputSerializer out = new DataOutputSerializer(16);
        // two records back to back: copy must consume exactly one
        DataOutputSerializer two = new DataOutputSerializer(16);
        two.write(b);
        two.write(b);
        DataInputDeserializer in = new DataInputDeserializer(two.getCopyOfBuffer());
        serializer.copy(in, out);
        assertThat(out.getCopyOfBuffer()).isEqualTo(b);
        assertThat(in.available()).isEqualTo(b.length);
    }

    @Test
    void copyIsDeepAndIndependent() throws IOException {
        KeyState s = sampleState(5);
        byte[] before = KeyStateCodec.toBytes(s);
        KeyState c = serializer.copy(s);
        assertThat(c).isNotSameAs(s);
        assertThat(KeyStateCodec.toBytes(c)).isEqualTo(before);
        // advancing the copy must not touch the original (shared arrays would)
        RecurrentModel m = TestModels.regression(7, CellType.LSTM, 3, 8, 2, "m", "1");
        new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4))
                .process(c, Event.sensor("k", 5000, 1, 2, 3), ServingModel.of("m", m));
        assertThat(KeyStateCodec.toBytes(c)).isNotEqualTo(before);
        assertThat(KeyStateCodec.toBytes(s)).isEqualTo(before);
        assertThat(KeyStateCodec.toBytes(serializer.copy(s, new KeyState()))).isEqualTo(before);
        assertThat(serializer.copy((KeyState) null)).isNull();
    }

    @Test
    void serializerIdentity() throws Exception {
        assertThat(serializer.isImmutableType()).isFalse();
        assertThat(serializer.getLength()).isEqualTo(-1);
        assertThat(serializer.duplicate()).isEqualTo(serializer);
        assertThat(new KeyStateSerializer()).isEqualTo(serializer).hasSameHashCodeAs(serializer);
        assertThat(serializer).isNotEqualTo(StringSerializer.INSTANCE);
        // it is shipped with the job graph: Java-serializable, and equal after the trip
        KeyStateSerializer shipped = InstantiationUtil.clone(serializer);
        assertThat(shipped).isEqualTo(serializer);
    }

    @Test
    void snapshotRestoresAndIsCompatibleAsIs() throws IOException {
        TypeSerializerSnapshot<KeyState> snap = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(32);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);
        TypeSerializerSnapshot<KeyState> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored).isInstanceOf(KeyStateSerializer.Snapshot.class);
        assertThat(((KeyStateSerializer.Snapshot) restored).formatVersion()).isEqualTo(KeyStateCodec.FORMAT_VERSION);
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);

        // the restored serializer reads bytes the old one wrote
        KeyState s = sampleState(4);
        byte[] b = bytes(serializer, s);
        assertThat(KeyStateCodec.toBytes(restored.restoreSerializer().deserialize(new DataInputDeserializer(b)))).isEqualTo(b);

        TypeSerializerSchemaCompatibility<KeyState> compat =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compat.isCompatibleAsIs()).isTrue();
    }

    @Test
    void stateFromANewerFormatOrAnotherSerializerIsIncompatible() {
        TypeSerializerSnapshot<KeyState> current = serializer.snapshotConfiguration();
        KeyStateSerializer.Snapshot newer = new KeyStateSerializer.Snapshot(KeyStateCodec.FORMAT_VERSION + 1);
        assertThat(current.resolveSchemaCompatibility(newer).isIncompatible()).isTrue();

        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<KeyState> other = (TypeSerializerSnapshot) StringSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(other).isIncompatible()).isTrue();
    }
}
