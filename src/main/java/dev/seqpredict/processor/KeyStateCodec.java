package dev.seqpredict.processor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The compact binary form of a {@link KeyState}, shared by Flink's state serializer and the Kafka
 * Streams serde. Big-endian, as {@link DataOutput} writes:
 *
 * <pre>
 * u8      format version (currently 1)
 * utf     model name, utf model version
 * i64     model fingerprint, i64 input signature, i64 events, i64 last ts
 * i32 n   + n × f32   recurrent state (the model's StateLayout)
 * i32 n   + n × f32   last prediction (n = -1: none)
 * i64     error count; f64 short mean, f64 long mean, f64 long variance; f32 last error, f32 last score
 * i32 w, i32 capacity, i32 fill  + fill × w × f32   rewarm buffer, oldest first
 * i64     (version ≥ 2) event count at the key's last alarm, -1 = none
 * </pre>
 * Readers of later releases must keep reading every earlier format version.
 */
public final class KeyStateCodec {

    public static final int FORMAT_VERSION = 2;
    /** Refuse to allocate more than this many floats for one array of a (possibly corrupt) state. */
    private static final int MAX_FLOATS = 1 << 24;

    private KeyStateCodec() {
    }

    public static void write(KeyState s, DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeUTF(s.modelName);
        out.writeUTF(s.modelVersion);
        out.writeLong(s.modelFingerprint);
        out.writeLong(s.inputSignature);
        out.writeLong(s.events);
        out.writeLong(s.lastTs);
        writeFloats(out, s.recurrent, 0, s.recurrent.length);
        if (s.lastPrediction == null) {
            out.writeInt(-1);
        } else {
            writeFloats(out, s.lastPrediction, 0, s.lastPrediction.length);
        }
        out.writeLong(s.errorCount);
        out.writeDouble(s.shortMean);
        out.writeDouble(s.longMean);
        out.writeDouble(s.longVar);
        out.writeFloat(s.lastError);
        out.writeFloat(s.lastScore);
        int capacity = s.ringWidth == 0 ? 0 : s.ring.length / s.ringWidth;
        out.writeInt(s.ringWidth);
        out.writeInt(capacity);
        out.writeInt(s.ringFill);
        float[] one = new float[s.ringWidth];
        for (int i = 0; i < s.ringFill; i++) {
            s.bufferedInput(i, one);
            for (float v : one) {
                out.writeFloat(v);
            }
        }
        out.writeLong(s.lastAlarm);
    }

    public static KeyState read(DataInput in) throws IOException {
        int version = in.readUnsignedByte();
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IOException("unknown key state format version " + version + " (this release reads 1.." + FORMAT_VERSION + ")");
        }
        KeyState s = new KeyState();
        s.modelName = in.readUTF();
        s.modelVersion = in.readUTF();
        s.modelFingerprint = in.readLong();
        s.inputSignature = in.readLong();
        s.events = in.readLong();
        s.lastTs = in.readLong();
        s.recurrent = readFloats(in, in.readInt(), "recurrent state");
        int n = in.readInt();
        s.lastPrediction = n == -1 ? null : readFloats(in, n, "last prediction");
        s.errorCount = in.readLong();
        s.shortMean = in.readDouble();
        s.longMean = in.readDouble();
        s.longVar = in.readDouble();
        s.lastError = in.readFloat();
        s.lastScore = in.readFloat();
        int width = in.readInt();
        int capacity = in.readInt();
        int fill = in.readInt();
        if (width < 0 || capacity < 0 || fill < 0 || fill > capacity || (long) width * capacity > MAX_FLOATS
                || (width == 0) != (capacity == 0)) {
            throw new IOException("corrupt rewarm buffer header: width " + width + ", capacity " + capacity + ", fill " + fill);
        }
        s.ringWidth = width;
        s.ring = new float[width * capacity];
        for (int i = 0; i < fill * width; i++) {
            s.ring[i] = in.readFloat();
        }
        s.ringFill = fill;
        s.ringHead = capacity == 0 ? 0 : fill % capacity;
        s.lastAlarm = version >= 2 ? in.readLong() : -1;
        return s;
    }

    public static byte[] toBytes(KeyState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 4 * s.floatCount());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(s, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static KeyState fromBytes(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        KeyState s = read(in);
        if (in.available() != 0) {
            throw new IOException("key state has " + in.available() + " trailing bytes");
        }
        return s;
    }

    private static void writeFloats(DataOutput out, float[] a, int off, int len) throws IOException {
        out.writeInt(len);
        for (int i = 0; i < len; i++) {
            out.writeFloat(a[off + i]);
        }
    }

    private static float[] readFloats(DataInput in, int n, String what) throws IOException {
        if (n < 0 || n > MAX_FLOATS) {
            throw new IOException("corrupt key state: " + what + " length " + n);
        }
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readFloat();
        }
        return a;
    }
}
