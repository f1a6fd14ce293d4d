package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.SamplePhotos;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Preprocessing alone: a real JPEG's bytes to the model's NCHW float tensor (decode, BGR to RGB,
 * scale, resize, planar layout), with the classifier's own preprocessor, into a direct native-order
 * buffer as the classifier uses. Cycles through {@value Fixtures#PHOTOS} photos.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PreprocessBenchmark {

    private ImagePreprocessor preprocessor;
    private SamplePhotos photos;
    private FloatBuffer tensor;
    private int next;

    @Setup
    public void setUp() throws ModelLoadException {
        try (ImageClassifier classifier = Fixtures.classifier(1)) {
            preprocessor = classifier.preprocessor(); // independent of the session; outlives it
        }
        photos = Fixtures.photos();
        tensor =
                ByteBuffer.allocateDirect(4 * preprocessor.tensorSize())
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
    }

    @Benchmark
    public FloatBuffer jpegToTensor() throws InvalidImageException {
        int i = next;
        next = (i + 1) % photos.size();
        tensor.clear();
        preprocessor.preprocess(photos.encoded().get(i), photos.names().get(i), tensor);
        return tensor;
    }
}
