package dev.seqpredict.lab;

import java.util.Random;

/**
 * The long-range task: "recall the marked value". A sequence has {@code lag + 1} steps; every step
 * carries a value v ~ U(-1, 1) and a marker bit that is 1 only at step 0. The target, read at the last step,
 * is v_0: the answer depends only on the input exactly {@code lag} steps back, and every step in between is
 * a distractor of the same distribution. Input size 2, output size 1.
 *
 * <p>Predicting the mean (0) gives MSE = Var(v) = 1/3; the lab reports the test MSE divided by that
 * (normalized MSE: 1 = nothing remembered, 0 = perfect recall).
 */
public final class RecallTask {

    public static final int INPUT = 2;
    public static final double TARGET_VARIANCE = 1.0 / 3.0;

    private RecallTask() {
    }

    /** n sequences: x is (n, steps, 2) row-major, y is (n). */
    public record Batch(float[] x, float[] y, int n, int steps) {
        /** Rows [from, from + count) as a batch of their own. */
        public Batch slice(int from, int count) {
            float[] xs = new float[count * steps * INPUT];
            System.arraycopy(x, from * steps * INPUT, xs, 0, xs.length);
            float[] ys = new float[count];
            System.arraycopy(y, from, ys, 0, count);
            return new Batch(xs, ys, count, steps);
        }
    }

    public static Batch generate(Random r, int n, int lag) {
        int steps = lag + 1;
        float[] x = new float[n * steps * INPUT];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) {
                int o = (i * steps + t) * INPUT;
                x[o] = r.nextFloat() * 2f - 1f;
                x[o + 1] = t == 0 ? 1f : 0f;
            }
            y[i] = x[i * steps * INPUT];
        }
        return new Batch(x, y, n, steps);
    }
}
