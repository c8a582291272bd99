package dev.seqpredict.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.model.kernel.Kernels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench command's identity model: the override applies to models loaded afterwards and is undone by null. */
class IdentityKernelsTest {

    @Test
    void overrideMakesLoadedModelsSkipTheMathAndNullRestores() throws Exception {
        int h = 4;
        float[] w = new float[4 * h * 2];
        java.util.Arrays.fill(w, 0.1f);
        RecurrentModel m = RecurrentModel.create(ModelSpec.of(CellType.LSTM, 2, h, 1, Task.REGRESSION, 2),
                List.of(new LayerWeights(CellType.LSTM, 2, h, w, new float[4 * h * h], new float[4 * h], new float[4 * h])),
                new float[2 * h], new float[] {0.25f, -0.5f}, null);
        byte[] artifact = ModelArtifact.toBytes(m);
        try {
            Kernels.overrideDefaultFactory(IdentityKernels.INSTANCE);
            RecurrentModel identity = ModelArtifact.load(artifact);
            assertThat(identity.kernelName()).isEqualTo("identity");
            float[] state = identity.newState();
            float[] out = new float[2];
            identity.step(state, new float[] {1f, 2f}, out);
            float[] expected = new float[state.length];
            expected[0] = 1f; // h starts with the input, nothing else changes: no math
            expected[1] = 2f;
            assertThat(state).containsExactly(expected);
            assertThat(out).containsExactly(0.25f, -0.5f); // the head writes its bias
        } finally {
            Kernels.overrideDefaultFactory(null);
        }
        RecurrentModel real = ModelArtifact.load(artifact);
        assertThat(real.kernelName()).isNotEqualTo("identity");
        float[] state = real.newState();
        real.step(state, new float[] {1f, 2f}, new float[2]);
        assertThat(state).isNotEqualTo(new float[state.length]);
    }
}
