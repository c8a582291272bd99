package dev.seqpredict.model.kernel;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * What the hardware allows a step, measured with the same JIT and vector species as the kernels: the
 * time to read {@code kib} KiB of floats once (weights of one LSTM 8→64 layer are 72 KiB, GRU 8→64 54 KiB)
 * with every load feeding an FMA (the mat-vec's pattern without its broadcasts), and the register-only
 * FMA rate ({@link #fmaPeak}: 1,024 FMAs of {@code L} lanes each on 8 independent chains, no memory).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class CacheFloor {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Param({"16", "54", "72"})
    public int kib;

    private float[] data;
    private float[] out;
    private float seed;

    @Setup
    public void setup() {
        data = new float[kib * 256];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 17) * 1e-3f;
        }
        out = new float[L];
        seed = 0.999f;
    }

    /** Reads the whole array once, one FMA per L-float load, 8 accumulators. */
    @Benchmark
    public float[] streamFma() {
        float[] d = data;
        FloatVector m = FloatVector.broadcast(S, seed);
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int p = 0; p + 8 * L <= d.length; p += 8 * L) {
            a0 = FloatVector.fromArray(S, d, p).fma(m, a0);
            a1 = FloatVector.fromArray(S, d, p + L).fma(m, a1);
            a2 = FloatVector.fromArray(S, d, p + 2 * L).fma(m, a2);
            a3 = FloatVector.fromArray(S, d, p + 3 * L).fma(m, a3);
            a4 = FloatVector.fromArray(S, d, p + 4 * L).fma(m, a4);
            a5 = FloatVector.fromArray(S, d, p + 5 * L).fma(m, a5);
            a6 = FloatVector.fromArray(S, d, p + 6 * L).fma(m, a6);
            a7 = FloatVector.fromArray(S, d, p + 7 * L).fma(m, a7);
        }
        a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).intoArray(out, 0);
        return out;
    }

    /** 1,024 L-lane FMAs on 8 independent chains from registers: flops = 2 · L · 1024 per op. */
    @Benchmark
    public float[] fmaPeak() {
        FloatVector m = FloatVector.broadcast(S, seed);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < 128; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
        }
        a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).intoArray(out, 0);
        return out;
    }
}
