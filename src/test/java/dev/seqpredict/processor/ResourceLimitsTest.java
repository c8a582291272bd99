package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelFormatException;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The documented resource bounds, configured through JobSettings, hold at their edges. */
class ResourceLimitsTest {

    private static final byte[] MODEL = ModelArtifact.toBytes(TestModels.regression(1, CellType.GRU, 2, 4, 1, "m", "1"));

    private static JobSettings settings(String key, String value) {
        Properties p = new Properties();
        p.setProperty(JobSettings.MODEL_NAME, "m");
        p.setProperty(key, value);
        return JobSettings.fromProperties(p);
    }

    @Test
    void defaults() {
        JobSettings d = JobSettings.fromProperties(new Properties());
        assertThat(d.maxEventBytes()).isEqualTo(64 * 1024);
        assertThat(d.maxKeyBytes()).isEqualTo(1024);
        assertThat(d.maxModelBytes()).isEqualTo(256L * 1024 * 1024);
    }

    @Test
    void seasonJitterIsBoundedWithAOneLineReason() {
        assertThat(settings(JobSettings.ANOMALY_SEASON_JITTER, "0").predictor().sensorScoring().seasonJitter()).isZero();
        assertThat(settings(JobSettings.ANOMALY_SEASON_JITTER, " 1000 ").predictor().sensorScoring().seasonJitter()).isEqualTo(1000);
        for (String bad : new String[] {"-1", "1001"}) {
            assertThatThrownBy(() -> settings(JobSettings.ANOMALY_SEASON_JITTER, bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 ≤ season jitter ≤ 1000")
                    .hasMessageEndingWith(", " + bad);
        }
        assertThatThrownBy(() -> settings(JobSettings.ANOMALY_SEASON_JITTER, "three"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(JobSettings.ANOMALY_SEASON_JITTER + " must be an integer, got 'three'");
    }

    @Test
    void modelSizeLimitIsInclusive() {
        ModelRegistry atLimit = settings(JobSettings.MAX_MODEL_BYTES, Integer.toString(MODEL.length)).newRegistry();
        assertThat(atLimit.offer("m", MODEL)).isInstanceOf(ModelRegistry.Update.Accepted.class);
        ModelRegistry below = settings(JobSettings.MAX_MODEL_BYTES, Integer.toString(MODEL.length - 1)).newRegistry();
        assertThat(below.offer("m", MODEL)).isEqualTo(new ModelRegistry.Update.Rejected("m", "too_large",
                MODEL.length + " bytes, limit " + (MODEL.length - 1)));
    }

    @Test
    void eventSizeLimitIsInclusive() {
        byte[] event = "{\"ts\":1,\"values\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        EventParser exact = new EventParser(settings(JobSettings.MAX_EVENT_BYTES, Integer.toString(event.length)).maxEventBytes());
        assertThat(exact.parse("k", event).ok()).isTrue();
        EventParser smaller = new EventParser(event.length - 1);
        assertThat(smaller.parse("k", event).rejection().reason()).isEqualTo(RejectReason.OVERSIZED);
    }

    @Test
    void keySizeLimitIsInclusiveAndCountsUtf8Bytes() {
        byte[] event = "{\"ts\":1,\"values\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        EventParser parser = settings(JobSettings.MAX_KEY_BYTES, "12").newParser();
        assertThat(parser.parse("k".repeat(12), event).ok()).isTrue();
        assertThat(parser.parse("k".repeat(13), event).rejection())
                .isEqualTo(new Rejection(RejectReason.OVERSIZED, "key is 13 bytes, limit 12"));
        assertThat(parser.parse("€".repeat(4), event).ok()).as("3 bytes each").isTrue();
        assertThat(parser.parse("€".repeat(4) + "k", event).rejection().detail()).isEqualTo("key is 13 bytes, limit 12");
        assertThat(parser.parse("\uD83D\uDE00".repeat(3), event).ok()).as("a surrogate pair is 4 bytes").isTrue();
        assertThat(parser.parse("\uD83D\uDE00".repeat(3) + "é", event).rejection().detail()).isEqualTo("key is 14 bytes, limit 12");
    }

    @Test
    void aDeadLetterCarriesTheOriginalsWithinTheLimitsAndCutsBeyondThem() {
        byte[] key = "abcdef".getBytes(StandardCharsets.UTF_8);
        byte[] value = "0123456789".getBytes(StandardCharsets.UTF_8);
        DeadLetter.Payload within = DeadLetter.Payload.of(key, value, 6, 10);
        assertThat(within.key()).isSameAs(key);
        assertThat(within.value()).isSameAs(value);
        assertThat(within.originalKeyBytes()).isEqualTo(-1);
        assertThat(within.originalValueBytes()).isEqualTo(-1);
        DeadLetter.Payload cut = DeadLetter.Payload.of(key, value, 5, 4);
        assertThat(new String(cut.key(), StandardCharsets.UTF_8)).isEqualTo("abcde");
        assertThat(new String(cut.value(), StandardCharsets.UTF_8)).isEqualTo("0123");
        assertThat(cut.originalKeyBytes()).isEqualTo(6);
        assertThat(cut.originalValueBytes()).isEqualTo(10);
        assertThat(within.cutHeaders()).isEmpty();
        assertThat(cut.cutHeaders()).containsOnlyKeys(DeadLetter.KEY_BYTES, DeadLetter.VALUE_BYTES);
        assertThat(new String(cut.cutHeaders().get(DeadLetter.KEY_BYTES), StandardCharsets.UTF_8)).isEqualTo("6");
        assertThat(new String(cut.cutHeaders().get(DeadLetter.VALUE_BYTES), StandardCharsets.UTF_8)).isEqualTo("10");
        DeadLetter.Payload none = DeadLetter.Payload.of(null, null, 1, 1);
        assertThat(none.key()).isNull();
        assertThat(none.value()).isNull();
    }

    @Test
    void sensorScoringSettingsAreReadAndSurviveTheRoundTripToTheEngines() {
        SensorScoring d = JobSettings.fromProperties(new Properties()).predictor().sensorScoring();
        assertThat(d.spikeFactor()).isEqualTo(6.0);
        assertThat(d.rangeMargin()).isEqualTo(0.02);
        assertThat(d.seasonMillis()).isEqualTo(86_400_000L);
        assertThat(d.blendAlpha()).isZero();
        Properties p = new Properties();
        p.setProperty(JobSettings.BLEND_ALPHA, "0.02");
        p.setProperty(JobSettings.ANOMALY_SPIKE_FACTOR, "0");
        p.setProperty(JobSettings.ANOMALY_RANGE_MARGIN, "0.1");
        p.setProperty(JobSettings.ANOMALY_SEASON_MS, "3600000");
        JobSettings s = JobSettings.fromProperties(p);
        SensorScoring back = JobSettings.fromProperties(s.toProperties()).predictor().sensorScoring();
        assertThat(back).isEqualTo(s.predictor().sensorScoring());
        assertThat(back.spikeFactor()).isZero();
        assertThat(back.rangeMargin()).isEqualTo(0.1);
        assertThat(back.seasonMillis()).isEqualTo(3_600_000L);
        assertThat(back.blendAlpha()).isEqualTo(0.02);
        p.setProperty(JobSettings.BLEND_ALPHA, "1.5");
        assertThatThrownBy(() -> JobSettings.fromProperties(p)).isInstanceOf(IllegalArgumentException.class);
        p.setProperty(JobSettings.BLEND_ALPHA, "0");
        p.setProperty(JobSettings.ANOMALY_SPIKE_FACTOR, "-1");
        assertThatThrownBy(() -> JobSettings.fromProperties(p)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownEventsAreDeadLetteredUnlessConfiguredAsAnomalies() {
        assertThat(JobSettings.fromProperties(new Properties()).predictor().unknownEventAnomaly()).isFalse();
        JobSettings anomaly = settings(JobSettings.UNKNOWN_EVENT, "anomaly");
        assertThat(anomaly.predictor().unknownEventAnomaly()).isTrue();
        assertThat(JobSettings.fromProperties(anomaly.toProperties()).predictor().unknownEventAnomaly()).isTrue();
        assertThat(settings(JobSettings.UNKNOWN_EVENT, "dead-letter").predictor().unknownEventAnomaly()).isFalse();
        assertThatThrownBy(() -> settings(JobSettings.UNKNOWN_EVENT, "drop"))
                .hasMessageContaining("predict.unknown.event must be dead-letter or anomaly, got 'drop'");
    }

    @Test
    void nonsenseLimitsFailAtStartupNamingTheKey() {
        assertThatThrownBy(() -> settings(JobSettings.MAX_EVENT_BYTES, "0")).hasMessageContaining("limits.event.bytes must be at least 1");
        assertThatThrownBy(() -> settings(JobSettings.MAX_KEY_BYTES, "0")).hasMessageContaining("limits.key.bytes must be at least 1");
        assertThatThrownBy(() -> settings(JobSettings.MAX_MODEL_BYTES, "-5")).hasMessageContaining("limits.model.bytes must be in 1..");
        assertThatThrownBy(() -> settings(JobSettings.MAX_MODEL_BYTES, "3000000000")).hasMessageContaining("limits.model.bytes must be in 1..2147483639");
        assertThatThrownBy(() -> settings(JobSettings.MAX_MODEL_BYTES, "1GB")).hasMessageContaining("limits.model.bytes must be an integer, got '1GB'");
    }

    @Test
    void loaderLimitIsCappedAtTheArrayLimit() {
        assertThat(ModelArtifact.MAX_ARRAY_BYTES).isEqualTo(Integer.MAX_VALUE - 8);
        assertThatThrownBy(() -> ModelArtifact.load(MODEL, MODEL.length - 1)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("above the limit of " + (MODEL.length - 1));
    }
}
