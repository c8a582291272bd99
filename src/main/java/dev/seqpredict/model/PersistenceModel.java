package dev.seqpredict.model;

import java.util.List;

/**
 * "No change": a model whose forecast is its input, exactly, for any number of features. A ReLU RNN with two
 * units per feature, h = (relu(x), relu(−x)), and a head h₂ᵢ − h₂ᵢ₊₁ = xᵢ; no normalization. The baseline a
 * forecaster must beat, and what serves a key before a trained model exists.
 */
public final class PersistenceModel {
    private PersistenceModel() {
    }

    public static RecurrentModel of(int features, String name, String version) {
        int h = 2 * features;
        float[] wih = new float[h * features];
        float[] head = new float[features * h];
        for (int i = 0; i < features; i++) {
            wih[(2 * i) * features + i] = 1;
            wih[(2 * i + 1) * features + i] = -1;
            head[i * h + 2 * i] = 1;
            head[i * h + 2 * i + 1] = -1;
        }
        LayerWeights w = new LayerWeights(CellType.RNN_RELU, features, h, wih, new float[h * h], new float[h], new float[h]);
        return RecurrentModel.create(ModelSpec.of(CellType.RNN_RELU, features, h, 1, Task.REGRESSION, features)
                .withName(name, version), List.of(w), head, new float[features], null);
    }
}
