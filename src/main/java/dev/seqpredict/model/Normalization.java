package dev.seqpredict.model;

import java.util.Arrays;

/**
 * Per-feature standardization: the model sees (x - mean) / std. Immutable; the arrays are copied in
 * and never handed out.
 */
public final class Normalization {
    private final float[] mean;
    private final float[] std;

    public Normalization(float[] mean, float[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("normalization: mean has " + mean.length
                    + " entries but std has " + std.length);
        }
        for (int i = 0; i < mean.length; i++) {
            if (!Float.isFinite(mean[i]) || !Float.isFinite(std[i]) || std[i] <= 0f) {
                throw new IllegalArgumentException("normalization: feature " + i
                        + " needs a finite mean and a finite std > 0, got mean=" + mean[i] + " std=" + std[i]);
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public static Normalization identity(int size) {
        float[] ones = new float[size];
        Arrays.fill(ones, 1f);
        return new Normalization(new float[size], ones);
    }

    public int size() {
        return mean.length;
    }

    public float mean(int i) {
        return mean[i];
    }

    public float std(int i) {
        return std[i];
    }

    public float[] meanCopy() {
        return mean.clone();
    }

    public float[] stdCopy() {
        return std.clone();
    }

    /** out[i] = (in[i] - mean[i]) / std[i] */
    public void normalize(float[] in, int inOff, float[] out, int outOff) {
        for (int i = 0; i < mean.length; i++) {
            out[outOff + i] = (in[inOff + i] - mean[i]) / std[i];
        }
    }

    /** v[i] = v[i] * std[i] + mean[i], in place */
    public void denormalize(float[] v, int off) {
        for (int i = 0; i < mean.length; i++) {
            v[off + i] = v[off + i] * std[i] + mean[i];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }
}
