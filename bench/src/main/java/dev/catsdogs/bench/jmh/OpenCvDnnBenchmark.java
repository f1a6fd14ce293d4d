package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.OpenCvDnnPeer;
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

/**
 * The OpenCV DNN peer: the same ONNX file through {@code Dnn.readNetFromONNX}, OpenCV's CPU
 * backend, on the same prepared tensor as {@link OrtBenchmark} (wrapped as a Mat, no {@code
 * blobFromImage}), OpenCV's threads pinned with {@code Core.setNumThreads}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OpenCvDnnBenchmark {

    @Param({"1", "32"})
    public int batch;

    @Param({"1"})
    public int threads;

    private OpenCvDnnPeer peer;
    private PreparedBatch input;

    @Setup
    public void setUp() throws ModelLoadException, InvalidImageException {
        try (ImageClassifier classifier = Fixtures.classifier(1)) {
            input = PreparedBatch.of(Internals.preprocessor(classifier), Fixtures.photos(), batch);
        }
        OpenCvDnnPeer.pinThreads(threads);
        peer = OpenCvDnnPeer.load(Fixtures.workspace().model());
    }

    @Benchmark
    public float[] forward() {
        return peer.run(input);
    }
}
