package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import java.util.Arrays;
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
 * One step of a log model's first layer over a vocabulary of event ids: the full mat-vec with the one-hot
 * vector ({@code dense}, what a step cost before {@link LayerKernel#stepOneHot}) against reading the
 * event's column ({@code oneHot}); the same result bit for bit ({@code OneHotStepTest}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class OneHotStepBenchmark {

    @Param({"lstm", "gru"})
    public String cell;

    @Param({"30", "300", "1000"})
    public int vocab;

    @Param({"64"})
    public int hidden;

    private LayerKernel kernel;
    private float[] state;
    private float[] scratch;
    private float[] x;
    private int t;

    @Setup
    public void setup() {
        CellType c = CellType.fromId(cell);
        kernel = VectorKernels.INSTANCE.layer(BenchModels.layers(c, vocab, hidden, 1, new SplittableRandom(3)).get(0));
        state = new float[2 * hidden];
        scratch = new float[kernel.scratchSize()];
        x = new float[vocab];
    }

    @Benchmark
    public float[] dense() {
        int e = (t++ * 7) % vocab;
        Arrays.fill(x, 0f);
        x[e] = 1f;
        kernel.step(x, 0, state, 0, hidden, scratch);
        return state;
    }

    @Benchmark
    public float[] oneHot() {
        kernel.stepOneHot((t++ * 7) % vocab, state, 0, hidden, scratch);
        return state;
    }
}
