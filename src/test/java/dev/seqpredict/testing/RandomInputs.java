package dev.seqpredict.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Seeded random inputs for property tests, in plain JUnit 5: {@link #forEachTry} runs a property a fixed
 * number of times, each try with its own {@link Random} derived from a fixed seed and the try's index, and
 * names both in the failure message so that a failing try reproduces ({@link #random(long, int)} gives the
 * same generator again). The generators lean towards edge cases (empty and maximal sizes, range bounds, 0,
 * ±1, MIN/MAX values) and small values, where parsers tend to break, while still covering the whole range.
 *
 * <p>The seed can be overridden for exploration with {@code -Dseqpredict.test.seed=<long>} (the failure
 * message reports the seed actually used).
 */
public final class RandomInputs {

    /** System property overriding every property's seed, to explore other inputs. */
    public static final String SEED_PROPERTY = "seqpredict.test.seed";

    private static final byte[] EDGE_BYTES = {0, 1, -1, 127, -128};
    private static final byte[] JSON_ALPHABET = "{}[]\":,.-+0123456789eEtruefalsnNIinfy \n\t\\/abcdefghijklmnopqrstuvwxyz"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long[] EDGE_LONGS = {0, 1, -1, 2, -2, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1,
            Long.MAX_VALUE - 1, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, 0xFFFF_FFFFL, 1L << 32,
            Integer.MIN_VALUE - 1L};

    private RandomInputs() {
    }

    /** One try of a property, given that try's generator. */
    @FunctionalInterface
    public interface Try {
        void run(Random random) throws Exception;
    }

    /** The seed to use: {@code defaultSeed}, unless overridden with {@value #SEED_PROPERTY}. */
    public static long seed(long defaultSeed) {
        String s = System.getProperty(SEED_PROPERTY);
        return s == null || s.isBlank() ? defaultSeed : Long.parseLong(s.strip());
    }

    /** The generator of try {@code index} under {@code seed} (independent of the other tries). */
    public static Random random(long seed, int index) {
        return new Random(seed ^ (0x9E37_79B9_7F4A_7C15L * (index + 1)));
    }

    /** One try of a property, given that try's generator and index (to cycle through a small finite domain). */
    @FunctionalInterface
    public interface IndexedTry {
        void run(Random random, int index) throws Exception;
    }

    /**
     * Runs {@code body} {@code tries} times; a failure (any throwable) is rethrown as an
     * {@link AssertionError} naming the property, the seed and the failing try's index.
     */
    public static void forEachTry(String property, long defaultSeed, int tries, Try body) {
        forEachTry(property, defaultSeed, tries, (random, index) -> body.run(random));
    }

    /** As {@link #forEachTry(String, long, int, Try)}, the body also given the try's index. */
    public static void forEachTry(String property, long defaultSeed, int tries, IndexedTry body) {
        long seed = seed(defaultSeed);
        for (int i = 0; i < tries; i++) {
            try {
                body.run(random(seed, i), i);
            } catch (Throwable t) {
                throw new AssertionError(property + " failed at seed " + seed + ", try " + i + " of " + tries
                        + " (reproduce with RandomInputs.random(" + seed + "L, " + i + ")): " + t, t);
            }
        }
    }

    // ---- generators ------------------------------------------------------------------------------

    public static boolean bool(Random r) {
        return r.nextBoolean();
    }

    @SafeVarargs
    public static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    public static <T> T pick(Random r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** An int in [min, max]: the bounds and their neighbours often, values near min often, else uniform. */
    public static int intBetween(Random r, int min, int max) {
        return (int) longBetween(r, min, max);
    }

    /** A long in [min, max] (inclusive), biased like {@link #intBetween}. */
    public static long longBetween(Random r, long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException(min + " > " + max);
        }
        int mode = r.nextInt(20);
        if (mode == 0) {
            return min;
        }
        if (mode == 1) {
            return max;
        }
        if (mode == 2) {
            return min < max ? min + 1 : min;
        }
        if (mode == 3) {
            return min < max ? max - 1 : max;
        }
        long span = max - min;   // may overflow for the full long range: handled below
        if (mode < 10 && span >= 0) {
            return min + boundedLong(r, Math.min(span, 1000));
        }
        if (span < 0 || span == Long.MAX_VALUE) {   // (almost) the full long range
            long v;
            do {
                v = r.nextLong();
            } while (v < min || v > max);
            return v;
        }
        return min + boundedLong(r, span);
    }

    /** A uniform long in [0, bound] for bound &gt;= 0 (bound &lt; Long.MAX_VALUE). */
    private static long boundedLong(Random r, long bound) {
        long n = bound + 1;
        long bits;
        long val;
        do {
            bits = r.nextLong() >>> 1;
            val = bits % n;
        } while (bits - val + (n - 1) < 0);
        return val;
    }

    /** Any long: edge values (0, ±1, int and long bounds) often, small and int-sized values often, else uniform. */
    public static long anyLong(Random r) {
        int mode = r.nextInt(10);
        if (mode == 0) {
            return EDGE_LONGS[r.nextInt(EDGE_LONGS.length)];
        }
        if (mode <= 3) {
            return r.nextInt(2001) - 1000;
        }
        if (mode <= 5) {
            return r.nextInt();
        }
        return r.nextLong();
    }

    /**
     * A byte array of length in [minLength, maxLength]: empty/minimal and maximal lengths often, short arrays
     * often; its bytes uniform, or edge bytes only, or drawn from JSON's alphabet (to get past the first checks).
     */
    public static byte[] bytes(Random r, int minLength, int maxLength) {
        int mode = r.nextInt(10);
        int length;
        if (mode == 0) {
            length = minLength;
        } else if (mode == 1) {
            length = maxLength;
        } else if (mode <= 4) {
            length = minLength + r.nextInt(Math.min(maxLength - minLength, 16) + 1);
        } else {
            length = minLength + r.nextInt(maxLength - minLength + 1);
        }
        byte[] b = new byte[length];
        int content = r.nextInt(10);
        if (content == 0) {
            for (int i = 0; i < length; i++) {
                b[i] = EDGE_BYTES[r.nextInt(EDGE_BYTES.length)];
            }
        } else if (content == 1) {
            for (int i = 0; i < length; i++) {
                b[i] = JSON_ALPHABET[r.nextInt(JSON_ALPHABET.length)];
            }
        } else {
            r.nextBytes(b);
        }
        return b;
    }

    /**
     * A float in [min, max]: the bounds, 0, -0 and ±1 often; decimals with at most two fraction digits (of
     * any magnitude) often; else any float bit pattern in range (subnormals and full precision included).
     */
    public static float floatBetween(Random r, float min, float max) {
        int mode = r.nextInt(10);
        if (mode == 0) {
            float[] edges = {min, max, 0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 0.01f, -0.01f};
            float e = edges[r.nextInt(edges.length)];
            if (e >= min && e <= max) {
                return e;
            }
            return min;
        }
        if (mode <= 4) {
            double magnitude = Math.pow(10, r.nextInt(1 + (int) Math.ceil(Math.log10(Math.max(Math.abs(min), Math.abs(max))))));
            double v = Math.round((r.nextDouble() * 2 - 1) * magnitude * 100) / 100.0;
            float f = (float) v;
            if (f >= min && f <= max) {
                return f;
            }
        }
        float f;
        do {
            f = Float.intBitsToFloat(r.nextInt());
        } while (!(f >= min && f <= max));
        return f;
    }

    /** A list of [minSize, maxSize] elements (both sizes often). */
    public static <T> List<T> listOf(Random r, int minSize, int maxSize, Function<Random, T> element) {
        int mode = r.nextInt(10);
        int size = mode == 0 ? minSize : mode == 1 ? maxSize : minSize + r.nextInt(maxSize - minSize + 1);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.apply(r));
        }
        return list;
    }

    /**
     * Any string of up to {@code maxLength} chars: empty often; printable ASCII, whitespace and line breaks,
     * or any UTF-16 code unit (unpaired surrogates, controls and noncharacters included).
     */
    public static String anyString(Random r, int maxLength) {
        int mode = r.nextInt(10);
        int length = mode == 0 ? 0 : mode <= 4 ? r.nextInt(Math.min(maxLength, 16) + 1) : r.nextInt(maxLength + 1);
        int alphabet = r.nextInt(3);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = switch (alphabet) {
                case 0 -> (char) (0x20 + r.nextInt(0x5f));
                case 1 -> r.nextInt(4) == 0 ? pick(r, '\n', '\r', '\t', ' ', ':') : (char) (0x20 + r.nextInt(0x5f));
                default -> (char) r.nextInt(0x10000);
            };
            s.append(c);
        }
        return s.toString();
    }

    /** A string of [minLength, maxLength] ASCII letters. */
    public static String alphaString(Random r, int minLength, int maxLength) {
        int length = minLength + r.nextInt(maxLength - minLength + 1);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int c = r.nextInt(52);
            s.append((char) (c < 26 ? 'a' + c : 'A' + c - 26));
        }
        return s.toString();
    }
}
