package dev.seqpredict.model;

/**
 * One recurrent layer's parameters in PyTorch's layout: {@code weight_ih} is [gates*H, in] and
 * {@code weight_hh} is [gates*H, H], both row-major, with the gate blocks stacked in PyTorch's order
 * (LSTM i,f,g,o; GRU r,z,n); {@code bias_ih} and {@code bias_hh} are [gates*H] each.
 */
public record LayerWeights(CellType cell, int inputSize, int hiddenSize,
                           float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh) {

    public LayerWeights {
        int rows = cell.gates() * hiddenSize;
        check("weight_ih", weightIh, (long) rows * inputSize);
        check("weight_hh", weightHh, (long) rows * hiddenSize);
        check("bias_ih", biasIh, rows);
        check("bias_hh", biasHh, rows);
    }

    private static void check(String what, float[] a, long expected) {
        if (a.length != expected) {
            throw new IllegalArgumentException(what + " has " + a.length + " values, expected " + expected);
        }
    }

    public int rows() {
        return cell.gates() * hiddenSize;
    }
}
