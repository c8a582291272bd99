package dev.seqpredict.model.kernel;

/** Scalar activations with the exact definitions PyTorch uses (computed in double, rounded once). */
public final class Activations {
    private Activations() {
    }

    public static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    public static float tanh(float x) {
        return (float) Math.tanh(x);
    }

    public static float relu(float x) {
        return x > 0f ? x : 0f;
    }
}
