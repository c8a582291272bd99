package dev.seqpredict.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.seqpredict.model.Task;
import java.util.Locale;

/**
 * Next-event prediction quality over {@code n} predictions. Regression: MAE and RMSE over every feature of
 * every predicted event, in the data's original units. Classification: top-1 accuracy and top-k hit rate
 * (the true next event among the k most probable).
 */
public record Metrics(Task task, long n, double mae, double rmse, double top1, double topK, int k) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Metrics regression(long n, double mae, double rmse) {
        return new Metrics(Task.REGRESSION, n, mae, rmse, Double.NaN, Double.NaN, 0);
    }

    public static Metrics classification(long n, double top1, double topK, int k) {
        return new Metrics(Task.CLASSIFICATION, n, Double.NaN, Double.NaN, top1, topK, k);
    }

    /** The number a gate compares: RMSE (lower is better) or top-1 accuracy (higher is better). */
    public double primary() {
        return task == Task.REGRESSION ? rmse : top1;
    }

    public String primaryName() {
        return task == Task.REGRESSION ? "RMSE" : "top-1 accuracy";
    }

    public boolean lowerIsBetter() {
        return task == Task.REGRESSION;
    }

    /** Whether this is at least as good as {@code other} on the primary metric. */
    public boolean atLeastAsGoodAs(Metrics other) {
        return lowerIsBetter() ? primary() <= other.primary() : primary() >= other.primary();
    }

    public String summary() {
        if (task == Task.REGRESSION) {
            return String.format(Locale.ROOT, "MAE %.4f  RMSE %.4f", mae, rmse);
        }
        return String.format(Locale.ROOT, "top-1 %.4f  top-%d %.4f", top1, k, topK);
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("predictions", n);
        if (task == Task.REGRESSION) {
            o.put("mae", round(mae));
            o.put("rmse", round(rmse));
        } else {
            o.put("top1_accuracy", round(top1));
            o.put("top_k_hit_rate", round(topK));
            o.put("k", k);
        }
        return o;
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Double.parseDouble(String.format(Locale.ROOT, "%.6g", v)) : v;
    }
}
