package dev.seqpredict.processor;

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
 * u8      format version (currently 5)
 * utf     model name, utf model version
 * i64     model fingerprint, i64 input signature, i64 events, i64 last ts
 * i32 n   + n × f32   recurrent state (the model's StateLayout)
 * i32 n   + n × f32   last prediction (n = -1: none)
 * i64     error count; f64 short mean, f64 long mean, f64 long variance; f32 last error, f32 last score
 * i32 w, i32 capacity, i32 fill  + fill × w × f32   rewarm buffer, oldest first
 * i64     (version ≥ 2) event count at the key's last alarm, -1 = none
 * u8      (version ≥ 3) 1 when the sensor score's history follows, 0 when not (log streams, no event scored yet):
 *         i32 season lag; (version ≥ 5) i32 season cycles (1 before); 2 × (u8 present + i64 count, f64 scale, f64 short mean, f64 long mean, f64 long variance)
 *         for the forecast and the season; i32 n + n × f32 seen minimum, n × f32 seen maximum;
 *         i32 fill + fill × n × f32 season values, oldest first (capacity = season lag × cycles);
 *         (version ≥ 4) i64 change count, f64 typical change, n × f32 previous values (the spike rule's change)
 * u8      (version ≥ 4) 1 when the forecast blend follows, 0 when not: i32 n; n × f32 last values, n × f32 the
 *         model's forecast; i64 events judged; n × 5 × f64 mean absolute errors (feature-major, the factors of
 *         {@link ForecastBlend#GRID} in order)
 * </pre>
 * Readers of later releases must keep reading every earlier format version.
 */
public final class KeyStateCodec {

    public static final int FORMAT_VERSION = 5;
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
        if (s.seenMin == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            out.writeInt(s.seasonLag);
            out.writeInt(s.seasonCycles);
            writeStats(out, s.forecastStats);
            writeStats(out, s.seasonStats);
            int w = s.seenMin.length;
            out.writeInt(w);
            for (float v : s.seenMin) {
                out.writeFloat(v);
            }
            for (float v : s.seenMax) {
                out.writeFloat(v);
            }
            int fill = s.season == null ? 0 : s.seasonFill;
            out.writeInt(fill);
            for (int i = 0; i < fill; i++) {
                int slot = Math.floorMod(s.seasonHead - fill + i, s.seasonLag * s.seasonCycles);
                for (int j = 0; j < w; j++) {
                    out.writeFloat(s.season[slot * w + j]);
                }
            }
            out.writeLong(s.changeCount);
            out.writeDouble(s.changeScale);
            for (int j = 0; j < w; j++) {
                out.writeFloat(s.lastValues == null || s.lastValues.length != w ? Float.NaN : s.lastValues[j]);
            }
        }
        ForecastBlend b = s.blend;
        if (b == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            out.writeInt(b.width());
            for (float v : b.last) {
                out.writeFloat(v);
            }
            for (float v : b.raw) {
                out.writeFloat(v);
            }
            out.writeLong(b.count);
            for (double e : b.err) {
                out.writeDouble(e);
            }
        }
    }

    private static ForecastBlend readBlend(DataInput in) throws IOException {
        if (in.readUnsignedByte() == 0) {
            return null;
        }
        int w = in.readInt();
        if (w < 1 || (long) w * ForecastBlend.GRID.length > MAX_FLOATS) {
            throw new IOException("corrupt forecast blend: width " + w);
        }
        ForecastBlend b = new ForecastBlend(w);
        b.last = readFloats(in, w, "blend last values");
        b.raw = readFloats(in, w, "blend forecast");
        b.count = in.readLong();
        if (b.count < 0) {
            throw new IOException("corrupt forecast blend: count " + b.count);
        }
        for (int i = 0; i < b.err.length; i++) {
            b.err[i] = in.readDouble();
        }
        return b;
    }

    private static void writeStats(DataOutput out, SurpriseStats st) throws IOException {
        out.writeByte(st == null ? 0 : 1);
        if (st != null) {
            out.writeLong(st.count);
            out.writeDouble(st.scale);
            out.writeDouble(st.shortMean);
            out.writeDouble(st.longMean);
            out.writeDouble(st.longVar);
        }
    }

    private static SurpriseStats readStats(DataInput in) throws IOException {
        if (in.readUnsignedByte() == 0) {
            return null;
        }
        SurpriseStats st = new SurpriseStats();
        st.count = in.readLong();
        st.scale = in.readDouble();
        st.shortMean = in.readDouble();
        st.longMean = in.readDouble();
        st.longVar = in.readDouble();
        return st;
    }

    private static void readSensorScore(DataInput in, KeyState s, int version) throws IOException {
        if (in.readUnsignedByte() == 0) {
            return;
        }
        int lag = in.readInt();
        if (lag < -1 || lag > 100_000) {
            throw new IOException("corrupt sensor score: season lag " + lag);
        }
        int cycles = version >= 5 ? in.readInt() : 1;
        if (cycles < 1 || (long) cycles * Math.max(lag, 1) > 100_000) {
            throw new IOException("corrupt sensor score: season cycles " + cycles + " for lag " + lag);
        }
        s.seasonLag = lag;
        s.seasonCycles = cycles;
        int capacity = Math.max(lag, 0) * cycles;
        s.forecastStats = readStats(in);
        s.seasonStats = readStats(in);
        int w = in.readInt();
        if (w < 1 || (long) w * Math.max(capacity, 1) > MAX_FLOATS) {
            throw new IOException("corrupt sensor score: width " + w + ", season lag " + lag);
        }
        s.seenMin = readFloats(in, w, "seen minimum");
        s.seenMax = new float[w];
        for (int i = 0; i < w; i++) {
            s.seenMax[i] = in.readFloat();
        }
        int fill = in.readInt();
        if (fill < 0 || fill > capacity) {
            throw new IOException("corrupt sensor score: season fill " + fill + " for capacity " + capacity);
        }
        if (lag > 0) {
            s.season = new float[capacity * w];
            for (int i = 0; i < fill * w; i++) {
                s.season[i] = in.readFloat();
            }
            s.seasonFill = fill;
            s.seasonHead = fill % capacity;
        }
        if (version >= 4) {
            long count = in.readLong();
            double scale = in.readDouble();
            if (count < 0 || !(scale >= 0) || Double.isInfinite(scale)) {
                throw new IOException("corrupt sensor score: change count " + count + ", typical change " + scale);
            }
            float[] last = readFloats(in, w, "previous values");
            boolean known = true;
            for (float v : last) {
                known &= !Float.isNaN(v);
            }
            s.lastValues = known ? last : null; // written as NaN when the key had none
            s.changeCount = known ? count : 0;
            s.changeScale = known ? scale : 0;
        }
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
        if (version >= 3) {
            readSensorScore(in, s, version);
        }
        if (version >= 4) {
            s.blend = readBlend(in);
        }
        return s;
    }

    public static byte[] toBytes(KeyState s) {
        // an unsynchronized array writer (DataOutputStream over ByteArrayOutputStream locks per byte and
        // grows by copying: it was 2/3 of a Kafka Streams thread's CPU, bench/results/2026-12-02-*)
        ArrayOut out = new ArrayOut(HEADER_ESTIMATE + s.modelName.length() * 3 + s.modelVersion.length() * 3 + 4 * s.floatCount());
        try {
            write(s, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static KeyState fromBytes(byte[] bytes) throws IOException {
        ArrayIn in = new ArrayIn(bytes);
        KeyState s = read(in);
        if (in.available() != 0) {
            throw new IOException("key state has " + in.available() + " trailing bytes");
        }
        return s;
    }

    /** Bytes of the fixed fields and lengths (format byte, two UTF lengths, longs, ints, doubles). */
    private static final int HEADER_ESTIMATE = 128;

    /** A big-endian {@link DataOutput} into a growing array, no locks: the bytes DataOutputStream writes. */
    static final class ArrayOut implements DataOutput {
        private byte[] buf;
        private int n;

        ArrayOut(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int more) {
            if (n + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        byte[] toByteArray() {
            return n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b) {
            write(b, 0, b.length);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, n, len);
            n += len;
        }

        @Override
        public void writeBoolean(boolean v) {
            write(v ? 1 : 0);
        }

        @Override
        public void writeByte(int v) {
            write(v);
        }

        @Override
        public void writeShort(int v) {
            ensure(2);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
        }

        @Override
        public void writeChar(int v) {
            writeShort(v);
        }

        @Override
        public void writeInt(int v) {
            ensure(4);
            buf[n++] = (byte) (v >>> 24);
            buf[n++] = (byte) (v >>> 16);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
        }

        @Override
        public void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        @Override
        public void writeFloat(float v) {
            writeInt(Float.floatToIntBits(v));
        }

        @Override
        public void writeDouble(double v) {
            writeLong(Double.doubleToLongBits(v));
        }

        @Override
        public void writeBytes(String s) {
            for (int i = 0; i < s.length(); i++) {
                write(s.charAt(i));
            }
        }

        @Override
        public void writeChars(String s) {
            for (int i = 0; i < s.length(); i++) {
                writeChar(s.charAt(i));
            }
        }

        /** Modified UTF-8 with a u16 length, as {@link DataOutputStream#writeUTF}. */
        @Override
        public void writeUTF(String s) throws IOException {
            int len = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                len += c >= 1 && c <= 0x7F ? 1 : c <= 0x7FF ? 2 : 3;
            }
            if (len > 0xFFFF) {
                throw new java.io.UTFDataFormatException("encoded string too long: " + len + " bytes");
            }
            writeShort(len);
            ensure(len);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= 1 && c <= 0x7F) {
                    buf[n++] = (byte) c;
                } else if (c <= 0x7FF) {
                    buf[n++] = (byte) (0xC0 | (c >> 6));
                    buf[n++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    buf[n++] = (byte) (0xE0 | (c >> 12));
                    buf[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    buf[n++] = (byte) (0x80 | (c & 0x3F));
                }
            }
        }
    }

    /** A big-endian {@link DataInput} over an array, no locks: reads what DataInputStream reads. */
    static final class ArrayIn implements DataInput {
        private final byte[] buf;
        private int p;

        ArrayIn(byte[] buf) {
            this.buf = buf;
        }

        int available() {
            return buf.length - p;
        }

        private void need(int k) throws java.io.EOFException {
            if (k > buf.length - p) {
                throw new java.io.EOFException("key state ends after " + buf.length + " bytes");
            }
        }

        @Override
        public void readFully(byte[] b) throws IOException {
            readFully(b, 0, b.length);
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            need(len);
            System.arraycopy(buf, p, b, off, len);
            p += len;
        }

        @Override
        public int skipBytes(int k) {
            int s = Math.max(0, Math.min(k, available()));
            p += s;
            return s;
        }

        @Override
        public boolean readBoolean() throws IOException {
            return readUnsignedByte() != 0;
        }

        @Override
        public byte readByte() throws IOException {
            need(1);
            return buf[p++];
        }

        @Override
        public int readUnsignedByte() throws IOException {
            return readByte() & 0xFF;
        }

        @Override
        public short readShort() throws IOException {
            return (short) readUnsignedShort();
        }

        @Override
        public int readUnsignedShort() throws IOException {
            need(2);
            int v = ((buf[p] & 0xFF) << 8) | (buf[p + 1] & 0xFF);
            p += 2;
            return v;
        }

        @Override
        public char readChar() throws IOException {
            return (char) readUnsignedShort();
        }

        @Override
        public int readInt() throws IOException {
            need(4);
            int v = ((buf[p] & 0xFF) << 24) | ((buf[p + 1] & 0xFF) << 16) | ((buf[p + 2] & 0xFF) << 8) | (buf[p + 3] & 0xFF);
            p += 4;
            return v;
        }

        @Override
        public long readLong() throws IOException {
            return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
        }

        @Override
        public float readFloat() throws IOException {
            return Float.intBitsToFloat(readInt());
        }

        @Override
        public double readDouble() throws IOException {
            return Double.longBitsToDouble(readLong());
        }

        @Override
        public String readLine() {
            throw new UnsupportedOperationException("readLine");
        }

        @Override
        public String readUTF() throws IOException {
            return DataInputStream.readUTF(this);
        }
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
