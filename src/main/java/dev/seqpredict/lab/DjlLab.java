package dev.seqpredict.lab;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.train.DjlNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The DJL side of the lab: trains one cell on {@link RecallTask} and measures ∂L/∂h_t.
 *
 * <p>Training uses DJL's fused recurrent blocks ({@link DjlNetwork}: the same network and initialization as
 * {@code seqpredict train}); the loss is the MSE of the head's output at the last step only.
 *
 * <p>The gradient probe does not use the fused block (it exposes no per-step state): it unrolls the cell
 * step by step in DJL NDArray ops, written from the gate equations with the trained (or initial) weights,
 * and adds to every step's new h (and, for the LSTM, c) a zero array that requires a gradient. Autograd then
 * gives ∂L/∂e_t = ∂L/∂h_t: the total derivative of the loss with respect to the hidden state after step t
 * (through every later step). The unrolled forward's output is checked
 * against our own {@code RecurrentModel} (tests).
 */
public final class DjlLab {

    private DjlLab() {
    }

    /** Weights of one single-layer network (what the probe and the step benchmark need). */
    public record Weights(CellType cell, LayerWeights layer, float[] headWeight, float[] headBias) {
    }

    /** The outcome of training one cell on one lag. */
    public record Trained(CellType cell, int lag, Weights initial, Weights trained, double testNmse,
                          double initialTestNmse, double[] epochNmse, double secondsPerEpoch, int updates,
                          long parameters) {
    }

    /** Per-step gradient norms: mean over the probe sequences of ‖∂L_i/∂h_t‖ (and ‖∂L_i/∂c_t‖ for LSTM). */
    public record Gradients(double[] h, double[] c, float[] predictions) {
    }

    public static Engine engine(long seed) {
        return DjlNetwork.engine(seed);
    }

