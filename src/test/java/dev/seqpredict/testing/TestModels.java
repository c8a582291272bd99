package dev.seqpredict.testing;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.Normalization;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/** Models with random weights (PyTorch's init: uniform ±1/√H), for tests. */
public final class TestModels {
    private TestModels() {
    }

    public static float[] uniform(Random r, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (r.nextFloat() * 2 - 1) * bound;
        }
        return a;
    }

    public static List<LayerWeights> layers(Random r, CellType cell, int input, int hidden, int numLayers) {
        float k = (float) (1 / Math.sqrt(hidden));
        int rows = cell.gates() * hidden;
        List<LayerWeights> ls = new ArrayList<>();
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? input : hidden;
            ls.add(new LayerWeights(cell, in, hidden, uniform(r, rows * in, k), uniform(r, rows * hidden, k),
                    uniform(r, rows, k), uniform(r, rows, k)));
        }
        return ls;
    }

    /** A regression model forecasting its own {@code input} features, with a normalization. */
    public static RecurrentModel regression(long seed, CellType cell, int input, int hidden, int numLayers,
                                            String name, String version) {
        Random r = new Random(seed);
        float k = (float) (1 / Math.sqrt(hidden));
        float[] mean = new float[input];
        float[] std = new float[input];
        for (int i = 0; i < input; i++) {
            mean[i] = 10f * i;
            std[i] = 1f + i;
        }
        Normalization norm = new Normalization(mean, std);
        ModelSpec spec = ModelSpec.of(cell, input, hidden, numLayers, Task.REGRESSION, input)
                .withName(name, version).withNormalization(norm, null);
        return RecurrentModel.create(spec, layers(r, cell, input, hidden, numLayers),
                uniform(r, input * hidden, k), uniform(r, input, k), null);
    }

    /** A classification model over a vocabulary of event names "1".."vocab" (one-hot input). */
    public static RecurrentModel classification(long seed, CellType cell, int vocab, int hidden, int numLayers,
                                                String name, String version) {
        Random r = new Random(seed);
        float k = (float) (1 / Math.sqrt(hidden));
        List<String> names = IntStream.rangeClosed(1, vocab).mapToObj(Integer::toString).toList();
        ModelSpec spec = ModelSpec.of(cell, vocab, hidden, numLayers, Task.CLASSIFICATION, vocab)
                .withName(name, version).withVocabulary(names, false);
        return RecurrentModel.create(spec, layers(r, cell, vocab, hidden, numLayers),
                uniform(r, vocab * hidden, k * 4), uniform(r, vocab, k), null);
    }

    public static byte[] bytes(RecurrentModel m) {
        return ModelArtifact.toBytes(m);
    }
}
