package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.Precision;
import dev.catsdogs.bench.PreparedBatch;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.internal.Internals;
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
 * ONNX Runtime alone on a prepared tensor, through the classifier's internal {@code runRaw}: tensor
 * creation over the direct buffer (no copy), the session run, the logits copied out, tensor and
 * result closed. {@code precision} picks the float model or its int8 export.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OrtBenchmark {

    @Param({"1", "8", "32"})
    public int batch;

    @Param({"1", "2"})
    public int intraOpThreads;

    @Param({Precision.FP32, Precision.INT8})
    public String precision;

    private ImageClassifier classifier;
    private PreparedBatch input;

    @Setup
    public void setUp() throws ModelLoadException, InvalidImageException {
        classifier = Fixtures.classifier(precision, intraOpThreads);
        input = PreparedBatch.of(Internals.preprocessor(classifier), Fixtures.photos(), batch);
    }

    @TearDown
    public void tearDown() {
        classifier.close();
    }

    @Benchmark
    public float[][] runRaw() {
        return Internals.runRaw(classifier, input.floats(), batch);
    }
}
