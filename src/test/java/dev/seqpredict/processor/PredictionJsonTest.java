package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.seqpredict.model.Task;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The predictions' floats are written in one form whatever the JDK: the fewest significant digits that
 * read back to the same float. The reference here is a brute force independent of any formatter: the
 * smallest precision at which the float's exact value, rounded, parses back to it.
 */
class PredictionJsonTest {
    private static final Pattern PREDICTION = Pattern.compile("\"prediction\":\\[([^\\]]+)]");

    @Test
    void everyFloatIsWrittenWithTheFewestDigitsThatReadBackToIt() {
        SplittableRandom rnd = new SplittableRandom(17);
        int longerFromThisJdk = 0;
        int checked = 0;
        while (checked < 20_000) {
            float v = Float.intBitsToFloat(rnd.nextInt());
            if (!Float.isFinite(v) || v == 0f) {
                continue;
            }
            checked++;
            String written = writtenPrediction(v);
            assertThat(Float.floatToRawIntBits(Float.parseFloat(written))).as(written).isEqualTo(Float.floatToRawIntBits(v));
            assertThat(significantDigits(written)).as("%s for %s", written, new BigDecimal(v)).isEqualTo(shortestDigits(v));
            if (significantDigits(Float.toString(v)) > shortestDigits(v)) {
                longerFromThisJdk++;
            }
        }
        // for the record: on JDK 17 Float.toString writes extra digits for ~11% of floats (fixed in JDK 19)
        LoggerFactory.getLogger(PredictionJsonTest.class).info("Float.toString on Java {} was longer than needed for {} of {} floats",
                Runtime.version().feature(), longerFromThisJdk, checked);
    }

    @Test
    void smallAndRoundValuesKeepTheirPlainForm() {
        assertThat(writtenPrediction(21.4f)).isEqualTo("21.4");
        assertThat(writtenPrediction(-0.5f)).isEqualTo("-0.5");
        assertThat(writtenPrediction(1f)).isEqualTo("1.0");
    }

