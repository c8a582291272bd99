package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.testing.Allocations;
import dev.seqpredict.testing.ByteMutation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Hostile event records: the parser never throws, every rejection has a reason and a non-blank detail,
 * and no call allocates more than {@value #BYTES_PER_INPUT_BYTE} × the input size + {@value #CONSTANT_BYTES}.
 */
class EventParserPropertiesTest {

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

    @AfterContainer
    static void report() {
        System.out.println("EventParserPropertiesTest: worst allocation above " + BYTES_PER_INPUT_BYTE
                + " B/input byte: " + worstOverhead + " B (bound " + CONSTANT_BYTES + ")");
    }

    // ---- random bytes and mutations -------------------------------------------------------------

    @Property(tries = 1000)
    void randomBytesAreRejectedNotThrown(@ForAll @Size(max = 3000) byte[] value) {
        parse(PARSER, value);
        EventParser.Result small = parse(SMALL, value);
        if (value.length > 1024) {
            assertThat(small.rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
        }
    }

    @Property(tries = 1000)
    void mutatedValidEventsNeverThrow(@ForAll("validEvents") String event, @ForAll("mutations") List<ByteMutation> mutations) {
        byte[] b = event.getBytes(StandardCharsets.UTF_8);
        for (ByteMutation m : mutations) {
            b = m.apply(b);
        }
        parse(PARSER, b);
    }

    // ---- well-formed events ---------------------------------------------------------------------

    @Property(tries = 500)
    void validSensorEventsParseExactly(@ForAll long ts, @ForAll @Size(min = 1, max = 64) List<@net.jqwik.api.constraints.FloatRange(min = -1e30f, max = 1e30f) Float> values,
                                       @ForAll("whitespace") String ws) {
        StringBuilder json = new StringBuilder("{" + ws + "\"values\"" + ws + ":" + ws + "[");
        for (int i = 0; i < values.size(); i++) {
            json.append(i == 0 ? "" : "," + ws).append(values.get(i));
        }
        json.append("]," + ws + "\"ignored\":{\"a\":[1,{\"b\":null}]},\"ts\":" + ts + ws + "}");
        EventParser.Result r = parse(PARSER, json.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(r.ok()).as(json.toString()).isTrue();
        assertThat(r.event().ts()).isEqualTo(ts);
        float[] expected = new float[values.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = values.get(i);
        }
        assertThat(r.event().values()).containsExactly(expected);
    }

    // ---- NaN, Infinity and wrong types ----------------------------------------------------------

    /** A JSON fragment for an element of {@code values} and what the parser must make of it. */
    record Fragment(String json, RejectReason reason) {
    }

    @Provide
    Arbitrary<Fragment> valueFragments() {
        return Arbitraries.of(
                new Fragment("1", null), new Fragment("-2.5e3", null), new Fragment("1e-50", null), new Fragment("0", null),
                new Fragment("3.4e38", null), new Fragment("123456789012345678901234567890", null),
                new Fragment("NaN", RejectReason.NON_FINITE), new Fragment("Infinity", RejectReason.NON_FINITE),
                new Fragment("-Infinity", RejectReason.NON_FINITE), new Fragment("1e39", RejectReason.NON_FINITE),
                new Fragment("-1e39", RejectReason.NON_FINITE), new Fragment("1e309", RejectReason.NON_FINITE),
                new Fragment("\"1\"", RejectReason.WRONG_TYPE), new Fragment("true", RejectReason.WRONG_TYPE),
                new Fragment("null", RejectReason.WRONG_TYPE), new Fragment("{}", RejectReason.WRONG_TYPE),
                new Fragment("[]", RejectReason.WRONG_TYPE), new Fragment("[1,[2]]", RejectReason.WRONG_TYPE),
                new Fragment("{\"a\":NaN}", RejectReason.WRONG_TYPE));
    }

    @Provide
    Arbitrary<List<Fragment>> valueFragmentLists() {
        return valueFragments().list().ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 1000)
    void firstBadValueDecidesTheReason(@ForAll("valueFragmentLists") List<Fragment> values) {
        StringBuilder json = new StringBuilder("{\"ts\":1,\"values\":[");
        RejectReason expected = null;
        for (int i = 0; i < values.size(); i++) {
            json.append(i == 0 ? "" : ",").append(values.get(i).json());
            if (expected == null) {
                expected = values.get(i).reason();
            }
        }
        json.append("]}");
        EventParser.Result r = parse(PARSER, json.toString().getBytes(StandardCharsets.UTF_8));
        if (expected == null) {
            assertThat(r.ok()).as(json.toString()).isTrue();
            for (float v : r.event().values()) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        } else {
            assertThat(r.rejection().reason()).as(json.toString()).isEqualTo(expected);
        }
    }

    @Property(tries = 500)
    void wrongTypesForTsEventAndModelAreRejected(@ForAll("fields") String field, @ForAll("nonScalars") String value) {
        String json = switch (field) {
            case "ts" -> "{\"ts\":" + value + ",\"values\":[1]}";
            case "event" -> "{\"ts\":1,\"event\":" + value + "}";
            default -> "{\"ts\":1,\"values\":[1],\"model\":" + value + "}";
        };
        EventParser.Result r = parse(PARSER, json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.ok()).as(json).isFalse();
        assertThat(r.rejection().reason()).as(json).isIn(RejectReason.WRONG_TYPE, RejectReason.BAD_TIMESTAMP, RejectReason.MALFORMED);
    }

    @Provide
    Arbitrary<String> fields() {
        return Arbitraries.of("ts", "event", "model");
    }

    @Provide
    Arbitrary<String> nonScalars() {
        return Arbitraries.of("true", "false", "null", "[]", "{}", "[1]", "{\"a\":1}", "1.5", "NaN", "-Infinity", "1e400");
    }

    // ---- structure: depth, duplicates, size -----------------------------------------------------

    @Property(tries = 300)
    void deepNestingIsRejectedAsMalformedWithoutDeepRecursion(@ForAll @IntRange(min = 1, max = 20_000) int depth,
                                                              @ForAll boolean objects) {
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
        EventParser.Result r = parse(PARSER, b);
        if (b.length > PARSER.maxEventBytes()) {
            assertThat(r.rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
        } else if (depth + 1 > 16) {
            assertThat(r.rejection().reason()).isEqualTo(RejectReason.MALFORMED);
            assertThat(r.rejection().detail()).containsIgnoringCase("nesting depth");
        } else {
            assertThat(r.ok()).isTrue();
        }
    }

    @Property(tries = 300)
    void duplicatedFieldsAreRejected(@ForAll("duplicable") String field) {
        String body = "\"ts\":1,\"values\":[1,2],\"model\":\"m\",\"x\":{}";
        String dup = switch (field) {
            case "ts" -> "\"ts\":2";
            case "values" -> "\"values\":[3]";
            case "model" -> "\"model\":\"other\"";
            default -> "\"x\":[]";
        };
        EventParser.Result r = parse(PARSER, ("{" + body + "," + dup + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(r.rejection()).isNotNull();
        assertThat(r.rejection().reason()).isEqualTo(RejectReason.MALFORMED);
        assertThat(r.rejection().detail()).contains("Duplicate field '" + field + "'");
    }

    @Provide
    Arbitrary<String> duplicable() {
        return Arbitraries.of("ts", "values", "model", "x");
    }

    @Property(tries = 200)
    void tooManyValuesIsOversized(@ForAll @IntRange(min = EventParser.MAX_VALUES + 1, max = EventParser.MAX_VALUES + 500) int n) {
        StringBuilder json = new StringBuilder("{\"ts\":1,\"values\":[");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append(i % 10);
        }
        json.append("]}");
        EventParser.Result r = parse(PARSER, json.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(r.rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
    }

    @Property(tries = 300)
    void longNumbersAndStringsAreBounded(@ForAll @IntRange(min = 1, max = 60_000) int digits, @ForAll boolean inTs) {
        String number = "1".repeat(digits);
        String json = inTs ? "{\"ts\":" + number + ",\"values\":[1]}" : "{\"ts\":1,\"event\":\"" + "e".repeat(digits) + "\"}";
        EventParser.Result r = parse(PARSER, json.getBytes(StandardCharsets.UTF_8));
        if (inTs && digits > 19) { // 1111111111111111111 (19 digits) still fits a long
            assertThat(r.ok()).isFalse();
        }
    }

    // ---- generators -----------------------------------------------------------------------------

    @Provide
    Arbitrary<String> whitespace() {
        return Arbitraries.of("", " ", "\n", "\t ", "\r\n  ");
    }

    @Provide
    Arbitrary<String> validEvents() {
        Arbitrary<String> ts = Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("\"2024-01-01T00:00:00Z\"", "\"2024-02-29T23:59:59.999+01:00\""));
        Arbitrary<String> sensor = Arbitraries.floats().between(-1e6f, 1e6f).list().ofMinSize(1).ofMaxSize(16)
                .map(l -> "\"values\":" + l.toString().replace(" ", ""));
        Arbitrary<String> log = Arbitraries.oneOf(Arbitraries.integers().between(0, 999).map(String::valueOf),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12).map(s -> "\"" + s + "\""))
                .map(e -> "\"event\":" + e);
        return Combinators.combine(ts, Arbitraries.oneOf(sensor, log), Arbitraries.of("", ",\"model\":\"m1\"", ",\"z\":[{}]"))
                .as((t, body, extra) -> "{\"ts\":" + t + "," + body + extra + "}");
    }

    @Provide
    static Arbitrary<List<ByteMutation>> mutations() {
        return ByteMutation.lists();
    }

    static String preview(byte[] b) {
        if (b == null) {
            return "null";
        }
        String s = new String(b, 0, Math.min(b.length, 120), StandardCharsets.UTF_8);
        return b.length + " bytes: " + s + (b.length > 120 ? "…" : "");
    }

}
