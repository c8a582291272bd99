package dev.seqpredict.train;

import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Measures a model the way the stream runs it: each key stepped by {@link RecurrentModel#step} (or
 * {@code stepEvent}) from a zero state over its events in order, the output after event t compared with
 * event t+1. Only targets at index ≥ {@code scoreFrom[key]} are scored (the held-out tail), but every
 * earlier event is stepped, so the state is the one the stream would have. A model with an end-of-session
 * symbol steps it first and predicts it after the last event, as the stream does ({@code scoreFrom} 0: the
 * whole key, its first event and its end included). No DJL here.
 */
public final class Evaluator {

    /** The model's metrics and the naive baseline's on the same predictions. */
    public record Report(Metrics model, Metrics baseline) {
    }

    private Evaluator() {
    }

    /** Scores every prediction of every key (from its second event on). */
    public static int[] scoreAll(SeriesSet data) {
        return new int[data.series().size()];
    }

    /**
     * Regression: baseline = the last value. Classification: baseline = the most frequent next event after
     * the current one in {@code baselineFit} (falling back to the most frequent event overall).
     */
    public static Report evaluate(RecurrentModel model, SeriesSet data, int[] scoreFrom, BigramBaseline baselineFit, int k) {
        if (model.spec().task() != data.task()) {
            throw new DataException("the model is a " + model.spec().task() + " model but the data is for " + data.task());
        }
        return data.task() == Task.REGRESSION ? regression(model, data, scoreFrom)
                : classification(model, data, scoreFrom, baselineFit, k);
    }

    private static Report regression(RecurrentModel model, SeriesSet data, int[] scoreFrom) {
        int f = data.featureCount();
        if (model.spec().inputSize() != f) {
            throw new DataException("the data has " + f + " feature column(s) " + data.featureNames() + " but the model "
                    + model.spec().name() + " takes " + model.spec().inputSize());
        }
        if (!model.forecastsInputs()) {
            throw new DataException("the model's " + model.outputSize() + " outputs forecast none of its " + f
                    + " inputs (output_size != input_size and no 'target' list): next-event metrics need one of them");
        }
        int[] target = model.spec().targetIndices();
        int m = target.length;
        float[] out = new float[m];
        double abs = 0;
        double sq = 0;
        double babs = 0;
        double bsq = 0;
        long n = 0;
        for (int s = 0; s < data.series().size(); s++) {
            float[][] x = data.series().get(s).values();
            int from = Math.max(1, scoreFrom[s]);
            if (from >= x.length) {
                continue;
            }
            float[] state = model.newState();
            for (int t = 0; t + 1 < x.length; t++) {
                model.step(state, x[t], out);
                if (t + 1 >= from) {
                    for (int j = 0; j < m; j++) {
                        int i = target[j];
                        double e = out[j] - x[t + 1][i];
                        double b = x[t][i] - x[t + 1][i];
                        abs += Math.abs(e);
                        sq += e * e;
                        babs += Math.abs(b);
                        bsq += b * b;
                    }
                    n++;
                }
            }
        }
        long cells = n * m;
        if (n == 0) {
            return new Report(Metrics.regression(0, Double.NaN, Double.NaN), Metrics.regression(0, Double.NaN, Double.NaN));
        }
        return new Report(Metrics.regression(n, abs / cells, Math.sqrt(sq / cells)),
                Metrics.regression(n, babs / cells, Math.sqrt(bsq / cells)));
    }

    private static Report classification(RecurrentModel model, SeriesSet data, int[] scoreFrom, BigramBaseline fit, int k) {
        int[][] ids = eventIds(model, data);
        int vocab = model.outputSize();
        float[] probs = new float[vocab];
        long n = 0;
        long hit1 = 0;
        long hitK = 0;
        long bHit1 = 0;
        long bHitK = 0;
        int end = model.endIndex();
        for (int s = 0; s < ids.length; s++) {
            int[] e = ids[s];
            String[] tokens = data.series().get(s).events();
            int from = Math.max(1, scoreFrom[s]);
            if (end >= 0) {
                // the stream steps the boundary first and judges the session's end: score [END, e1..en, END]
                if (scoreFrom[s] > 0 && scoreFrom[s] >= e.length) {
                    continue;
                }
                from = scoreFrom[s] == 0 ? 1 : scoreFrom[s] + 1;
                e = withBoundaries(e, end);
                tokens = withBoundaries(tokens, model.eventName(end));
            } else if (from >= e.length) {
                continue;
            }
            float[] state = model.newState();
            for (int t = 0; t + 1 < e.length; t++) {
                model.stepEvent(state, e[t], probs);
                if (t + 1 >= from) {
                    int rank = rank(probs, e[t + 1]);
                    hit1 += rank == 0 ? 1 : 0;
                    hitK += rank < k ? 1 : 0;
                    if (fit != null) {
                        int br = fit.rank(tokens[t], tokens[t + 1], k);
                        bHit1 += br == 0 ? 1 : 0;
                        bHitK += br < k ? 1 : 0;
                    }
                    n++;
                }
            }
        }
        double d = n == 0 ? Double.NaN : n;
        return new Report(Metrics.classification(n, hit1 / d, hitK / d, k),
                fit == null ? null : Metrics.classification(n, bHit1 / d, bHitK / d, k));
    }

