package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.seqpredict.testing.RandomInputs.bool;
import static dev.seqpredict.testing.RandomInputs.forEachTry;
import static dev.seqpredict.testing.RandomInputs.intBetween;
import static dev.seqpredict.testing.RandomInputs.pick;

import dev.seqpredict.testing.Allocations;
import dev.seqpredict.testing.ByteMutation;
import dev.seqpredict.testing.RandomInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile event records: the parser never throws, every rejection has a reason and a non-blank detail,
 * and no call allocates more than {@value #BYTES_PER_INPUT_BYTE} × the input size + {@value #CONSTANT_BYTES}.
 * Each property runs a fixed number of tries over seeded random inputs ({@link RandomInputs}).
 */
class EventParserPropertiesTest {

    private static final long SEED = 0x4576_656E_7450_6172L;
    static final long BYTES_PER_INPUT_BYTE = 64;
    static final long CONSTANT_BYTES = 64 * 1024;
    private static final EventParser PARSER = new EventParser();
    /** A small limit so that oversized records are generated often. */
    private static final EventParser SMALL = new EventParser(1024);
    private static long worstOverhead = Long.MIN_VALUE;

    static {
        // Warm up class loading and Jackson's buffers so that one-time costs are not counted against an input.
        for (int i = 0; i < 200; i++) {
            PARSER.parse("k", ("{\"ts\":" + i + ",\"values\":[1,2.5,NaN],\"event\":\"x\"}").getBytes(StandardCharsets.UTF_8));
            PARSER.parse("k", "{\"ts\":\"2024-01-01T00:00:00Z\",\"values\":[1,\"a\"]}".getBytes(StandardCharsets.UTF_8));
            PARSER.parse("k", "{\"ts\":\"bad\",\"event\":5,\"ts\":1}".getBytes(StandardCharsets.UTF_8));
            PARSER.parse("k", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".getBytes(StandardCharsets.UTF_8));
            PARSER.parse("k", new byte[] {(byte) 0xff, 0, 1});
        }
    }

    /**
     * Parses under the allocation bound and checks the result is an event or a reasoned rejection. The
     * input is parsed once unmeasured first: the first run of a code path links call sites and loads
     * classes, a one-time cost that is not the input's doing.
     */
    static EventParser.Result parse(EventParser parser, byte[] value) {
        try {
            parser.parse("key", value);
        } catch (Throwable t) {
            // reported by the measured call
        }
        long before = Allocations.current();
        EventParser.Result r;
        try {
            r = parser.parse("key", value);
        } catch (Throwable t) {
            throw new AssertionError("the parser threw instead of rejecting " + preview(value), t);
        }
        long allocated = Allocations.current() - before;
        long size = value == null ? 0 : value.length;
        synchronized (EventParserPropertiesTest.class) {
            worstOverhead = Math.max(worstOverhead, allocated - BYTES_PER_INPUT_BYTE * size);
        }
        assertThat(allocated).as("bytes allocated parsing %d bytes: %s", size, preview(value))
                .isLessThanOrEqualTo(BYTES_PER_INPUT_BYTE * size + CONSTANT_BYTES);
        assertThat(r).isNotNull();
        assertThat(r.ok()).isEqualTo(r.rejection() == null);
        if (!r.ok()) {
            assertThat(r.rejection().reason()).isNotNull();
            assertThat(r.rejection().detail()).isNotBlank();
        }
        return r;
    }

    @AfterAll
    static void report() {
        System.out.println("EventParserPropertiesTest: worst allocation above " + BYTES_PER_INPUT_BYTE
                + " B/input byte: " + worstOverhead + " B (bound " + CONSTANT_BYTES + ")");
    }

    // ---- random bytes and mutations -------------------------------------------------------------

    @Test
    void randomBytesAreRejectedNotThrown() {
        forEachTry("randomBytesAreRejectedNotThrown", SEED, 1000, r -> {
            byte[] value = RandomInputs.bytes(r, 0, 3000);
            parse(PARSER, value);
            EventParser.Result small = parse(SMALL, value);
            if (value.length > 1024) {
                assertThat(small.rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
            }
        });
    }

    @Test
    void mutatedValidEventsNeverThrow() {
        forEachTry("mutatedValidEventsNeverThrow", SEED + 1, 1000, r -> {
            String event = validEvent(r);
            List<ByteMutation> mutations = ByteMutation.randomList(r);
            byte[] b = event.getBytes(StandardCharsets.UTF_8);
            for (ByteMutation m : mutations) {
                b = m.apply(b);
            }
            parse(PARSER, b);
        });
    }

    // ---- well-formed events ---------------------------------------------------------------------

    @Test
    void validSensorEventsParseExactly() {
        forEachTry("validSensorEventsParseExactly", SEED + 2, 500, r -> {
            long ts = RandomInputs.anyLong(r);
            List<Float> values = RandomInputs.listOf(r, 1, 64, g -> RandomInputs.floatBetween(g, -1e30f, 1e30f));
            String ws = pick(r, WHITESPACE);
            StringBuilder json = new StringBuilder("{" + ws + "\"values\"" + ws + ":" + ws + "[");
            for (int i = 0; i < values.size(); i++) {
                json.append(i == 0 ? "" : "," + ws).append(values.get(i));
            }
            json.append("]," + ws + "\"ignored\":{\"a\":[1,{\"b\":null}]},\"ts\":" + ts + ws + "}");
            EventParser.Result r2 = parse(PARSER, json.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(r2.ok()).as(json.toString()).isTrue();
            assertThat(r2.event().ts()).isEqualTo(ts);
            float[] expected = new float[values.size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = values.get(i);
            }
            assertThat(r2.event().values()).containsExactly(expected);
        });
    }

    // ---- NaN, Infinity and wrong types ----------------------------------------------------------

    /** A JSON fragment for an element of {@code values} and what the parser must make of it. */
    record Fragment(String json, RejectReason reason) {
    }

    private static final Fragment[] VALUE_FRAGMENTS = {
            new Fragment("1", null), new Fragment("-2.5e3", null), new Fragment("1e-50", null), new Fragment("0", null),
            new Fragment("3.4e38", null), new Fragment("123456789012345678901234567890", null),
            new Fragment("NaN", RejectReason.NON_FINITE), new Fragment("Infinity", RejectReason.NON_FINITE),
            new Fragment("-Infinity", RejectReason.NON_FINITE), new Fragment("1e39", RejectReason.NON_FINITE),
            new Fragment("-1e39", RejectReason.NON_FINITE), new Fragment("1e309", RejectReason.NON_FINITE),
            new Fragment("\"1\"", RejectReason.WRONG_TYPE), new Fragment("true", RejectReason.WRONG_TYPE),
            new Fragment("null", RejectReason.WRONG_TYPE), new Fragment("{}", RejectReason.WRONG_TYPE),
            new Fragment("[]", RejectReason.WRONG_TYPE), new Fragment("[1,[2]]", RejectReason.WRONG_TYPE),
            new Fragment("{\"a\":NaN}", RejectReason.WRONG_TYPE)};

    @Test
    void firstBadValueDecidesTheReason() {
        forEachTry("firstBadValueDecidesTheReason", SEED + 3, 1000, r -> {
            List<Fragment> values = RandomInputs.listOf(r, 1, 20, g -> pick(g, VALUE_FRAGMENTS));
            StringBuilder json = new StringBuilder("{\"ts\":1,\"values\":[");
            RejectReason expected = null;
            for (int i = 0; i < values.size(); i++) {
                json.append(i == 0 ? "" : ",").append(values.get(i).json());
                if (expected == null) {
                    expected = values.get(i).reason();
                }
            }
            json.append("]}");
            EventParser.Result res = parse(PARSER, json.toString().getBytes(StandardCharsets.UTF_8));
            if (expected == null) {
                assertThat(res.ok()).as(json.toString()).isTrue();
                for (float v : res.event().values()) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            } else {
                assertThat(res.rejection().reason()).as(json.toString()).isEqualTo(expected);
            }
        });
    }

    private static final String[] FIELDS = {"ts", "event", "model"};
    private static final String[] NON_SCALARS = {"true", "false", "null", "[]", "{}", "[1]", "{\"a\":1}", "1.5", "NaN", "-Infinity", "1e400"};

    /** 500 tries cycling through all 3 × 11 field/value pairs (each pair at least 15 times). */
    @Test
    void wrongTypesForTsEventAndModelAreRejected() {
        forEachTry("wrongTypesForTsEventAndModelAreRejected", SEED + 4, 500, (r, i) -> {
            int pair = i % (FIELDS.length * NON_SCALARS.length);
            String field = FIELDS[pair / NON_SCALARS.length];
            String value = NON_SCALARS[pair % NON_SCALARS.length];
            String json = switch (field) {
                case "ts" -> "{\"ts\":" + value + ",\"values\":[1]}";
                case "event" -> "{\"ts\":1,\"event\":" + value + "}";
                default -> "{\"ts\":1,\"values\":[1],\"model\":" + value + "}";
            };
            EventParser.Result res = parse(PARSER, json.getBytes(StandardCharsets.UTF_8));
            assertThat(res.ok()).as(json).isFalse();
            assertThat(res.rejection().reason()).as(json).isIn(RejectReason.WRONG_TYPE, RejectReason.BAD_TIMESTAMP, RejectReason.MALFORMED);
        });
    }

    // ---- structure: depth, duplicates, size -----------------------------------------------------

    @Test
    void deepNestingIsRejectedAsMalformedWithoutDeepRecursion() {
        forEachTry("deepNestingIsRejectedAsMalformedWithoutDeepRecursion", SEED + 5, 300, r -> {
            int depth = intBetween(r, 1, 20_000);
            boolean objects = bool(r);
            StringBuilder json = new StringBuilder("{\"ts\":1,\"values\":[1],\"extra\":");
            for (int i = 0; i < depth; i++) {
                json.append(objects ? "{\"a\":" : "[");
            }
            json.append("0");
            for (int i = 0; i < depth; i++) {
                json.append(objects ? "}" : "]");
            }
            json.append("}");
            byte[] b = json.toString().getBytes(StandardCharsets.UTF_8);
            EventParser.Result res = parse(PARSER, b);
            if (b.length > PARSER.maxEventBytes()) {
                assertThat(res.rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
            } else if (depth + 1 > 16) {
                assertThat(res.rejection().reason()).isEqualTo(RejectReason.MALFORMED);
                assertThat(res.rejection().detail()).containsIgnoringCase("nesting depth");
            } else {
                assertThat(res.ok()).isTrue();
            }
        });
    }

    private static final String[] DUPLICABLE = {"ts", "values", "model", "x"};

    /** 300 tries cycling through the 4 duplicable fields. */
    @Test
    void duplicatedFieldsAreRejected() {
        forEachTry("duplicatedFieldsAreRejected", SEED + 6, 300, (r, i) -> {
            String field = DUPLICABLE[i % DUPLICABLE.length];
            String body = "\"ts\":1,\"values\":[1,2],\"model\":\"m\",\"x\":{}";
            String dup = switch (field) {
                case "ts" -> "\"ts\":2";
                case "values" -> "\"values\":[3]";
                case "model" -> "\"model\":\"other\"";
                default -> "\"x\":[]";
            };
            EventParser.Result res = parse(PARSER, ("{" + body + "," + dup + "}").getBytes(StandardCharsets.UTF_8));
            assertThat(res.rejection()).isNotNull();
            assertThat(res.rejection().reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(res.rejection().detail()).contains("Duplicate field '" + field + "'");
        });
    }

    @Test
    void tooManyValuesIsOversized() {
        forEachTry("tooManyValuesIsOversized", SEED + 7, 200, r -> {
            int n = intBetween(r, EventParser.MAX_VALUES + 1, EventParser.MAX_VALUES + 500);
            StringBuilder json = new StringBuilder("{\"ts\":1,\"values\":[");
            for (int i = 0; i < n; i++) {
                json.append(i == 0 ? "" : ",").append(i % 10);
            }
            json.append("]}");
            EventParser.Result res = parse(PARSER, json.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(res.rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
        });
    }

    @Test
    void longNumbersAndStringsAreBounded() {
        forEachTry("longNumbersAndStringsAreBounded", SEED + 8, 300, r -> {
            int digits = intBetween(r, 1, 60_000);
            boolean inTs = bool(r);
            String number = "1".repeat(digits);
            String json = inTs ? "{\"ts\":" + number + ",\"values\":[1]}" : "{\"ts\":1,\"event\":\"" + "e".repeat(digits) + "\"}";
            EventParser.Result res = parse(PARSER, json.getBytes(StandardCharsets.UTF_8));
            if (inTs && digits > 19) { // 1111111111111111111 (19 digits) still fits a long
                assertThat(res.ok()).isFalse();
            }
        });
    }

    // ---- generators -----------------------------------------------------------------------------

    private static final String[] WHITESPACE = {"", " ", "\n", "\t ", "\r\n  "};

    /** A valid sensor or log event: numeric or ISO-8601 ts, then values or an event id/name, then maybe extras. */
    static String validEvent(Random r) {
        String ts = bool(r) ? String.valueOf(RandomInputs.anyLong(r))
                : pick(r, "\"2024-01-01T00:00:00Z\"", "\"2024-02-29T23:59:59.999+01:00\"");
        String body;
        if (bool(r)) {
            List<Float> values = RandomInputs.listOf(r, 1, 16, g -> RandomInputs.floatBetween(g, -1e6f, 1e6f));
            body = "\"values\":" + values.toString().replace(" ", "");
        } else {
            body = "\"event\":" + (bool(r) ? String.valueOf(intBetween(r, 0, 999)) : "\"" + RandomInputs.alphaString(r, 1, 12) + "\"");
        }
        return "{\"ts\":" + ts + "," + body + pick(r, "", ",\"model\":\"m1\"", ",\"z\":[{}]") + "}";
    }

    static String preview(byte[] b) {
        if (b == null) {
            return "null";
        }
        String s = new String(b, 0, Math.min(b.length, 120), StandardCharsets.UTF_8);
        return b.length + " bytes: " + s + (b.length > 120 ? "…" : "");
    }

}
