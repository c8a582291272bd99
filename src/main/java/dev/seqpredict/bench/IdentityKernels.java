package dev.seqpredict.bench;

import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.kernel.KernelFactory;
import dev.seqpredict.model.kernel.LayerKernel;

/**
 * The benchmark's IDENTITY model: kernels that do no math. A layer step leaves h (and c) as they are, the
 * head copies the first outputs from h. Installed with {@code Kernels.overrideDefaultFactory} only inside
 * the {@code bench} command, so the real job runs with every per-event cost (parse, state read, checks,
 * anomaly score, rewarm buffer, state write, serialization, Kafka) except the recurrent math: the job's
 * events/s with this model is the ceiling the engine allows.
 */
public final class IdentityKernels implements KernelFactory {
    public static final IdentityKernels INSTANCE = new IdentityKernels();

    private IdentityKernels() {
    }

    @Override
    public LayerKernel layer(LayerWeights weights) {
        return new LayerKernel() {
            @Override
            public void step(float[] x, int xOff, float[] state, int hOff, int cOff, float[] scratch) {
                // no math: the state is read and written back by the engine unchanged
            }

            @Override
            public int scratchSize() {
                return 0;
            }
        };
    }

    @Override
    public MatVec matVec(int rows, int cols, float[] weight, float[] bias) {
        int n = Math.min(rows, cols);
        return (x, xOff, y, yOff) -> {
            System.arraycopy(x, xOff, y, yOff, n);
            for (int i = n; i < rows; i++) {
                y[yOff + i] = 0f;
            }
        };
    }

    @Override
    public String name() {
        return "identity";
    }
}
