package dev.seqpredict.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's live view: a few lines redrawn in place once a second on a terminal (ANSI cursor moves);
 * without a terminal, one compact line every five seconds.
 */
final class ConsoleView {
    private final PrintStream out;
    private final Demo.Options o;
    private final LiveStats stats;
    private final long t0;
    private final boolean logs;
    private final boolean tty;
    private long lastRender;
    private long lastProduced;
    private long lastPredicted;
    private int drawnLines;

    ConsoleView(PrintStream out, Demo.Options o, LiveStats stats, long t0, boolean logs) {
        this.out = out;
        this.o = o;
        this.stats = stats;
        this.t0 = t0;
        this.logs = logs;
        this.tty = o.liveView() && System.console() != null;
        this.lastRender = System.nanoTime();
    }

    void maybeRender(boolean force) {
        long now = System.nanoTime();
        long every = tty ? 1_000_000_000L : 5_000_000_000L;
        if (!force && now - lastRender < every) {
            return;
        }
        double secs = (now - lastRender) / 1e9;
        lastRender = now;
        long produced = stats.produced.get() + stats.producedBad.get();
        long predicted = stats.predictions.get();
        double in = (produced - lastProduced) / secs;
        double outRate = (predicted - lastPredicted) / secs;
        lastProduced = produced;
        lastPredicted = predicted;
        List<String> lines = lines(now, in, outRate);
        if (tty) {
            StringBuilder b = new StringBuilder();
            if (drawnLines > 0) {
                b.append("\u001b[").append(drawnLines).append('F');
            }
            for (String l : lines) {
                b.append("\u001b[2K").append(l).append('\n');
            }
            out.print(b);
            drawnLines = lines.size();
        } else {
            out.println(lines.get(0) + " | " + lines.get(1).trim() + " | " + lines.get(2).trim());
        }
        out.flush();
    }

    private List<String> lines(long now, double in, double outRate) {
        long s = (now - t0) / 1_000_000_000L;
        List<String> l = new ArrayList<>();
        l.add(String.format(Locale.ROOT, "[%02d:%02d] in %,8.0f ev/s  out %,8.0f pred/s  keys %,d", s / 60, s % 60, in, outRate,
                stats.keyCount()));
        l.add(String.format(Locale.ROOT, "  model %s  anomalies %,d  DLQ %,d %s", stats.currentVersion() == null ? "(no prediction yet)" : "v" + stats.currentVersion(), stats.anomalies.get(),
                stats.dlq.get(), stats.dlqByReason()));
        StringBuilder v = new StringBuilder("  rolling " + (logs ? "1-p(actual)" : "MAE") + " by version:");
        for (Map.Entry<String, LiveStats.VersionStats> e : stats.versions().entrySet()) {
            v.append(String.format(Locale.ROOT, "  v%s %.3f (%,d)", e.getKey(), e.getValue().rollingMae(), e.getValue().predictions));
        }
        l.add(v.toString());
        List<LiveStats.Swap> swaps = stats.swaps();
        if (!swaps.isEmpty()) {
            LiveStats.Swap last = swaps.get(swaps.size() - 1);
            LiveStats.VersionStats now2 = stats.versions().get(last.version());
            long at = (last.atNanos() - t0) / 1_000_000_000L;
            l.add(String.format(Locale.ROOT, "  last swap v%s -> v%s at %02d:%02d: rolling error %.3f -> %.3f", last.from(),
                    last.version(), at / 60, at % 60, last.fromRollingMae(), now2 == null ? Double.NaN : now2.rollingMae()));
        } else {
            l.add("  no swap yet");
        }
        List<String> log = stats.retrainLog();
        l.add("  retraining: " + (log.isEmpty() ? "first round in " + o.retrainEvery().toSeconds() + " s" : log.get(log.size() - 1)));
        return l;
    }
}
