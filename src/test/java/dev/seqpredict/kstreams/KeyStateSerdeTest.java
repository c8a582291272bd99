package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.testing.TestModels;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class KeyStateSerdeTest {
    private final KeyStateSerde serde = new KeyStateSerde();
    private static final RecurrentModel MODEL = TestModels.regression(9, CellType.LSTM, 2, 6, 2, "m", "4");
    private static final KeyedPredictor PREDICTOR = new KeyedPredictor(PredictorConfig.DEFAULTS.withRewarmWindow(5));

    private static KeyState steppedState(int events) {
        ServingModel sm = ServingModel.of("m", MODEL);
        Random r = new Random(1);
        KeyState s = null;
        for (int i = 0; i < events; i++) {
            Outcome o = PREDICTOR.process(s, Event.sensor("k", 1000 + i, r.nextFloat(), 10 + r.nextFloat()), sm);
            s = ((Outcome.Predicted) o).state();
        }
        return s;
    }

    @Test
    void roundTripKeepsEveryField() {
        KeyState s = steppedState(9); // more events than the rewarm window: the ring has wrapped
        byte[] bytes = serde.serializer().serialize("t", s);
        KeyState back = serde.deserializer().deserialize("t", bytes);
        assertThat(back.modelName()).isEqualTo("m");
        assertThat(back.modelVersion()).isEqualTo("4");
        assertThat(back.modelFingerprint()).isEqualTo(s.modelFingerprint()).isNotZero();
        assertThat(back.events()).isEqualTo(9);
        assertThat(back.lastTs()).isEqualTo(1008);
        assertThat(back.recurrentState()).containsExactly(s.recurrentState());
        assertThat(back.lastPrediction()).containsExactly(s.lastPrediction());
        assertThat(back.lastError()).isEqualTo(s.lastError());
        assertThat(back.lastScore()).isEqualTo(s.lastScore());
        assertThat(back.bufferedInputs()).isEqualTo(5);
        assertThat(serde.serializer().serialize("t", back)).isEqualTo(bytes);

        // the restored state steps exactly like the original, including a rewarm from its buffer
        ServingModel sm = ServingModel.of("m", MODEL);
        Event next = Event.sensor("k", 2000, 0.5f, 10.5f);
        var a = ((Outcome.Predicted) PREDICTOR.process(s.copy(), next, sm)).prediction();
        var b = ((Outcome.Predicted) PREDICTOR.process(serde.deserializer().deserialize("t", bytes), next, sm)).prediction();
        assertThat(b.values()).containsExactly(a.values());
        assertThat(b.anomalyScore()).isEqualTo(a.anomalyScore());
        ServingModel other = ServingModel.of("m", TestModels.regression(10, CellType.LSTM, 2, 6, 2, "m", "5"));
        var c = ((Outcome.Predicted) PREDICTOR.process(s.copy(), next, other)).prediction();
        var d = ((Outcome.Predicted) PREDICTOR.process(serde.deserializer().deserialize("t", bytes), next, other)).prediction();
        assertThat(d.values()).containsExactly(c.values());
        assertThat(d.swapped()).isTrue();
    }

    @Test
    void nullsAndCorruptBytes() {
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
        byte[] bytes = serde.serializer().serialize("t", steppedState(3));
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt key state");
        byte[] wrongVersion = bytes.clone();
        wrongVersion[0] = 99;
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", wrongVersion))
                .isInstanceOf(SerializationException.class).hasMessageContaining("version 99");
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", trailing)).isInstanceOf(SerializationException.class);
    }
}
