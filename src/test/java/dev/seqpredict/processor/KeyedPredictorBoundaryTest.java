package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.testing.EndSymbolModels;
import org.junit.jupiter.api.Test;

/**
 * Under a model with an end symbol a key's first event is predicted from the boundary (END stepped from the
 * zero state first); under a model without one the first event has no prediction, as before.
 */
class KeyedPredictorBoundaryTest {

    private final KeyedPredictor predictor = new KeyedPredictor(PredictorConfig.DEFAULTS.withTopG(1));

    @Test
    void theFirstEventIsScoredAgainstTheBoundaryPrediction() {
        ServingModel m = ServingModel.of("ab", EndSymbolModels.abEnd(true));
        Prediction a = ((Outcome.Predicted) predictor.process(null, Event.log("k", 1, "a"), m)).prediction();
        Prediction b = ((Outcome.Predicted) predictor.process(null, Event.log("k", 1, "b"), m)).prediction();
        assertThat(a.inTopG()).isTrue();   // rank 0 after the boundary
        assertThat(b.inTopG()).isFalse();  // rank 1
        assertThat(b.anomaly()).isTrue();
        assertThat(a.events()).isEqualTo(1); // the boundary is not an event of the key
    }

    @Test
    void withoutAnEndSymbolTheFirstEventHasNoPrediction() {
        ServingModel m = ServingModel.of("ab", EndSymbolModels.abEnd(false));
        Prediction b = ((Outcome.Predicted) predictor.process(null, Event.log("k", 1, "b"), m)).prediction();
        assertThat(b.inTopG()).isNull();
        assertThat(b.anomaly()).isFalse();
    }
}