    @Test
    void recordsWrittenOneAfterAnotherAreEachOneWholeObjectOfTheirOwnFields() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            Prediction p = randomPrediction(rnd, i);
            assertWrittenAs(PredictionJson.toBytes(p), p);
        }
    }

    @Test
    void aWriteThatFailsHalfWayLeavesTheNextRecordWhole() throws IOException {
        Prediction good = randomPrediction(new SplittableRandom(4), 1);
        assertWrittenAs(PredictionJson.toBytes(good), good);
        Prediction broken = new Prediction("k", 1L, "m", "1", Task.REGRESSION, null, null, null,
                Float.NaN, 0.0, false, null, 1L, false); // fails after "prediction":[ is written
        assertThatThrownBy(() -> PredictionJson.toBytes(broken)).isInstanceOf(NullPointerException.class);
        assertWrittenAs(PredictionJson.toBytes(good), good);
    }

    @Test
    void aLargeRecordAndTheSmallOneAfterItAreBothWhole() throws IOException {
        SplittableRandom rnd = new SplittableRandom(5);
        Prediction small = randomPrediction(rnd, 2);
        float[] many = new float[10_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = (float) rnd.nextGaussian();
        }
        Prediction large = new Prediction("big", 9L, "m", "2", Task.REGRESSION, many, null, null,
                0.5f, 0.25, true, null, 3L, true);
        assertWrittenAs(PredictionJson.toBytes(large), large);
        assertWrittenAs(PredictionJson.toBytes(small), small);
    }

    @Test
    void threadsWritingAtOnceEachGetTheirOwnRecords() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                runs.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(100 + seed);
                    for (int i = 0; i < 2_000; i++) {
                        Prediction p = randomPrediction(rnd, i);
                        assertWrittenAs(PredictionJson.toBytes(p), p);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The bytes are exactly one JSON object (nothing before or after it) holding p's fields. */
    private static void assertWrittenAs(byte[] bytes, Prediction p) throws IOException {
        assertThat(bytes[0]).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo((byte) '{');
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) '}');
        JsonNode n;
        try (JsonParser parser = MAPPER.createParser(bytes)) {
            n = MAPPER.readTree(parser);
            assertThat(parser.nextToken()).as("anything after the object").isNull();
        }
        assertThat(n.get("key").asText()).isEqualTo(p.key());
        assertThat(n.get("ts").asLong()).isEqualTo(p.ts());
        assertThat(n.get("model").asText()).isEqualTo(p.model());
        assertThat(n.get("version").asText()).isEqualTo(p.version());
        if (p.task() == Task.REGRESSION) {
            assertThat(n.get("prediction").size()).isEqualTo(p.values().length);
            for (int i = 0; i < p.values().length; i++) {
                assertThat(Float.parseFloat(n.get("prediction").get(i).asText())).isEqualTo(p.values()[i]);
            }
            assertThat(n.has("top")).isFalse();
        } else {
            assertThat(n.get("top").size()).isEqualTo(p.topEvents().length);
            for (int i = 0; i < p.topEvents().length; i++) {
                assertThat(n.get("top").get(i).get("event").asText()).isEqualTo(p.topEvents()[i]);
                assertThat(Float.parseFloat(n.get("top").get(i).get("p").asText())).isEqualTo(p.topProbs()[i]);
            }
        }
        if (Float.isNaN(p.error())) {
            assertThat(n.get("error").isNull()).isTrue();
        } else {
            assertThat(Float.parseFloat(n.get("error").asText())).isEqualTo(p.error());
        }
        assertThat(n.get("anomaly_score").asDouble()).isEqualTo(p.anomalyScore());
        assertThat(n.get("anomaly").asBoolean()).isEqualTo(p.anomaly());
        assertThat(n.has("in_top_g")).isEqualTo(p.inTopG() != null);
        if (p.inTopG() != null) {
            assertThat(n.get("in_top_g").asBoolean()).isEqualTo(p.inTopG());
        }
        assertThat(n.get("events").asLong()).isEqualTo(p.events());
        assertThat(n.get("swapped").asBoolean()).isEqualTo(p.swapped());
        assertThat(n.size()).isEqualTo(p.inTopG() == null ? 10 : 11);
    }

    /** Keys and ids with quotes, backslashes, control characters and non-ASCII text among plain ones. */
    private static Prediction randomPrediction(SplittableRandom rnd, int i) {
        String[] names = {"s-" + i, "host \"a\"", "päth\\x", "tab\there", "日本-" + i, "\u0001ctl"};
        String key = names[rnd.nextInt(names.length)];
        float error = rnd.nextInt(4) == 0 ? Float.NaN : (float) rnd.nextDouble();
        if (rnd.nextBoolean()) {
            float[] values = new float[1 + rnd.nextInt(8)];
            for (int v = 0; v < values.length; v++) {
                values[v] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-6, 7)));
            }
            return new Prediction(key, rnd.nextLong(), "sensors", "v" + i, Task.REGRESSION, values, null, null,
                    error, rnd.nextDouble(), rnd.nextBoolean(), null, rnd.nextLong(0, 1L << 40), rnd.nextBoolean());
        }
        int k = 1 + rnd.nextInt(5);
        String[] top = new String[k];
        float[] probs = new float[k];
        for (int t = 0; t < k; t++) {
            top[t] = names[rnd.nextInt(names.length)] + t;
            probs[t] = (float) rnd.nextDouble();
        }
        return new Prediction(key, rnd.nextLong(), "logs", "v" + i, Task.CLASSIFICATION, null, top, probs,
                error, rnd.nextDouble(), rnd.nextBoolean(), rnd.nextInt(3) == 0 ? null : rnd.nextBoolean(),
                rnd.nextLong(0, 1L << 40), rnd.nextBoolean());
    }

    private static String writtenPrediction(float v) {
        Prediction p = new Prediction("k", 1L, "m", "1", Task.REGRESSION, new float[] {v}, null, null,
                Float.NaN, 0.0, false, null, 1L, false);
        String json = new String(PredictionJson.toBytes(p), StandardCharsets.UTF_8);
        Matcher m = PREDICTION.matcher(json);
        assertThat(m.find()).as(json).isTrue();
        return m.group(1);
    }

    /** The fewest significant decimal digits whose closest value parses back to v. */
    private static int shortestDigits(float v) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 9; p++) {
            BigDecimal d = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (Float.parseFloat(d.toString()) == v) {
                return p;
            }
        }
        throw new AssertionError("no float needs more than 9 digits: " + v);
    }

    /** Digits of a decimal literal without sign, exponent, point, leading and trailing zeros. */
    private static int significantDigits(String literal) {
        String mantissa = literal.replaceFirst("^-", "").replaceFirst("[eE].*$", "").replace(".", "");
        String digits = mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "");
        return Math.max(1, digits.length());
    }
}