    private static int[] withBoundaries(int[] e, int end) {
        int[] w = new int[e.length + 2];
        System.arraycopy(e, 0, w, 1, e.length);
        w[0] = end;
        w[w.length - 1] = end;
        return w;
    }

    private static String[] withBoundaries(String[] e, String end) {
        String[] w = new String[e.length + 2];
        System.arraycopy(e, 0, w, 1, e.length);
        w[0] = end;
        w[w.length - 1] = end;
        return w;
    }

    /** The event ids under the model's vocabulary; unknown events are a vocabulary mismatch. */
    static int[][] eventIds(RecurrentModel model, SeriesSet data) {
        int[][] ids = new int[data.series().size()][];
        TreeSet<String> unknown = new TreeSet<>();
        long unknownCount = 0;
        for (int s = 0; s < ids.length; s++) {
            String[] tokens = data.series().get(s).events();
            ids[s] = new int[tokens.length];
            for (int t = 0; t < tokens.length; t++) {
                int id = model.eventIndex(tokens[t]);
                if (id < 0) {
                    unknownCount++;
                    if (unknown.size() < 10) {
                        unknown.add(tokens[t]);
                    }
                }
                ids[s][t] = id;
            }
        }
        if (unknownCount > 0) {
            throw new DataException("vocabulary mismatch: " + unknownCount + " event(s) of the input are not in the model "
                    + model.spec().name() + "'s vocabulary of " + model.outputSize() + " (e.g. " + unknown + ")");
        }
        return ids;
    }

    /** 0-based rank of {@code target} among the probabilities (ties broken by index). */
    static int rank(float[] p, int target) {
        float pt = p[target];
        int r = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > pt || (p[i] == pt && i < target)) {
                r++;
            }
        }
        return r;
    }

    /** The naive classification baseline: the most frequent next events after each event. */
    public static final class BigramBaseline {
        private final Map<String, List<String>> ranked = new HashMap<>();
        private final List<String> global;

        /** Counts transitions in the given token sequences (e.g. the training split). */
        public BigramBaseline(List<String[]> sequences) {
            Map<String, Map<String, Integer>> next = new HashMap<>();
            Map<String, Integer> all = new HashMap<>();
            for (String[] seq : sequences) {
                for (int t = 0; t < seq.length; t++) {
                    all.merge(seq[t], 1, Integer::sum);
                    if (t + 1 < seq.length) {
                        next.computeIfAbsent(seq[t], x -> new HashMap<>()).merge(seq[t + 1], 1, Integer::sum);
                    }
                }
            }
            Comparator<String> byGlobal = Comparator.<String>comparingInt(e -> -all.getOrDefault(e, 0))
                    .thenComparing(Comparator.naturalOrder());
            global = new ArrayList<>(all.keySet());
            global.sort(byGlobal);
            next.forEach((prev, counts) -> {
                List<String> l = new ArrayList<>(counts.keySet());
                l.sort(Comparator.<String>comparingInt(e -> -counts.get(e)).thenComparing(byGlobal));
                ranked.put(prev, l);
            });
        }

        /** Rank of {@code actual} among the baseline's guesses after {@code prev}; ≥ k when not in the top k. */
        int rank(String prev, String actual, int k) {
            List<String> first = ranked.getOrDefault(prev, List.of());
            int r = 0;
            for (String e : first) {
                if (r >= k) {
                    return k;
                }
                if (e.equals(actual)) {
                    return r;
                }
                r++;
            }
            for (String e : global) {
                if (r >= k) {
                    return k;
                }
                if (first.contains(e)) {
                    continue;
                }
                if (e.equals(actual)) {
                    return r;
                }
                r++;
            }
            return k;
        }
    }
}
