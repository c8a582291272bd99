package dev.seqpredict.processor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The binary form of a {@link KeySession}, shared by both engines' session state. Big-endian:
 * <pre>
 * u8   format version (currently 2)
 * i64  first ts, i64 last ts (the events' ts), i32 event count
 * u8   1 when a reason follows: utf reason, i32 index of the offending event; 0 when the session is normal so far
 * i64  last record timestamp (engine event time, for the gap)
 * i64  (version 2) the event time of the session's timer / index entry (lazy deadlines, {@link KeySession#timerAt()});
 *      version 1 has none: its timer was kept at the deadline ({@link KeySession#AT_DEADLINE})
 * </pre>
 * Readers of later releases must keep reading every earlier version. Corrupt bytes fail with a
 * {@link CorruptSessionException}, never a half-read session.
 */
public final class KeySessionCodec {

    public static final int FORMAT_VERSION = 2;

    private KeySessionCodec() {
    }

    /** Bytes that are not a session in any known format. */
    public static final class CorruptSessionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        CorruptSessionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static byte[] toBytes(KeySession s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(40);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            OpenSession o = s.session();
            out.writeByte(FORMAT_VERSION);
            out.writeLong(o.firstTs());
            out.writeLong(o.lastTs());
            out.writeInt(o.events());
            if (o.reason() == null) {
                out.writeByte(0);
            } else {
                out.writeByte(1);
                out.writeUTF(o.reason());
                out.writeInt(o.at());
            }
            out.writeLong(s.lastClock());
            out.writeLong(s.timerAt());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static KeySession fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new CorruptSessionException("corrupt session state: empty", null);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version < 1 || version > FORMAT_VERSION) {
                throw new CorruptSessionException("corrupt session state: unknown format version " + version
                        + " (this release reads 1.." + FORMAT_VERSION + ")", null);
            }
            long firstTs = in.readLong();
            long lastTs = in.readLong();
            int events = in.readInt();
            int flag = in.readUnsignedByte();
            String reason = null;
            int at = -1;
            if (flag == 1) {
                reason = in.readUTF();
                at = in.readInt();
            } else if (flag != 0) {
                throw new CorruptSessionException("corrupt session state: reason flag " + flag, null);
            }
            long clock = in.readLong();
            long timerAt = version >= 2 ? in.readLong() : KeySession.AT_DEADLINE;
            if (in.available() > 0) {
                throw new CorruptSessionException("corrupt session state: " + in.available() + " trailing bytes", null);
            }
            if (events < 1 || (reason != null && (at < 0 || at >= events)) || lastTs < firstTs) {
                throw new CorruptSessionException("corrupt session state: " + events + " events, first ts " + firstTs
                        + ", last ts " + lastTs + ", offending index " + at, null);
            }
            return new KeySession(new OpenSession(firstTs, lastTs, events, reason, at), clock, timerAt);
        } catch (IOException e) {
            throw new CorruptSessionException("corrupt session state (" + bytes.length + " bytes): " + e, e);
        }
    }
}
