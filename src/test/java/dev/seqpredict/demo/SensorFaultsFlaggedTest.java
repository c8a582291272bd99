package dev.seqpredict.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.PersistenceModel;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The demo's sensor streams through the jobs' per-key processing with its default settings: every injected
 * spike (6 to 12 times the sensor's daily amplitude, so many standard deviations of its noise) from the
 * key's 24th event on (the demo injects none before: the score's warm-up is 20 errors) is flagged within 2 events, and ordinary events are rarely flagged. The model is
 * "no change", the weakest forecaster, so the test is about the score, not about a trained model.
 */
class SensorFaultsFlaggedTest {

    private static final int FAULTS_FROM = Demo.QUIET_STEPS;

    @Test
    void everyInjectedSpikeIsFlaggedWithinTwoEventsAndFalseAlarmsAreRare() {
        SensorSimulator sim = new SensorSimulator(7, 12, Integer.MAX_VALUE, 0.01, FAULTS_FROM);
        RecurrentModel m = PersistenceModel.of(1, "default", "1");
        ServingModel model = ServingModel.of("default", m);
        KeyedPredictor predictor = new KeyedPredictor(PredictorConfig.DEFAULTS);
        int steps = 3000;
        long stepMillis = 15 * 60_000L; // a simulated day is 96 steps
        int faults = 0;
        List<String> missed = new ArrayList<>();
        long ordinary = 0;
        long falseAlarms = 0;
        int early = 0;
        for (int sensor = 0; sensor < sim.sensors(); sensor++) {
            KeyState state = null;
            boolean[] fault = new boolean[steps];
            boolean[] flagged = new boolean[steps];
            for (int t = 0; t < steps; t++) {
                SensorSimulator.Reading r = sim.reading(sensor, t);
                Outcome.Predicted o = (Outcome.Predicted) predictor.process(state, Event.sensor(r.key(), t * stepMillis, r.value()), model);
                state = o.state();
                fault[t] = r.fault();
                flagged[t] = o.prediction().anomaly();
            }
            for (int t = 0; t < FAULTS_FROM; t++) {
                early += fault[t] ? 1 : 0;
            }
            for (int t = FAULTS_FROM; t < steps; t++) {
                if (fault[t]) {
                    faults++;
                    if (!(flagged[t] || (t + 1 < steps && flagged[t + 1]))) {
                        missed.add(SensorSimulator.key(sensor) + " step " + t);
                    }
                } else if (!fault[t - 1]) { // the event right after a spike is its return: not an ordinary one
                    ordinary++;
                    if (flagged[t]) {
                        falseAlarms++;
                    }
                }
            }
        }
        assertThat(faults).as("the simulation injects faults").isGreaterThan(100);
        assertThat(early).as("faults injected within a key's first %d events", FAULTS_FROM).isZero();
        assertThat(missed).as("spikes not flagged within 2 events").isEmpty();
        double perThousand = 1000.0 * falseAlarms / ordinary;
        System.out.printf("%d spikes all flagged; %d false alarms in %d ordinary events (%.2f per 1,000)%n", faults, falseAlarms,
                ordinary, perThousand);
        assertThat(perThousand).as("false alarms per 1,000 ordinary events").isLessThan(5.0);
    }
}
