package dev.seqpredict.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spec's forecast fields: {@code target} (which inputs the output forecasts) and {@code residual}. */
class ResidualForecastSpecTest {

    private static final String BASE = "\"cell\":\"gru\",\"input_size\":5,\"hidden_size\":4,\"num_layers\":1,"
            + "\"task\":\"regression\"";

    @Test
    void residualAndTargetRoundTripThroughJsonAndTheArtifact() throws Exception {
        ModelSpec spec = ModelSpec.fromJson("{" + BASE + ",\"output_size\":3,\"target\":[4,0,2],\"residual\":true}");
        assertThat(spec.target()).containsExactly(4, 0, 2);
        assertThat(spec.residual()).isTrue();
        assertThat(spec.toJson()).contains("\"target\":[4,0,2]").contains("\"residual\":true")
                .doesNotContain("differenced");
        ModelSpec d = ModelSpec.fromJson("{" + BASE + ",\"output_size\":5,\"residual\":true,\"differenced\":true}");
        assertThat(d.differenced()).isTrue();
        assertThat(ModelSpec.fromJson(d.toJson())).isEqualTo(d);
        assertThat(ModelSpec.fromJson(spec.toJson())).isEqualTo(spec);

        RecurrentModel m = zeroModel(spec);
        RecurrentModel back = ModelArtifact.load(ModelArtifact.toBytes(m));
        assertThat(back.spec().target()).containsExactly(4, 0, 2);
        assertThat(back.spec().residual()).isTrue();
    }

    @Test
    void targetMayNameFeaturesAndIsStoredAsIndices() throws Exception {
        ModelSpec spec = ModelSpec.fromJson("{" + BASE + ",\"output_size\":2,"
                + "\"feature_names\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"target\":[\"c\",\"a\"]}");
        assertThat(spec.target()).containsExactly(2, 0);
        assertThat(spec.toJson()).contains("\"target\":[2,0]");
    }

    @Test
    void aSpecWithoutTheFieldsIsUnchanged() throws Exception {
        RecurrentModel old = TestModels.regression(1, CellType.LSTM, 3, 8, 2, "sensors", "7");
        String json = old.spec().toJson();
        assertThat(json).doesNotContain("target").doesNotContain("residual").doesNotContain("differenced");
        ModelSpec back = ModelSpec.fromJson(json);
        assertThat(back.target()).isEmpty();
        assertThat(back.residual()).isFalse();
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(back.targetIndices()).containsExactly(0, 1, 2);
        assertThat(ModelSpec.fromJson("{" + BASE + ",\"output_size\":3}").targetIndices()).isNull();
    }

    @Test
    void invalidForecastFieldsAreRejectedWithTheirReason() {
        assertThatThrownBy(() -> ModelSpec.fromJson("{" + BASE + ",\"output_size\":3,\"residual\":true}"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("residual output needs outputs that are inputs");
        assertThatThrownBy(() -> ModelSpec.fromJson("{" + BASE + ",\"output_size\":3,\"target\":[0,1]}"))
                .hasMessageContaining("target lists 2 features but output_size is 3");
        assertThatThrownBy(() -> ModelSpec.fromJson("{" + BASE + ",\"output_size\":2,\"target\":[0,5]}"))
                .hasMessageContaining("target feature 5 is not an input");
        assertThatThrownBy(() -> ModelSpec.fromJson("{" + BASE + ",\"output_size\":2,\"target\":[1,1]}"))
                .hasMessageContaining("lists a feature twice");
        assertThatThrownBy(() -> ModelSpec.fromJson("{" + BASE + ",\"output_size\":1,\"target\":[\"x\"]}"))
                .hasMessageContaining("target feature 'x' is not in feature_names");
        assertThatThrownBy(() -> ModelSpec.fromJson("{" + BASE + ",\"output_size\":5,\"differenced\":true}"))
                .hasMessageContaining("differenced input needs the residual output");
        assertThatThrownBy(() -> ModelSpec.fromJson("{" + BASE + ",\"output_size\":5,\"residual\":\"yes\"}"))
                .hasMessageContaining("'residual' must be true or false");
        assertThatThrownBy(() -> ModelSpec.fromJson("{\"cell\":\"gru\",\"input_size\":3,\"hidden_size\":4,\"num_layers\":1,"
                + "\"task\":\"classification\",\"output_size\":3,\"residual\":true}"))
                .hasMessageContaining("residual output is only for regression");
    }

    static RecurrentModel zeroModel(ModelSpec spec) {
        int h = spec.hiddenSize();
        int rows = spec.cell().gates() * h;
        LayerWeights l = new LayerWeights(spec.cell(), spec.inputSize(), h, new float[rows * spec.inputSize()],
                new float[rows * h], new float[rows], new float[rows]);
        return RecurrentModel.create(spec, List.of(l), new float[spec.outputSize() * h], new float[spec.outputSize()], null);
    }
}
