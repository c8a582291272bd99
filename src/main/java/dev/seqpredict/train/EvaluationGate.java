package dev.seqpredict.train;

import dev.seqpredict.model.RecurrentModel;
import java.util.Locale;

/**
 * Decides whether a candidate model may replace the current one: both are stepped over the same data
 * the way the stream steps them, and the candidate passes only if its primary metric (RMSE for regression,
 * top-1 accuracy for classification) is at least as good as the current model's, within a relative
 * {@code tolerance} (0.02 lets the candidate be up to 2% worse). No DJL here: a retraining loop can call it
 * in-process.
 */
public final class EvaluationGate {

    /** The verdict, both reports, and a one-line reason a person can read. */
    public record Decision(boolean accepted, Evaluator.Report candidate, Evaluator.Report current, double tolerance,
                           String reason) {
    }

    private final double tolerance;
    private final int topK;

    public EvaluationGate(double tolerance, int topK) {
        if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be a finite number ≥ 0, got " + tolerance);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be ≥ 1, got " + topK);
        }
        this.tolerance = tolerance;
        this.topK = topK;
    }

    /** Evaluates both models on every prediction of {@code data} and compares them. */
    public Decision decide(RecurrentModel candidate, RecurrentModel current, SeriesSet data) {
        if (candidate.spec().task() != current.spec().task()) {
            throw new DataException("the candidate is a " + candidate.spec().task() + " model but the current one is "
                    + current.spec().task() + ": they cannot be compared");
        }
        int[] all = Evaluator.scoreAll(data);
        Evaluator.BigramBaseline bigram = Baselines.inSample(data);
        Evaluator.Report cand = Evaluator.evaluate(candidate, data, all, bigram, topK);
        Evaluator.Report cur = Evaluator.evaluate(current, data, all, bigram, topK);
        return decide(cand, cur);
    }

    /** Compares two reports on the same data. */
    public Decision decide(Evaluator.Report candidate, Evaluator.Report current) {
        Metrics c = candidate.model();
        Metrics o = current.model();
        if (c.n() == 0 || !Double.isFinite(c.primary()) || !Double.isFinite(o.primary())) {
            throw new DataException("the data yields no predictions to compare (every key has a single event)");
        }
        boolean lower = c.lowerIsBetter();
        double bound = lower ? o.primary() * (1 + tolerance) : o.primary() * (1 - tolerance);
        boolean ok = lower ? c.primary() <= bound + 1e-12 : c.primary() >= bound - 1e-12;
        String reason = String.format(Locale.ROOT, "candidate %s %.4f %s %s %.4f (current %.4f, tolerance %.3g, %d predictions)",
                c.primaryName(), c.primary(), ok ? (lower ? "<=" : ">=") : (lower ? ">" : "<"),
                lower ? "the allowed maximum" : "the allowed minimum", bound, o.primary(), tolerance, c.n());
        return new Decision(ok, candidate, current, tolerance, reason);
    }

    public double tolerance() {
        return tolerance;
    }
}
