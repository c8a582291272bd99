package dev.seqpredict.flink;

import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyStateCodec;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for a key's {@link KeyState}: the compact binary form of {@link KeyStateCodec}
 * (no Kryo, no Java serialization). Stateless, so one instance can be shared; {@link #copy(KeyState)} is
 * a deep copy, because the state is mutable and the heap backend's copy-on-write snapshots rely on it.
 */
public final class KeyStateSerializer extends TypeSerializer<KeyState> {
    private static final long serialVersionUID = 1L;

    public static final KeyStateSerializer INSTANCE = new KeyStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<KeyState> duplicate() {
        return this; // stateless
    }

    @Override
    public KeyState createInstance() {
        return new KeyState();
    }

    @Override
    public KeyState copy(KeyState from) {
        return from == null ? null : from.copy();
    }

    @Override
    public KeyState copy(KeyState from, KeyState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(KeyState record, DataOutputView target) throws IOException {
        KeyStateCodec.write(record, target);
    }

    @Override
    public KeyState deserialize(DataInputView source) throws IOException {
        return KeyStateCodec.read(source);
    }

    @Override
    public KeyState deserialize(KeyState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof KeyStateSerializer;
    }

    @Override
    public int hashCode() {
        return KeyStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<KeyState> snapshotConfiguration() {
        return new Snapshot(KeyStateCodec.FORMAT_VERSION);
    }

    /**
     * Records which {@link KeyStateCodec} format version wrote the state. A release whose codec reads
     * that version (every later one must read every earlier version) restores it as is; state written
     * by a newer format than this release knows is incompatible, so a downgrade fails loudly instead of
     * misreading bytes.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<KeyState> {
        private static final int SNAPSHOT_VERSION = 1;
        private int formatVersion;

        /** For reflective instantiation on restore. */
        public Snapshot() {
            this(KeyStateCodec.FORMAT_VERSION);
        }

        Snapshot(int formatVersion) {
            this.formatVersion = formatVersion;
        }

        public int formatVersion() {
            return formatVersion;
        }

        @Override
        public int getCurrentVersion() {
            return SNAPSHOT_VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(formatVersion);
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
            if (readVersion != SNAPSHOT_VERSION) {
                throw new IOException("unknown KeyStateSerializer snapshot version " + readVersion);
            }
            formatVersion = in.readInt();
        }

        @Override
        public TypeSerializer<KeyState> restoreSerializer() {
            return INSTANCE;
        }

        @Override
        public TypeSerializerSchemaCompatibility<KeyState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<KeyState> oldSerializerSnapshot) {
            if (!(oldSerializerSnapshot instanceof Snapshot old)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            if (old.formatVersion < 1 || old.formatVersion > formatVersion) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
    }
}
