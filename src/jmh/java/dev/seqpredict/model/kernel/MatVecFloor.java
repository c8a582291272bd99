package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under {@link StepBenchmark}'s vector rows: only the gate mat-vec of every layer (the same
 * packed weights and loop as {@link VectorKernels}), no activations, no head, no state update.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class MatVecFloor {

    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;

    @Param({"32", "64", "128"})
    public int hidden;

    @Param({"1", "2"})
    public int layers;

    private VectorKernels.GateMatVec[] kernels;
    private float[] x;
    private float[] state;
    private float[] scratch;

    @Setup
    public void setup() {
        CellType c = CellType.fromId(cell);
        List<LayerWeights> ws = BenchModels.layers(c, BenchModels.INPUT, hidden, layers, new SplittableRandom(1234));
        kernels = new VectorKernels.GateMatVec[layers];
        int scratchSize = 0;
        for (int l = 0; l < layers; l++) {
            LayerKernel k = VectorKernels.INSTANCE.layer(ws.get(l));
            kernels[l] = (VectorKernels.GateMatVec) k;
            scratchSize = Math.max(scratchSize, k.scratchSize());
        }
        SplittableRandom rnd = new SplittableRandom(5);
        x = BenchModels.uniform(rnd, BenchModels.INPUT, 1f);
        state = BenchModels.uniform(rnd, layers * hidden, 0.5f);
        scratch = new float[scratchSize];
    }

    @Benchmark
    public float[] matVec() {
        kernels[0].matVec(x, 0, state, 0, scratch);
        for (int l = 1; l < kernels.length; l++) {
            kernels[l].matVec(state, (l - 1) * hidden, state, l * hidden, scratch);
        }
        return scratch;
    }
}
