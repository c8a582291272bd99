package dev.seqpredict.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One edit of a byte array, for mutating valid inputs in property tests. Positions are fractions of the
 * current length (so mutations stay meaningful after earlier ones and shrink well); {@code limit} &lt; 1
 * keeps the position in the first {@code limit} of the array (e.g. a file's header).
 */
public record ByteMutation(int kind, double at, int value, int length) {

    private static final String[] SPECIAL = {"NaN", "Infinity", "-1e39", "\"", "\\", "{", "[", "}", "]", ",",
            ":", "null", "\"ts\":1,", "\u0000", "\uFFFF", "\uD83D\uDE00", "1e99999", "\"values\":[", "/*", "//",
            "\"shape\":[2147483647,2147483647]", "\"data_offsets\":[0,9223372036854775807]", "\"dtype\":\"F64\"",
            "\"__metadata__\":{}", "-1", "4294967296"};

    public byte[] apply(byte[] b) {
        return apply(b, b.length);
    }

    /** Applies the edit at a position within the first {@code region} bytes. */
    public byte[] apply(byte[] b, int region) {
        int n = Math.min(b.length, Math.max(0, region));
        int pos = n == 0 ? 0 : Math.min(n - 1, (int) (at * n));
        int len = b.length;
        return switch (kind) {
            case 0 -> set(b, pos, (byte) (len == 0 ? 0 : b[pos] ^ (1 << (value & 7))));           // flip a bit
            case 1 -> set(b, pos, (byte) value);                                                    // set a byte
            case 2 -> splice(b, pos, 0, new byte[] {(byte) value});                                // insert a byte
            case 3 -> splice(b, pos, Math.min(length, len - pos), new byte[0]);                    // delete a run
            case 4 -> splice(b, pos, 0, Arrays.copyOfRange(b, pos, Math.min(len, pos + length))); // duplicate a run
            case 5 -> Arrays.copyOf(b, pos);                                                       // truncate
            default -> splice(b, pos, 0, SPECIAL[Math.floorMod(value, SPECIAL.length)].getBytes(StandardCharsets.UTF_8));
        };
    }

    public static Arbitrary<ByteMutation> one() {
        return Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(1, 64)).as(ByteMutation::new);
    }

    public static Arbitrary<List<ByteMutation>> lists() {
        return one().list().ofMinSize(1).ofMaxSize(8);
    }

    private static byte[] set(byte[] b, int pos, byte v) {
        if (b.length == 0) {
            return b;
        }
        byte[] c = b.clone();
        c[pos] = v;
        return c;
    }

    private static byte[] splice(byte[] b, int pos, int remove, byte[] insert) {
        byte[] c = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, c, 0, pos);
        System.arraycopy(insert, 0, c, pos, insert.length);
        System.arraycopy(b, pos + remove, c, pos + insert.length, b.length - pos - remove);
        return c;
    }
}
