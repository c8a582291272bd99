package dev.seqpredict.processor;

/**
 * Per key and feature, how far to trust the model's predicted change: the forecast is
 * {@code last + k · (model − last)}, with k the shrinkage in {@link #GRID} (0 = "no change", the last value;
 * 1 = the model as it is) whose exponentially weighted mean absolute error over the key's own recent events is
 * the least. An online, causal choice (each k is judged on errors of events before the one it forecasts), so a
 * model that stops beating the last value on a key degrades to it within ~1/alpha events, and a model that beats
 * it keeps its forecast. Before the first judged event k = 1; ties go to the smaller k.
 */
final class ForecastBlend {
    /** The shrinkage factors judged. */
    static final double[] GRID = {0, 0.25, 0.5, 0.75, 1};

    float[] last;   // the target values the last forecast started from
    float[] raw;    // the model's own forecast made then
    double[] err;   // width × GRID.length EW mean |actual − (last + k (raw − last))|
    long count;     // events judged

    ForecastBlend(int width) {
        last = new float[width];
        raw = new float[width];
        err = new double[width * GRID.length];
    }

    int width() {
        return last.length;
    }

    ForecastBlend copy() {
        ForecastBlend c = new ForecastBlend(width());
        c.last = last.clone();
        c.raw = raw.clone();
        c.err = err.clone();
        c.count = count;
        return c;
    }

    /** Folds in the event the last forecast was for ({@code actual}: its target values). */
    void observe(float[] actual, double alpha) {
        if (actual.length != width()) {
            return;
        }
        double a = Math.max(alpha, 1.0 / (count + 1)); // a plain mean until 1/alpha events
        int g = GRID.length;
        for (int i = 0; i < actual.length; i++) {
            double d = (double) raw[i] - last[i];
            double r = (double) actual[i] - last[i];
            for (int j = 0; j < g; j++) {
                err[i * g + j] += a * (Math.abs(r - GRID[j] * d) - err[i * g + j]);
            }
        }
        count++;
    }

    /**
     * Remembers the model's forecast {@code forecast} made at an event with target values {@code actual}, and
     * replaces it in place by the blended forecast.
     */
    void apply(float[] forecast, float[] actual) {
        System.arraycopy(actual, 0, last, 0, width());
        System.arraycopy(forecast, 0, raw, 0, width());
        for (int i = 0; i < width(); i++) {
            double k = shrinkage(i);
            forecast[i] = (float) (last[i] + k * ((double) raw[i] - last[i]));
        }
    }

    /** The factor the next forecast of feature i uses. */
    double shrinkage(int i) {
        if (count == 0) {
            return 1;
        }
        int g = GRID.length;
        int best = 0;
        for (int j = 1; j < g; j++) {
            if (err[i * g + j] < err[i * g + best]) {
                best = j;
            }
        }
        return GRID[best];
    }
}
