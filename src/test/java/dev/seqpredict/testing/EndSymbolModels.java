package dev.seqpredict.testing;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.List;

/**
 * A hand-built classification model over the events "a", "b" and the end symbol "&lt;end&gt;" whose predictions
 * are known without running it: a one-layer tanh RNN with W_ih = 5·I and W_hh = 0, so h = tanh(5)·one-hot(last
 * input) and the head's column for the last input is the ranking of the next symbol:
 * <pre>
 *   after END (session start): a > b > END
 *   after a:                   b > a > END
 *   after b:                   END > a > b
 * </pre>
 * So "a b" is all rank 0 (end included); "a" ends where END has rank 2; "b" starts with rank 1.
 */
public final class EndSymbolModels {

    public static final List<String> VOCABULARY = List.of("a", "b", "<end>");

    private EndSymbolModels() {
    }

    /** The model with {@code end_symbol = "<end>"}, or (false) the same weights without an end symbol. */
    public static RecurrentModel abEnd(boolean withEndSymbol) {
        ModelSpec spec = ModelSpec.of(CellType.RNN_TANH, 3, 3, 1, Task.CLASSIFICATION, 3)
                .withName("ab", "1")
                .withVocabulary(VOCABULARY, false);
        if (withEndSymbol) {
            spec = spec.withEndSymbol("<end>");
        }
        float[] wih = {5, 0, 0, 0, 5, 0, 0, 0, 5};
        LayerWeights layer = new LayerWeights(CellType.RNN_TANH, 3, 3, wih, new float[9], new float[3], new float[3]);
        // head[j][i]: logit of next symbol j when the last input was i (columns: a, b, END)
        float[] head = {
            1, 1, 2,   // a
            2, 0, 1,   // b
            0, 2, 0};  // END
        return RecurrentModel.create(spec, List.of(layer), head, new float[3], null);
    }
}
