package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventParserTest {

    private final EventParser parser = new EventParser(256);

    private EventParser.Result parse(String json) {
        return parser.parse("s1", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesSensorEventWithEpochMillis() {
        Event e = parse("{\"ts\":1700000000000,\"values\":[1.5,-2,3e2],\"other\":{\"ignored\":[1]}}").event();
        assertThat(e.key()).isEqualTo("s1");
        assertThat(e.ts()).isEqualTo(1700000000000L);
        assertThat(e.values()).containsExactly(1.5f, -2f, 300f);
        assertThat(e.isLogEvent()).isFalse();
    }

    @Test
    void parsesLogEventWithIsoTimestampAndNumericOrNamedEvent() {
        Event a = parse("{\"ts\":\"2024-01-01T00:00:01Z\",\"event\":5}").event();
        assertThat(a.ts()).isEqualTo(1704067201000L);
        assertThat(a.event()).isEqualTo("5");
        Event b = parse("{\"ts\":\"2024-01-01T01:00:00+01:00\",\"event\":\"open_block\",\"model\":\"hdfs\"}").event();
        assertThat(b.ts()).isEqualTo(1704067200000L);
        assertThat(b.event()).isEqualTo("open_block");
        assertThat(b.model()).isEqualTo("hdfs");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "not json                                   | MALFORMED",
            "[1,2]                                      | MALFORMED",
            "{\"ts\":1,\"values\":[1]} trailing          | MALFORMED",
            "{\"values\":[1]}                            | MALFORMED",
            "{\"ts\":1}                                  | MALFORMED",
            "{\"ts\":1,\"values\":[1],\"event\":2}        | MALFORMED",
            "{\"ts\":1,\"ts\":2,\"values\":[1]}           | MALFORMED",
            "{\"ts\":\"yesterday\",\"values\":[1]}        | BAD_TIMESTAMP",
            "{\"ts\":true,\"values\":[1]}                 | BAD_TIMESTAMP",
            "{\"ts\":1,\"values\":[\"1.5\"]}              | WRONG_TYPE",
            "{\"ts\":1,\"values\":[null]}                 | WRONG_TYPE",
            "{\"ts\":1,\"values\":[[1]]}                  | WRONG_TYPE",
            "{\"ts\":1,\"values\":5}                      | WRONG_TYPE",
            "{\"ts\":1,\"event\":true}                    | WRONG_TYPE",
            "{\"ts\":1,\"values\":[NaN]}                  | NON_FINITE",
            "{\"ts\":1,\"values\":[1,Infinity]}           | NON_FINITE",
            "{\"ts\":1,\"values\":[1e60]}                 | NON_FINITE",
            "{\"ts\":1,\"values\":[1],\"x\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]} | MALFORMED",
    })
    void rejectsWithAPreciseReason(String json, RejectReason reason) {
        EventParser.Result r = parse(json);
        assertThat(r.ok()).isFalse();
        assertThat(r.rejection().reason()).isEqualTo(reason);
        assertThat(r.rejection().detail()).isNotBlank();
    }

    @Test
    void rejectsOversizedRecordsBeforeParsing() {
        String big = "{\"ts\":1,\"values\":[" + "1,".repeat(200) + "1]}";
        assertThat(parse(big).rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
    }

    @Test
    void rejectsMissingKeyAndEmptyValue() {
        assertThat(parser.parse(null, "{}".getBytes()).rejection().reason()).isEqualTo(RejectReason.MISSING_KEY);
        assertThat(parser.parse("k", new byte[0]).rejection().reason()).isEqualTo(RejectReason.MALFORMED);
        assertThat(parser.parse("k", null).rejection().reason()).isEqualTo(RejectReason.MALFORMED);
    }

    @Test
    void randomBytesAreRejectedNeverThrown() {
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[r.nextInt(300)];
            r.nextBytes(b);
            EventParser.Result res = parser.parse("k", b);
            assertThat(res.ok() || res.rejection() != null).isTrue();
        }
    }

    /**
     * The values are read with Jackson's fast double parser: every decimal must give the float that
     * {@code (float) Double.parseDouble} gives (the reference the parser had before), bit for bit. Shortest float and
     * double forms, 17 to 40 significant digits, exponents across the float range and beyond, subnormals, and the
     * decimals just around a halfway point between two floats (where a rounding slip would show).
     */
    @Test
    void everyDecimalReadsAsTheSameFloatAsDoubleParseDouble() {
        java.util.Random r = new java.util.Random(18);
        EventParser wide = new EventParser(64 * 1024);
        java.util.List<String> numbers = new java.util.ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isFinite(f)) {
                numbers.add(Float.toString(f));
                numbers.add(Double.toString(f));
                // halfway between f and its next float, and a hair either side of it
                java.math.BigDecimal a = new java.math.BigDecimal(f);
                java.math.BigDecimal b = new java.math.BigDecimal(Math.nextUp(f));
                java.math.BigDecimal mid = a.add(b).divide(java.math.BigDecimal.valueOf(2));
                java.math.BigDecimal hair = b.subtract(a).movePointLeft(12);
                if (Float.isFinite(Math.nextUp(f))) { // 30 digits: within the parser's 64-character number limit
                    java.math.MathContext m30 = new java.math.MathContext(30);
                    numbers.add(mid.round(m30).toString());
                    numbers.add(mid.add(hair).round(m30).toString());
                    numbers.add(mid.subtract(hair).round(m30).toString());
                }
            }
            StringBuilder digits = new StringBuilder(r.nextBoolean() ? "-" : "");
            int n = 17 + r.nextInt(24);
            for (int d = 0; d < n; d++) {
                digits.append((char) ('0' + r.nextInt(10)));
                if (d == 0) {
                    digits.append('.');
                }
            }
            numbers.add(digits + "e" + (r.nextInt(90) - 50));
        }
        numbers.add("1.00000017881393432617187499"); // just below the halfway point after 1.0f
        numbers.add("1.00000017881393432617187501");
        numbers.add("1.4e-45");
        numbers.add("7.006492321624085e-46"); // about half the smallest subnormal
        int checked = 0;
        for (String num : numbers) {
            float expected = (float) Double.parseDouble(num);
            if (!Float.isFinite(expected)) {
                continue;
            }
            EventParser.Result res = wide.parse("k", ("{\"ts\":1,\"values\":[" + num + "]}").getBytes(StandardCharsets.UTF_8));
            assertThat(res.ok()).as(num).isTrue();
            assertThat(Float.floatToRawIntBits(res.event().values()[0])).as(num)
                    .isEqualTo(Float.floatToRawIntBits(expected));
            checked++;
        }
        assertThat(checked).isGreaterThan(15_000);
    }
}
