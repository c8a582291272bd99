package dev.seqpredict.model;

/**
 * Where each part of a key's recurrent state lives in its flat {@code float[]}.
 *
 * <pre>
 *   [ h_0 | h_1 | … | h_{L-1} ]                       rnn_tanh, rnn_relu, gru  (L·H floats)
 *   [ h_0 | h_1 | … | h_{L-1} | c_0 | … | c_{L-1} ]   lstm                     (2·L·H floats)
 * </pre>
 * h_l and c_l are the layer-l hidden and cell state, H floats each, exactly PyTorch's {@code h_n[l]} and
 * {@code c_n[l]} for a batch of one. A new key starts from zeros, as PyTorch does without {@code h_0}.
 */
public record StateLayout(CellType cell, int hiddenSize, int numLayers) {

    public int size() {
        return (cell.hasCellState() ? 2 : 1) * numLayers * hiddenSize;
    }

    public int hOffset(int layer) {
        return layer * hiddenSize;
    }

    /** Offset of c_l; only meaningful for LSTM (otherwise -1). */
    public int cOffset(int layer) {
        return cell.hasCellState() ? (numLayers + layer) * hiddenSize : -1;
    }

    /** Offset of the top layer's h, the input of the head. */
    public int topHiddenOffset() {
        return hOffset(numLayers - 1);
    }
}