    /**
     * Trains {@code cell} with hidden size {@code hidden} for {@code epochs} passes over {@code train}
     * (mini-batches of {@code batch}, shuffled by a seeded Random, Adam with learning rate {@code lr}, gradient
     * clipping at 1).
     */
    public static Trained train(CellType cell, int hidden, RecallTask.Batch train, RecallTask.Batch test,
                                int epochs, int batch, float lr, float gateBias, float inputGateBias,
                                long seed) {
        engine(seed);
        DjlNetwork net = new DjlNetwork(cell, RecallTask.INPUT, hidden, 1, 1, seed);
        try (Model model = Model.newInstance("lab", Device.cpu(), DjlNetwork.ENGINE)) {
            model.setBlock(net.block());
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optDevices(new Device[] {Device.cpu()})
                    .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(lr)).optClipGrad(1f).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, train.steps(), RecallTask.INPUT));
                addGateBias(net, gateBias, inputGateBias);
                Weights initial = weights(net);
                long params = 0;
                for (var p : net.block().getParameters()) {
                    params += p.getValue().getArray().size();
                }
                double initialNmse = nmse(trainer, net, test);
                int[] order = new int[train.n()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                Random shuffle = new Random(seed ^ 0x5DEECE66DL);
                double[] epochNmse = new double[epochs];
                long trainingNanos = 0;
                int updates = 0;
                int steps = train.steps();
                int in = RecallTask.INPUT;
                for (int e = 0; e < epochs; e++) {
                    long e0 = System.nanoTime();
                    for (int i = order.length - 1; i > 0; i--) {
                        int j = shuffle.nextInt(i + 1);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    for (int b = 0; b + batch <= order.length; b += batch) {
                        float[] x = new float[batch * steps * in];
                        float[] y = new float[batch];
                        for (int k = 0; k < batch; k++) {
                            int s = order[b + k];
                            System.arraycopy(train.x(), s * steps * in, x, k * steps * in, steps * in);
                            y[k] = train.y()[s];
                        }
                        try (NDManager sub = trainer.getManager().newSubManager()) {
                            NDArray xa = sub.create(x, new Shape(batch, steps, in));
                            NDArray ya = sub.create(y, new Shape(batch));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray out = trainer.forward(new NDList(xa)).singletonOrThrow();
                                NDArray last = out.get(":, -1, 0");
                                NDArray loss = last.sub(ya).square().mean();
                                gc.backward(loss);
                            }
                            trainer.step();
                            updates++;
                        }
                    }
                    trainingNanos += System.nanoTime() - e0;
                    epochNmse[e] = nmse(trainer, net, test);
                }
                return new Trained(cell, steps - 1, initial, weights(net), epochNmse[epochs - 1], initialNmse, epochNmse,
                        trainingNanos / 1e9 / epochs, updates, params);
            }
        }
    }

    /**
     * Adds {@code bias} to the input bias of the gate that decides how much of the old state is kept: the
     * LSTM's forget gate f (block 1 of i,f,g,o) and the GRU's update gate z (block 1 of r,z,n; h' = (1−z)⊙n + z⊙h).
     * 0 keeps PyTorch's initialization; 1 is the LSTM forget-gate bias of Gers et al. (2000) and Jozefowicz et
     * al. (2015), TensorFlow/Keras' default. {@code inputBias} is added to the LSTM's input gate i (block 0):
     * a negative value closes it, as the chrono initialization of Tallec &amp; Ollivier (2018) does (b_i = −b_f);
     * the GRU needs no such knob, its (1−z) already couples writing to forgetting. The vanilla RNN has no gate
     * and is left as is.
     */
    static void addGateBias(DjlNetwork net, float bias, float inputBias) {
        if ((bias == 0f && inputBias == 0f) || !(net.cell() == CellType.LSTM || net.cell() == CellType.GRU)) {
            return;
        }
        int hd = net.hiddenSize();
        for (var p : net.recurrent().getParameters()) {
            if (p.getKey().equals("l_0_i2h_BIAS")) {
                NDArray a = p.getValue().getArray();
                float[] v = a.toFloatArray();
                for (int j = hd; j < 2 * hd; j++) {
                    v[j] += bias;
                }
                if (net.cell() == CellType.LSTM) {
                    for (int j = 0; j < hd; j++) {
                        v[j] += inputBias;
                    }
                }
                a.set(v);
                return;
            }
        }
        throw new IllegalStateException("no l_0_i2h_BIAS parameter");
    }

    static Weights weights(DjlNetwork net) {
        return new Weights(net.cell(), net.layerWeights().get(0), net.headWeight(), net.headBias());
    }

    /** Test MSE at the last step divided by Var(target). */
    static double nmse(Trainer trainer, DjlNetwork net, RecallTask.Batch test) {
        try (NDManager sub = trainer.getManager().newSubManager()) {
            NDArray xa = sub.create(test.x(), new Shape(test.n(), test.steps(), RecallTask.INPUT));
            NDArray out = net.block().forward(new ParameterStore(sub, false), new NDList(xa), false).singletonOrThrow();
            float[] pred = out.get(":, -1, 0").toFloatArray();
            double se = 0;
            for (int i = 0; i < pred.length; i++) {
                double d = pred[i] - test.y()[i];
                se += d * d;
            }
            return se / pred.length / RecallTask.TARGET_VARIANCE;
        }
    }

    /**
     * ‖∂L_i/∂h_t‖ for t = 0 .. steps-1 (h_t = the state after consuming input t), L_i the squared error of
     * sequence i at the last step, averaged over the probe's sequences.
     */
    public static Gradients gradients(Weights w, RecallTask.Batch probe, long seed) {
        Engine engine = engine(seed);
        LayerWeights lw = w.layer();
        CellType cell = w.cell();
        int hd = lw.hiddenSize();
        int in = lw.inputSize();
        int n = probe.n();
        int steps = probe.steps();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), DjlNetwork.ENGINE)) {
            int g = cell.gates();
            NDArray wIh = m.create(lw.weightIh(), new Shape(g * hd, in)).transpose();
            NDArray wHh = m.create(lw.weightHh(), new Shape(g * hd, hd)).transpose();
            NDArray bIh = m.create(lw.biasIh(), new Shape(g * hd));
            NDArray bHh = m.create(lw.biasHh(), new Shape(g * hd));
            NDArray headW = m.create(w.headWeight(), new Shape(1, hd)).transpose();
            NDArray headB = m.create(w.headBias(), new Shape(1));
            NDArray x = m.create(probe.x(), new Shape(n, steps, in));
            NDArray y = m.create(probe.y(), new Shape(n, 1));
            List<NDArray> eh = new ArrayList<>();
            List<NDArray> ec = new ArrayList<>();
            float[] predictions;
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDArray h = m.zeros(new Shape(n, hd));
                NDArray c = m.zeros(new Shape(n, hd));
                for (int t = 0; t < steps; t++) {
                    NDArray xt = x.get(":, {}, :", t);
                    NDArray gi = xt.matMul(wIh).add(bIh);
                    NDArray gh = h.matMul(wHh).add(bHh);
                    switch (cell) {
                        case LSTM -> {
                            NDArray a = gi.add(gh);
                            NDArray i = Activation.sigmoid(a.get(":, {}:{}", 0, hd));
                            NDArray f = Activation.sigmoid(a.get(":, {}:{}", hd, 2 * hd));
                            NDArray gg = a.get(":, {}:{}", 2 * hd, 3 * hd).tanh();
                            NDArray o = Activation.sigmoid(a.get(":, {}:{}", 3 * hd, 4 * hd));
                            c = f.mul(c).add(i.mul(gg));
                            NDArray e2 = m.zeros(new Shape(n, hd));
                            e2.setRequiresGradient(true);
                            ec.add(e2);
                            c = c.add(e2);
                            h = o.mul(c.tanh());
                        }
                        case GRU -> {
                            NDArray r = Activation.sigmoid(gi.get(":, {}:{}", 0, hd).add(gh.get(":, {}:{}", 0, hd)));
                            NDArray z = Activation.sigmoid(gi.get(":, {}:{}", hd, 2 * hd).add(gh.get(":, {}:{}", hd, 2 * hd))
                                    );
                            NDArray nn = gi.get(":, {}:{}", 2 * hd, 3 * hd).add(r.mul(gh.get(":, {}:{}", 2 * hd, 3 * hd))).tanh();
                            h = z.neg().add(1f).mul(nn).add(z.mul(h));
                        }
                        case RNN_TANH -> h = gi.add(gh).tanh();
                        case RNN_RELU -> h = gi.add(gh).maximum(0f);
                    }
                    NDArray e = m.zeros(new Shape(n, hd));
                    e.setRequiresGradient(true);
                    eh.add(e);
                    h = h.add(e);
                }
                NDArray pred = h.matMul(headW).add(headB);
                NDArray loss = pred.sub(y).square().sum();
                predictions = pred.toFloatArray();
                gc.backward(loss);
            }
            double[] hn = norms(eh, n, hd);
            double[] cn = cell == CellType.LSTM ? norms(ec, n, hd) : null;
            return new Gradients(hn, cn, predictions);
        }
    }

    private static double[] norms(List<NDArray> leaves, int n, int hd) {
        double[] out = new double[leaves.size()];
        for (int t = 0; t < leaves.size(); t++) {
            float[] gr = leaves.get(t).getGradient().toFloatArray();
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < hd; j++) {
                    double v = gr[i * hd + j];
                    s += v * v;
                }
                sum += Math.sqrt(s);
            }
            out[t] = sum / n;
        }
        return out;
    }
}
