package dev.seqpredict.demo;

import dev.seqpredict.model.Task;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesSet;
import java.util.ArrayList;
import java.util.List;

/** The simulated sensors as a demo source (15-minute readings, timestamps from 2026-01-01). */
final class SensorSource implements EventSource {
    static final long BASE_TS = 1_767_225_600_000L;
    static final long INTERVAL_MS = 15 * 60_000L;

    private final SensorSimulator sim;
    private final int historySteps;
    private final int trainingKeys;

    SensorSource(SensorSimulator sim, int historySteps, int trainingKeys) {
        this.sim = sim;
        this.historySteps = historySteps;
        this.trainingKeys = Math.min(trainingKeys, sim.sensors());
    }

    static long ts(int step) {
        return BASE_TS + step * INTERVAL_MS;
    }

    @Override
    public SeriesSet history() {
        List<Series> series = new ArrayList<>();
        for (int s = 0; s < trainingKeys; s++) {
            String[] ts = new String[historySteps];
            float[][] values = new float[historySteps][];
            for (int t = 0; t < historySteps; t++) {
                ts[t] = Long.toString(ts(t));
                values[t] = new float[] {sim.reading(s, t).value()};
            }
            series.add(new Series(SensorSimulator.key(s), ts, values, null));
        }
        return new SeriesSet(Task.REGRESSION, List.of("value"), series, "simulated history (" + historySteps + " steps)");
    }

    @Override
    public int firstLiveStep() {
        return historySteps;
    }

    @Override
    public List<Emitted> step(int step) {
        List<Emitted> out = new ArrayList<>(sim.sensors());
        for (int s = 0; s < sim.sensors(); s++) {
            SensorSimulator.Reading r = sim.reading(s, step);
            out.add(new Emitted(r.key(), step, ts(step), "{\"ts\":" + ts(step) + ",\"values\":[" + r.value() + "]}",
                    r.value(), r.fault()));
        }
        return out;
    }

    @Override
    public int regimeChangeStep() {
        return sim.regimeChangeStep();
    }

    @Override
    public List<String> plotKeys() {
        List<String> keys = new ArrayList<>();
        for (int s = 0; s < Math.min(3, sim.sensors()); s++) {
            keys.add(SensorSimulator.key(s));
        }
        return keys;
    }

    @Override
    public boolean logEvents() {
        return false;
    }
}
