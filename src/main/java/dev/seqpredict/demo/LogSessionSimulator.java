package dev.seqpredict.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Log-event sessions for the demo's log stream: each session (a key, like an HDFS block) follows one
 * of a few workflows of event ids with optional repeated steps; a small fraction deviate (a step
 * skipped, repeated out of order, an event never seen in normal sessions, or a log that stops after its
 * first 2 or 3 events). Deterministic per seed.
 */
public final class LogSessionSimulator {

    private static final int[][] WORKFLOWS = {
            {1, 2, 3, 4, 4, 4, 5, 6, 7},          // write a block, replicated three times
            {1, 2, 8, 9, 5, 6, 7},                // write with a pipeline recovery
            {10, 11, 12, 12, 13},                 // read with a retry
            {1, 2, 3, 4, 4, 5, 14, 15, 6, 7},     // write then verify
    };
    /** An event id no normal session contains. */
    public static final int RARE_EVENT = 16;
    public static final int VOCABULARY = 16;

    private final long seed;
    private final double deviationRate;

    public LogSessionSimulator(long seed, double deviationRate) {
        this.seed = seed;
        this.deviationRate = deviationRate;
    }

    public record Session(String key, List<Integer> events, boolean abnormal) {
    }

    public Session session(int index) {
        // SplittableRandom mixes its seed: java.util.Random's first draws from nearby seeds are correlated
        // (seed * 31 + index picked the same workflow for ~90% of sessions)
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int[] wf = WORKFLOWS[r.nextInt(WORKFLOWS.length)];
        List<Integer> events = new ArrayList<>();
        for (int e : wf) {
            events.add(e);
            if (e == 4 && r.nextDouble() < 0.3) {
                events.add(4); // an extra replica now and then is normal
            }
        }
        boolean abnormal = r.nextDouble() < deviationRate;
        if (abnormal) {
            int pos = 1 + r.nextInt(events.size() - 1);
            switch (r.nextInt(4)) {
                case 0 -> events.remove(pos);                          // a missing step
                case 1 -> events.add(pos, events.get(pos - 1 == 0 ? 0 : pos - 1) == 1 ? 7 : 1); // out of order
                case 2 -> events.subList(2 + r.nextInt(2), events.size()).clear(); // the log stops early
                default -> events.add(pos, RARE_EVENT);                // an unseen event
            }
        }
        return new Session(String.format("blk_%06d", index), events, abnormal);
    }
}
