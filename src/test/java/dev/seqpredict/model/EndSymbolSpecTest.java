package dev.seqpredict.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.testing.EndSymbolModels;
import org.junit.jupiter.api.Test;

/** The end-of-session symbol is stored in and read from the spec; specs without it are written as before. */
class EndSymbolSpecTest {

    @Test
    void theEndSymbolSurvivesTheArtifact() throws Exception {
        RecurrentModel m = EndSymbolModels.abEnd(true);
        RecurrentModel back = ModelArtifact.load(ModelArtifact.toBytes(m));
        assertThat(back.spec().endSymbol()).isEqualTo("<end>");
        assertThat(back.endIndex()).isEqualTo(2);
        assertThat(back.spec().toJson()).contains("\"end_symbol\":\"<end>\"");
        // the end symbol is an output and an input, but not an event a record can carry
        assertThat(back.eventIndex("a")).isZero();
        assertThat(back.eventIndex("<end>")).isEqualTo(-1);
        assertThat(back.eventName(2)).isEqualTo("<end>");
    }

    @Test
    void aSpecWithoutItIsWrittenAndReadAsBefore() throws Exception {
        ModelSpec spec = ModelSpec.of(CellType.LSTM, 2, 4, 1, Task.CLASSIFICATION, 2)
                .withName("m", "3").withVocabulary(java.util.List.of("x", "y"), false);
        assertThat(spec.toJson()).isEqualTo("{\"cell\":\"lstm\",\"input_size\":2,\"hidden_size\":4,\"num_layers\":1,"
                + "\"task\":\"classification\",\"output_size\":2,\"name\":\"m\",\"version\":\"3\",\"vocabulary\":[\"x\",\"y\"]}");
        ModelSpec back = ModelSpec.fromJson(spec.toJson());
        assertThat(back.endSymbol()).isNull();
        assertThat(back.endIndex()).isEqualTo(-1);
        RecurrentModel old = EndSymbolModels.abEnd(false);
        RecurrentModel loaded = ModelArtifact.load(ModelArtifact.toBytes(old));
        assertThat(loaded.endIndex()).isEqualTo(-1);
        assertThat(loaded.eventIndex("<end>")).isEqualTo(2); // an ordinary vocabulary entry there
        assertThat(loaded.spec().toJson()).doesNotContain("end_symbol");
    }

    @Test
    void anEndSymbolOutsideTheVocabularyOrForRegressionIsRefused() {
        String json = "{\"cell\":\"lstm\",\"input_size\":2,\"hidden_size\":4,\"num_layers\":1,\"task\":\"classification\","
                + "\"output_size\":2,\"vocabulary\":[\"x\",\"y\"],\"end_symbol\":\"z\"}";
        assertThatThrownBy(() -> ModelSpec.fromJson(json)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("end_symbol 'z' is not an entry of the vocabulary");
        String reg = "{\"cell\":\"lstm\",\"input_size\":2,\"hidden_size\":4,\"num_layers\":1,\"task\":\"regression\","
                + "\"output_size\":2,\"end_symbol\":\"z\"}";
        assertThatThrownBy(() -> ModelSpec.fromJson(reg)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("end_symbol is only for classification");
    }
}
