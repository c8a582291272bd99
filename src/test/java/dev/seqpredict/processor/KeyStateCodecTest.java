package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.model.CellType;
import dev.seqpredict.testing.TestModels;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class KeyStateCodecTest {

    private static KeyState stateAfter(int events) {
        ServingModel m = ServingModel.of("m", TestModels.regression(1, CellType.LSTM, 2, 8, 2, "m", "1"));
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4));
        KeyState s = null;
        for (int i = 0; i < events; i++) {
            s = ((Outcome.Predicted) p.process(s, Event.sensor("k", i, i % 3, 10 + i % 5), m)).state();
        }
        return s;
    }

    /**
     * The same state as format version 4 wrote it: no season cycles field (the i32 after the season lag, at the
     * start of the sensor block, whose offset is where a state without that block has its two end flags).
     */
    private static byte[] asVersion4(KeyState s) {
        byte[] v5 = KeyStateCodec.toBytes(s);
        KeyState bare = s.copy();
        bare.seenMin = null;
        bare.blend = null;
        int flag = KeyStateCodec.toBytes(bare).length - 2; // the sensor block's u8 flag
        int cycles = flag + 1 + 4;
        byte[] v4 = new byte[v5.length - 4];
        System.arraycopy(v5, 0, v4, 0, cycles);
        System.arraycopy(v5, cycles + 4, v4, cycles, v5.length - cycles - 4);
        v4[0] = 4;
        return v4;
    }

    @Test
    void roundTripIsExact() throws IOException {
        KeyState s = stateAfter(7); // ring has wrapped (capacity 4)
        KeyState back = KeyStateCodec.fromBytes(KeyStateCodec.toBytes(s));
        assertThat(KeyStateCodec.toBytes(back)).isEqualTo(KeyStateCodec.toBytes(s));
        assertThat(back.recurrentState()).containsExactly(s.recurrentState());
        assertThat(back.lastPrediction()).containsExactly(s.lastPrediction());
        assertThat(back.events()).isEqualTo(7);
        assertThat(back.bufferedInputs()).isEqualTo(4);
        assertThat(back.modelVersion()).isEqualTo("1");
    }

    @Test
    void restoredStateContinuesExactlyLikeTheOriginal() throws IOException {
        ServingModel m = ServingModel.of("m", TestModels.regression(1, CellType.LSTM, 2, 8, 2, "m", "1"));
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4));
        KeyState s = stateAfter(7);
        KeyState restored = KeyStateCodec.fromBytes(KeyStateCodec.toBytes(s));
        Prediction a = ((Outcome.Predicted) p.process(s, Event.sensor("k", 8, 1, 11), m)).prediction();
        Prediction b = ((Outcome.Predicted) p.process(restored, Event.sensor("k", 8, 1, 11), m)).prediction();
        assertThat(PredictionJson.toBytes(b)).isEqualTo(PredictionJson.toBytes(a));
    }

    @Test
    void theSensorScoresHistoryAndSeasonSurviveARoundTrip() throws IOException {
        ServingModel m = ServingModel.of("m", TestModels.regression(1, CellType.LSTM, 2, 8, 2, "m", "1"));
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4));
        KeyState s = null;
        long fiveMinutes = 300_000;
        for (int i = 0; i < 2100; i++) { // a day is 288 events, a week 2,016: the season ring has wrapped
            s = ((Outcome.Predicted) p.process(s, Event.sensor("k", i * fiveMinutes, i % 7, 10 + i % 5), m)).state();
        }
        assertThat(s.seasonLag).isEqualTo(288);
        assertThat(s.seasonCycles).isEqualTo(7);
        KeyState restored = KeyStateCodec.fromBytes(KeyStateCodec.toBytes(s));
        assertThat(KeyStateCodec.toBytes(restored)).isEqualTo(KeyStateCodec.toBytes(s));
        for (int i = 2100; i < 2400; i++) {
            Event e = Event.sensor("k", i * fiveMinutes, i % 7 + (i == 2350 ? 40 : 0), 10 + i % 5);
            Prediction a = ((Outcome.Predicted) p.process(s, e, m)).prediction();
            Prediction b = ((Outcome.Predicted) p.process(restored, e, m)).prediction();
            assertThat(PredictionJson.toBytes(b)).isEqualTo(PredictionJson.toBytes(a));
        }
        assertThat(s.seasonStats.count).isGreaterThan(2000);
    }

    @Test
    void aVersion4SensorStateKeepsItsOneSeasonAndScoresAsBefore() throws IOException {
        ServingModel m = ServingModel.of("m", TestModels.regression(1, CellType.LSTM, 2, 8, 2, "m", "1"));
        KeyedPredictor oneSeason = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4)
                .withSensorScoring(SensorScoring.DEFAULTS.withSeasonCycles(1)));
        KeyedPredictor week = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4));
        KeyState s = null;
        long fiveMinutes = 300_000;
        for (int i = 0; i < 400; i++) { // a day's ring (288), wrapped
            s = ((Outcome.Predicted) oneSeason.process(s, Event.sensor("k", i * fiveMinutes, i % 7, 10 + i % 5), m)).state();
        }
        assertThat(s.seasonCycles).isEqualTo(1);
        KeyState old = KeyStateCodec.fromBytes(asVersion4(s));
        assertThat(old.seasonCycles).isEqualTo(1);
        assertThat(KeyStateCodec.toBytes(old)).as("read as it was, written as version 5").isEqualTo(KeyStateCodec.toBytes(s));
        for (int i = 400; i < 700; i++) { // under the week's defaults the key keeps the one season it has
            Event e = Event.sensor("k", i * fiveMinutes, i % 7 + (i == 650 ? 40 : 0), 10 + i % 5);
            Prediction a = ((Outcome.Predicted) oneSeason.process(s, e, m)).prediction();
            Prediction b = ((Outcome.Predicted) week.process(old, e, m)).prediction();
            assertThat(PredictionJson.toBytes(b)).isEqualTo(PredictionJson.toBytes(a));
        }
        assertThat(old.season).as("a day of two features").hasSize(288 * 2);
    }

    @Test
    void theForecastBlendSurvivesARoundTripAndAVersion3StateContinuesWithoutIt() throws IOException {
        ServingModel m = ServingModel.of("m", TestModels.regression(1, CellType.LSTM, 2, 8, 2, "m", "1"));
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(4)
                .withSensorScoring(SensorScoring.DEFAULTS.withBlendAlpha(0.05)));
        KeyState s = null;
        for (int i = 0; i < 100; i++) {
            s = ((Outcome.Predicted) p.process(s, Event.sensor("k", i * 1000L, i % 7, 10 + i % 5), m)).state();
        }
        assertThat(s.blend).isNotNull();
        assertThat(s.blend.count).isEqualTo(99);
        byte[] bytes = KeyStateCodec.toBytes(s);
        assertThat(bytes[0]).isEqualTo((byte) 5);
        KeyState restored = KeyStateCodec.fromBytes(bytes);
        assertThat(KeyStateCodec.toBytes(restored)).isEqualTo(bytes);
        assertThat(restored.blend.err).containsExactly(s.blend.err);
        for (int i = 100; i < 150; i++) {
            Event e = Event.sensor("k", i * 1000L, i % 7, 10 + i % 5);
            Prediction a = ((Outcome.Predicted) p.process(s, e, m)).prediction();
            Prediction b = ((Outcome.Predicted) p.process(restored, e, m)).prediction();
            assertThat(PredictionJson.toBytes(b)).isEqualTo(PredictionJson.toBytes(a));
        }
    }

    @Test
    void readsFormatVersion1StatesWrittenBeforeAlarmSuppression() throws IOException {
        KeyState s = stateAfter(7);
        s.lastAlarm = 5;
        s.seenMin = null; // no sensor-score history and no blend: versions 4 and 5 then end with two 0 bytes
        byte[] v5 = KeyStateCodec.toBytes(s);
        assertThat(v5[0]).isEqualTo((byte) 5);
        assertThat(v5[v5.length - 2]).isEqualTo((byte) 0);
        assertThat(v5[v5.length - 1]).isEqualTo((byte) 0);
        byte[] v4 = v5.clone();
        v4[0] = 4;
        assertThat(KeyStateCodec.toBytes(KeyStateCodec.fromBytes(v4))).isEqualTo(v5);
        byte[] v3 = java.util.Arrays.copyOf(v4, v4.length - 1); // version 3 had no forecast blend
        v3[0] = 3;
        assertThat(KeyStateCodec.fromBytes(v3).blend).isNull();
        byte[] v2 = java.util.Arrays.copyOf(v3, v3.length - 1); // version 2 had no sensor-score history
        v2[0] = 2;
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 8); // version 1 had no last-alarm field
        v1[0] = 1;
        KeyState back = KeyStateCodec.fromBytes(v1);
        assertThat(back.lastAlarm).isEqualTo(-1);
        assertThat(back.recurrentState()).containsExactly(s.recurrentState());
        assertThat(back.events()).isEqualTo(7);
        assertThat(KeyStateCodec.fromBytes(v2).lastAlarm).isEqualTo(5);
    }

    @Test
    void arrayPathWritesAndReadsTheSameBytesAsTheDataStreams() throws IOException {
        KeyState s = stateAfter(7);
        s.modelName = "m\u00e9t\u20ac\u0000r"; // 2-, 3-byte and NUL chars of modified UTF-8
        s.modelVersion = "v\uD83D\uDE00";       // a surrogate pair: two 3-byte sequences
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            KeyStateCodec.write(s, out);
        }
        byte[] viaStream = bytes.toByteArray();
        assertThat(KeyStateCodec.toBytes(s)).isEqualTo(viaStream);
        KeyState back = KeyStateCodec.fromBytes(viaStream);
        assertThat(back.modelName()).isEqualTo(s.modelName);
        assertThat(back.modelVersion()).isEqualTo(s.modelVersion);
        KeyState viaStreamBack = KeyStateCodec.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(viaStream)));
        assertThat(KeyStateCodec.toBytes(back)).isEqualTo(KeyStateCodec.toBytes(viaStreamBack));
        assertThatThrownBy(() -> KeyStateCodec.fromBytes(java.util.Arrays.copyOf(viaStream, viaStream.length - 1)))
                .isInstanceOf(java.io.EOFException.class);
    }

    @Test
    void stateIsCompact() {
        KeyState s = stateAfter(3);
        // h and c of 2 layers × 8, the last prediction (2), the rewarm buffer (4 inputs × 2), the seen range of the
        // two features and their previous values (3 × 2; no season: events 1 ms apart make a day more events than a
        // key keeps), plus a fixed header and the sensor score's statistics (2 × 41 + 16 bytes)
        int floats = 32 + 2 + 4 * 2 + 3 * 2;
        assertThat(s.floatCount()).isEqualTo(floats);
        assertThat(KeyStateCodec.toBytes(s).length).isLessThanOrEqualTo(4 * floats + 120 + 116);
    }

    @Test
    void aVersion3SensorStateReadsWithoutThePreviousValuesAndTheSpikeRuleStartsOver() throws IOException {
        KeyState s = stateAfter(40);
        assertThat(s.lastValues).isNotNull();
        // the first event has no forecast to score, the second sets the previous values: 38 changes follow
        assertThat(s.changeCount).isEqualTo(38);
        byte[] v4 = asVersion4(s);
        assertThat(s.blend).as("blending is off by default").isNull();
        // what version 4 added: at the end of the sensor block, then the blend's flag (0: none)
        int tail = 8 + 8 + 4 * s.lastValues.length + 1;
        byte[] v3 = java.util.Arrays.copyOf(v4, v4.length - tail);
        v3[0] = 3;
        KeyState old = KeyStateCodec.fromBytes(v3);
        assertThat(old.lastValues).isNull();
        assertThat(old.changeCount).isZero();
        assertThat(old.seenMin).containsExactly(s.seenMin);
        KeyState back = KeyStateCodec.fromBytes(v4);
        assertThat(back.lastValues).containsExactly(s.lastValues);
        assertThat(back.changeScale).isEqualTo(s.changeScale);
        assertThat(back.changeCount).isEqualTo(38);
    }

    @Test
    void aCorruptTypicalChangeIsRefusedWithItsReason() {
        KeyState s = stateAfter(40);
        byte[] bytes = KeyStateCodec.toBytes(s);
        int at = bytes.length - 1 - 4 * s.lastValues.length - 8; // the typical change, a double (then the blend flag)
        java.nio.ByteBuffer.wrap(bytes).putDouble(at, -1.0);
        assertThatThrownBy(() -> KeyStateCodec.fromBytes(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("typical change -1.0");
    }

    @Test
    void rejectsUnknownVersionAndCorruptLengths() {
        byte[] bytes = KeyStateCodec.toBytes(stateAfter(2));
        byte[] v9 = bytes.clone();
        v9[0] = 9;
        assertThatThrownBy(() -> KeyStateCodec.fromBytes(v9)).hasMessageContaining("format version 9");
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> KeyStateCodec.fromBytes(truncated)).isInstanceOf(IOException.class);
        byte[] trailing = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> KeyStateCodec.fromBytes(trailing)).hasMessageContaining("trailing");
    }
}
