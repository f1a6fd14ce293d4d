package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.SamplePhotos;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.Prediction;
import java.util.List;
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
 * End to end through the public API, JPEG bytes in memory to label and probability, one caller
 * thread and one ONNX Runtime thread: batch 1 is {@code classify(byte[], name)} cycling through the
 * photos; a larger batch is one {@code classifyBatchBytes} call on that many photos.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EndToEndBenchmark {

    @Param({"1", "32"})
    public int batch;

    private ImageClassifier classifier;
    private SamplePhotos photos;
    private int next;

    @Setup
    public void setUp() throws ModelLoadException {
        classifier = Fixtures.classifier(1);
        photos = Fixtures.photos();
    }

    @TearDown
    public void tearDown() {
        classifier.close();
    }

    @Benchmark
    public List<Prediction> classify() throws InvalidImageException {
        if (batch == 1) {
            int i = next;
            next = (i + 1) % photos.size();
            return List.of(classifier.classify(photos.encoded().get(i), photos.names().get(i)));
        }
        SamplePhotos chosen = photos.first(Math.min(batch, photos.size()));
        return classifier.classifyBatchBytes(chosen.encoded(), chosen.names());
    }
}
