package dev.seqpredict.model.kernel;

import dev.seqpredict.model.LayerWeights;

/** Builds the layer kernels and the head's mat-vec for one implementation (scalar or Vector API). */
public interface KernelFactory {

    LayerKernel layer(LayerWeights weights);

    /**
     * y[yOff, yOff+rows) = W x[xOff, xOff+cols) + b for a row-major W of [rows, cols]. The map may also write
     * padding after the rows, up to {@link #matVecOutputFloats(int)} floats from yOff in all.
     */
    MatVec matVec(int rows, int cols, float[] weight, float[] bias);

    /** How many floats {@link MatVec#apply} writes from yOff for {@code rows} rows (≥ rows). */
    default int matVecOutputFloats(int rows) {
        return rows;
    }

    /** A short name for logs and benchmarks. */
    String name();

    /** The dense affine map of the linear head. */
    interface MatVec {
        void apply(float[] x, int xOff, float[] y, int yOff);
    }
}
