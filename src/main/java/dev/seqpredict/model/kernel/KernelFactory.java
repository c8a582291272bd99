package dev.seqpredict.model.kernel;

import dev.seqpredict.model.LayerWeights;

/** Builds the layer kernels and the head's mat-vec for one implementation (scalar or Vector API). */
public interface KernelFactory {

    LayerKernel layer(LayerWeights weights);

    /** y[0, rows) = W x[xOff, xOff+cols) + b for a row-major W of [rows, cols]. */
    MatVec matVec(int rows, int cols, float[] weight, float[] bias);

    /** A short name for logs and benchmarks. */
    String name();

    /** The dense affine map of the linear head. */
    interface MatVec {
        void apply(float[] x, int xOff, float[] y, int yOff);
    }
}
