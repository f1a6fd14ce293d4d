package dev.catsdogs.bench.jmh;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.catsdogs.bench.DjlPeer;
import dev.catsdogs.bench.PreparedBatch;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.internal.Internals;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The DJL peer: DJL's {@link Predictor} on the PyTorch engine running the same trained network (see
 * {@link DjlPeer}) on the same prepared tensor as {@link OrtBenchmark}: input tensor creation, the
 * forward pass, the logits copied out. PyTorch's intra-op threads are pinned to {@code threads}
 * (inter-op threads to 1 by the harness, {@code -Dai.djl.pytorch.num_interop_threads=1}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DjlBenchmark {

    @Param({"1", "32"})
    public int batch;

    @Param({"1"})
    public int threads;

    private DjlPeer peer;
    private Predictor<PreparedBatch, float[]> predictor;
    private PreparedBatch input;

    @Setup
    public void setUp() throws IOException, ModelLoadException, InvalidImageException {
        int classes;
        int size;
        try (ImageClassifier classifier = Fixtures.classifier(1)) {
            // The classifier's preprocessor is closed with it: prepare the batch before that.
            ImagePreprocessor preprocessor = Internals.preprocessor(classifier);
            input = PreparedBatch.of(preprocessor, Fixtures.photos(), batch);
            size = preprocessor.spec().height();
            classes = classifier.metadata().classNames().size();
        }
        peer = DjlPeer.load(Fixtures.workspace(), size, classes);
        predictor = peer.newPredictor();
    }

    /** Thread count and grad mode are per thread in PyTorch: set them on the measuring thread. */
    @Setup(Level.Iteration)
    public void pinThreads() {
        DjlPeer.pinThreads(threads);
    }

    @TearDown
    public void tearDown() {
        predictor.close();
        peer.close();
    }

    @Benchmark
    public float[] predict() throws TranslateException {
        return predictor.predict(input);
    }
}
