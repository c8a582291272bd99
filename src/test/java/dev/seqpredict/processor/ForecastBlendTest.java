package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.testing.TestModels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The forecast blend: a key's forecast degrades to the last value when the model is worse, and keeps a good model. */
class ForecastBlendTest {

    @Test
    void aModelThatPredictsNoiseIsShrunkToTheLastValue() {
        Random r = new Random(7);
        ForecastBlend b = new ForecastBlend(1);
        double x = 100;
        for (int t = 0; t < 500; t++) {
            double next = x + r.nextGaussian();
            if (t > 0) {
                b.observe(new float[] {(float) next}, 0.01);
            }
            float[] forecast = {(float) (x + 3 * r.nextGaussian())}; // a predicted change unrelated to the real one
            b.apply(forecast, new float[] {(float) x});
            x = next;
        }
        assertThat(b.shrinkage(0)).isEqualTo(0.0);
        float[] forecast = {(float) (x + 5)};
        b.apply(forecast, new float[] {(float) x});
        assertThat(forecast[0]).isEqualTo((float) x);
    }

    @Test
    void aModelThatPredictsTheChangeIsKeptAsItIs() {
        ForecastBlend b = new ForecastBlend(2);
        for (int t = 0; t < 300; t++) {
            float[] now = {(float) Math.sin(t * 0.2), (float) (50 + 10 * Math.cos(t * 0.05))};
            float[] next = {(float) Math.sin((t + 1) * 0.2), (float) (50 + 10 * Math.cos((t + 1) * 0.05))};
            if (t > 0) {
                b.observe(now, 0.01);
            }
            float[] forecast = next.clone(); // an exact model
            b.apply(forecast, now);
            assertThat(forecast).containsExactly(t == 0 ? next : forecast);
        }
        assertThat(b.shrinkage(0)).isEqualTo(1.0);
        assertThat(b.shrinkage(1)).isEqualTo(1.0);
    }

    @Test
    void anUntrainedModelServedWithTheBlendIsNoWorseThanTheLastValueWhileItsOwnForecastIsFarWorse() {
        ServingModel m = ServingModel.of("m", TestModels.regression(3, CellType.LSTM, 1, 8, 1, "m", "1"));
        KeyedPredictor plain = new KeyedPredictor(PredictorConfig.DEFAULTS);
        KeyedPredictor blended = new KeyedPredictor(PredictorConfig.DEFAULTS
                .withSensorScoring(SensorScoring.DEFAULTS.withBlendAlpha(SensorScoring.BLEND_ALPHA)));
        Random r = new Random(11);
        KeyState a = null;
        KeyState b = null;
        double x = 20;
        double last = Double.NaN;
        double errPlain = 0;
        double errBlend = 0;
        double errLast = 0;
        int n = 0;
        for (int t = 0; t < 3000; t++) {
            x += 0.3 * r.nextGaussian(); // a random walk: the last value is the best forecast there is
            Event e = Event.sensor("k", t * 60_000L, (float) x);
            Outcome.Predicted pa = (Outcome.Predicted) plain.process(a, e, m);
            Outcome.Predicted pb = (Outcome.Predicted) blended.process(b, e, m);
            a = pa.state();
            b = pb.state();
            if (t >= 500) { // after a warm-up of the blend's statistics
                errPlain += pa.prediction().error();
                errBlend += pb.prediction().error();
                errLast += Math.abs(x - last);
                n++;
            }
            last = x;
        }
        assertThat(n).isEqualTo(2500);
        assertThat(errPlain).isGreaterThan(3 * errLast);
        assertThat(errBlend).isLessThan(1.05 * errLast);
    }
}
