package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random models for the benchmarks, initialized like PyTorch (uniform ±1/√H). */
final class BenchModels {
    static final int INPUT = 8;

    private BenchModels() {
    }

    static List<LayerWeights> layers(CellType cell, int in, int hidden, int layers, SplittableRandom rnd) {
        float bound = (float) (1.0 / Math.sqrt(hidden));
        List<LayerWeights> ws = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int lin = l == 0 ? in : hidden;
            int rows = cell.gates() * hidden;
            ws.add(new LayerWeights(cell, lin, hidden, uniform(rnd, rows * lin, bound),
                    uniform(rnd, rows * hidden, bound), uniform(rnd, rows, bound), uniform(rnd, rows, bound)));
        }
        return ws;
    }

    static RecurrentModel model(CellType cell, int in, int hidden, int layers, KernelFactory kernels) {
        return model(cell, in, hidden, layers, 1, kernels);
    }

    /** With a head of {@code outputs} forecasts (the bench command's sensor model has 8). */
    static RecurrentModel model(CellType cell, int in, int hidden, int layers, int outputs, KernelFactory kernels) {
        SplittableRandom rnd = new SplittableRandom(1234);
        float bound = (float) (1.0 / Math.sqrt(hidden));
        return RecurrentModel.create(ModelSpec.of(cell, in, hidden, layers, Task.REGRESSION, outputs),
                        layers(cell, in, hidden, layers, rnd), uniform(rnd, outputs * hidden, bound),
                        uniform(rnd, outputs, bound), null)
                .withKernels(kernels);
    }

    static float[][] inputs(int n, int in) {
        SplittableRandom rnd = new SplittableRandom(99);
        float[][] xs = new float[n][];
        for (int i = 0; i < n; i++) {
            xs[i] = uniform(rnd, in, 1.5f);
        }
        return xs;
    }

    static float[] uniform(SplittableRandom rnd, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }
}
