package dev.catsdogs.bench.jmh;

import ai.onnxruntime.OrtException;
import dev.catsdogs.bench.PeakMatMul;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine's sustained FLOP rate: a {@code size x size} by {@code size x size} MatMul through
 * ONNX Runtime ({@link PeakMatMul}); FLOP/s = ops/s x {@code 2 size^3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PeakFlopsBenchmark {

    @Param({"1", "2"})
    public int intraOpThreads;

    @Param({"" + PeakMatMul.DEFAULT_SIZE})
    public int size;

    private PeakMatMul matMul;

    @Setup
    public void setUp() throws OrtException {
        matMul = PeakMatMul.create(size, intraOpThreads);
    }

    @TearDown
    public void tearDown() throws OrtException {
        matMul.close();
    }

    @Benchmark
    public float matmul() throws OrtException {
        return matMul.run();
    }
}
