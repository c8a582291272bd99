package dev.seqpredict.demo;

import dev.seqpredict.model.Task;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Simulated log sessions as a demo source: a fixed number of sessions are open at a time, each step
 * emits the next event of every open session, and a finished session is replaced by a new one. The
 * history (for the initial model) holds only normal sessions, as DeepLog trains.
 */
final class LogSource implements EventSource {
    private final LogSessionSimulator normal;
    private final LogSessionSimulator live;
    private final int historySessions;
    private final int open;
    private final List<Deque<Integer>> active = new ArrayList<>();
    private final List<String> activeKeys = new ArrayList<>();
    private int nextSession = 1_000_000;
    private final Map<String, Boolean> abnormal = new ConcurrentHashMap<>();

    LogSource(long seed, int historySessions, int open, double deviationRate) {
        this.normal = new LogSessionSimulator(seed, 0.0);
        this.live = new LogSessionSimulator(seed + 1, deviationRate);
        this.historySessions = historySessions;
        this.open = open;
    }

    @Override
    public SeriesSet history() {
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < historySessions; i++) {
            LogSessionSimulator.Session s = normal.session(i);
            series.add(new Series(s.key(), null, null, s.events().stream().map(String::valueOf).toArray(String[]::new)));
        }
        return new SeriesSet(Task.CLASSIFICATION, List.of(), series, "simulated normal sessions (" + historySessions + ")", true);
    }

    @Override
    public int firstLiveStep() {
        return 0;
    }

    @Override
    public synchronized List<Emitted> step(int step) {
        while (active.size() < open) {
            LogSessionSimulator.Session s = live.session(nextSession++);
            active.add(new ArrayDeque<>(s.events()));
            activeKeys.add(s.key());
            abnormal.put(s.key(), s.abnormal());
        }
        List<Emitted> out = new ArrayList<>(open);
        long ts = SensorSource.ts(step);
        for (int i = 0; i < active.size(); i++) {
            int event = active.get(i).removeFirst();
            out.add(new Emitted(activeKeys.get(i), step, ts, "{\"ts\":" + ts + ",\"event\":" + event + "}", event,
                    event == LogSessionSimulator.RARE_EVENT));
            if (active.get(i).isEmpty()) {
                active.remove(i);
                activeKeys.remove(i);
                i--;
            }
        }
        return out;
    }

    @Override
    public int regimeChangeStep() {
        return -1;
    }

    @Override
    public List<String> plotKeys() {
        return List.of();
    }

    @Override
    public Boolean abnormalSession(String key) {
        return abnormal.get(key);
    }

    @Override
    public boolean logEvents() {
        return true;
    }
}
