package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

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
