package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Models with random weights initialized like PyTorch: uniform(−1/√H, 1/√H) for every parameter. */
final class RandomModels {
    private RandomModels() {
    }

    static RecurrentModel regression(CellType cell, int in, int hidden, int layers, int out, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float bound = (float) (1.0 / Math.sqrt(hidden));
        List<LayerWeights> ws = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int lin = l == 0 ? in : hidden;
            int rows = cell.gates() * hidden;
            ws.add(new LayerWeights(cell, lin, hidden, uniform(rnd, rows * lin, bound),
                    uniform(rnd, rows * hidden, bound), uniform(rnd, rows, bound), uniform(rnd, rows, bound)));
        }
        return RecurrentModel.create(ModelSpec.of(cell, in, hidden, layers, Task.REGRESSION, out), ws,
                uniform(rnd, out * hidden, bound), uniform(rnd, out, bound), null);
    }

    static float[] uniform(SplittableRandom rnd, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }
}
