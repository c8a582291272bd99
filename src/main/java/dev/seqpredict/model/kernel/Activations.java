package dev.seqpredict.model.kernel;

/**
 * The activations every kernel computes, one float at a time: the lane-exact twins of the Vector API
 * kernels' ({@link VectorKernels}) lane-wise functions, so that the scalar kernel and the vector kernels
 * of any width give the same floats bit for bit. Only IEEE-754 float operations whose result is fully
 * specified (add, multiply, divide, {@link Math#fma}, {@link Math#min}/{@link Math#max}): the same result
 * on every CPU and JVM.
 *
 * <p>tanh is a rational (13/6) minimax approximation with max absolute error ≈ 3e-7 over all floats
 * (Eigen's fast tanh); σ(a) = 0.5·tanh(a/2) + 0.5. The kernels pre-scale the weights and biases of the
 * sigmoid gates by 0.5 (exact in binary floating point) and apply {@link #sigmoidFromTanh} to the tanh of
 * the halved pre-activation.
 */
public final class Activations {
    private Activations() {
    }

    // Compile-time constants: javac copies them into VectorKernels, which reads no field of this class
    // (the agreement test loads VectorKernels a second time, in another class loader, per vector width).
    /** Beyond this |x| the approximation is ±1 to float precision (Eigen's fast tanh bound). */
    static final float CLAMP = 7.90531110763549805f;
    static final float A1 = 4.89352455891786e-03f;
    static final float A3 = 6.37261928875436e-04f;
    static final float A5 = 1.48572235717979e-05f;
    static final float A7 = 5.12229709037114e-08f;
    static final float A9 = -8.60467152213735e-11f;
    static final float A11 = 2.00018790482477e-13f;
    static final float A13 = -2.76076847742355e-16f;
    static final float B0 = 4.89352518554385e-03f;
    static final float B2 = 2.26843463243900e-03f;
    static final float B4 = 1.18534705686654e-04f;
    static final float B6 = 1.19825839466702e-06f;

    /** tanh(x), max abs error ≈ 3e-7; NaN stays NaN. The same operations as {@code VectorKernels.tanh}. */
    public static float tanh(float v) {
        float x = Math.min(CLAMP, Math.max(-CLAMP, v));
        float x2 = x * x;
        float p = Math.fma(x2, A13, A11);
        p = Math.fma(x2, p, A9);
        p = Math.fma(x2, p, A7);
        p = Math.fma(x2, p, A5);
        p = Math.fma(x2, p, A3);
        p = Math.fma(x2, p, A1);
        p = x * p;
        float q = Math.fma(x2, B6, B4);
        q = Math.fma(x2, q, B2);
        q = Math.fma(x2, q, B0);
        return p / q;
    }

    /** σ(a) from t = tanh(a/2): 0.5·t + 0.5, fused. */
    public static float sigmoidFromTanh(float t) {
        return Math.fma(t, 0.5f, 0.5f);
    }

    /** σ(x) = 0.5·tanh(x/2) + 0.5 (x/2 exact). */
    public static float sigmoid(float x) {
        return sigmoidFromTanh(tanh(0.5f * x));
    }

    /** max(x, 0) with {@link Math#max} semantics (NaN stays NaN, as in PyTorch and the vector lanes). */
    public static float relu(float x) {
        return Math.max(x, 0f);
    }
}
