package dev.seqpredict.bench;

import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.kernel.KernelFactory;
import dev.seqpredict.model.kernel.LayerKernel;

/**
 * The benchmark's IDENTITY model: kernels that do no math. A layer step copies its input into the first
 * entries of h and leaves the rest (and c) as they are; the head writes its bias (the artifact's own random
 * values), so the prediction has as many significant digits to print as a real one and the state is not
 * all zeros. Installed with {@code Kernels.overrideDefaultFactory} only inside the {@code bench} command, so
 * the real job runs with every per-event cost (parse, state read, checks, anomaly score, rewarm buffer,
 * state write, serialization, JSON, Kafka) except the recurrent math: the job's events/s with this model is
 * the ceiling the engine allows.
 */
public final class IdentityKernels implements KernelFactory {
    public static final IdentityKernels INSTANCE = new IdentityKernels();

    private IdentityKernels() {
    }

    @Override
    public LayerKernel layer(LayerWeights weights) {
        int n = Math.min(weights.inputSize(), weights.hiddenSize());
        return new LayerKernel() {
            @Override
            public void step(float[] x, int xOff, float[] state, int hOff, int cOff, float[] scratch) {
                System.arraycopy(x, xOff, state, hOff, n);
            }

            @Override
            public void stepOneHot(int index, float[] state, int hOff, int cOff, float[] scratch) {
                java.util.Arrays.fill(state, hOff, hOff + n, 0f); // the one-hot input, copied as step does
                if (index < n) {
                    state[hOff + index] = 1f;
                }
            }

            @Override
            public int scratchSize() {
                return 0;
            }
        };
    }

    @Override
    public MatVec matVec(int rows, int cols, float[] weight, float[] bias) {
        float[] b = bias.clone();
        return (x, xOff, y, yOff) -> System.arraycopy(b, 0, y, yOff, rows);
    }

    @Override
    public String name() {
        return "identity";
    }
}
