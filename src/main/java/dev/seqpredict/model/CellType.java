package dev.seqpredict.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The recurrent cells, named and laid out as PyTorch's {@code nn.RNN}, {@code nn.LSTM} and {@code nn.GRU}.
 * {@link #gates()} is how many H-row blocks the stacked weight matrices have, in PyTorch's gate order.
 */
public enum CellType {
    /** {@code nn.RNN(nonlinearity='tanh')}: h' = tanh(W_ih x + b_ih + W_hh h + b_hh). */
    RNN_TANH("rnn_tanh", 1),
    /** {@code nn.RNN(nonlinearity='relu')}: h' = relu(W_ih x + b_ih + W_hh h + b_hh). */
    RNN_RELU("rnn_relu", 1),
    /** {@code nn.LSTM}: gate blocks i, f, g, o; state h and c. */
    LSTM("lstm", 4),
    /** {@code nn.GRU}: gate blocks r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)). */
    GRU("gru", 3);

    private final String id;
    private final int gates;

    CellType(String id, int gates) {
        this.id = id;
        this.gates = gates;
    }

    /** The name used in the artifact and on the command line. */
    public String id() {
        return id;
    }

    public int gates() {
        return gates;
    }

    /** Whether the cell carries a cell state c beside h (only LSTM). */
    public boolean hasCellState() {
        return this == LSTM;
    }

    /** Parameters of one layer: gates * H * (input + H + 2), as PyTorch counts them. */
    public long parametersPerLayer(int inputSize, int hiddenSize) {
        return (long) gates * hiddenSize * ((long) inputSize + hiddenSize + 2);
    }

    public static CellType fromId(String id) {
        if (id != null) {
            String wanted = id.trim().toLowerCase(Locale.ROOT);
            for (CellType c : values()) {
                if (c.id.equals(wanted)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("unknown cell '" + id + "'; expected one of "
                + Arrays.stream(values()).map(CellType::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
