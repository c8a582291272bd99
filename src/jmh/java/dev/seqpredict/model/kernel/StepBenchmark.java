package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
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
 * One {@link RecurrentModel#step} (normalization copy, all layers, head) of one key, recurrent: the state
 * carries over between invocations, the input cycles through 64 random vectors. Input size 8.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class StepBenchmark {

    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;

    @Param({"32", "64", "128"})
    public int hidden;

    @Param({"1", "2"})
    public int layers;

    @Param({"vector", "scalar"})
    public String kernel;

    private RecurrentModel model;
    private float[] state;
    private float[][] inputs;
    private float[] out;
    private int t;

    @Setup
    public void setup() {
        KernelFactory k = switch (kernel) {
            case "vector" -> Kernels.vector().orElseThrow(
                    () -> new IllegalStateException("start the fork with --add-modules jdk.incubator.vector"));
            case "scalar" -> ScalarKernels.INSTANCE;
            default -> throw new IllegalArgumentException(kernel);
        };
        model = BenchModels.model(CellType.fromId(cell), BenchModels.INPUT, hidden, layers, k);
        state = model.newState();
        inputs = BenchModels.inputs(64, BenchModels.INPUT);
        out = new float[model.outputSize()];
    }

    @Benchmark
    public float[] step() {
        model.step(state, inputs[t++ & 63], out);
        return out;
    }
}
