package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.SamplePhotos;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.Prediction;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The server case: two caller threads share one classifier (one ONNX Runtime session, one intra-op
 * thread per run), each classifying JPEG bytes one at a time. JMH reports the two threads' summed
 * throughput; the one-caller figure is {@link EndToEndBenchmark} at batch 1, the same call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConcurrencyBenchmark {

    private ImageClassifier classifier;
    private SamplePhotos photos;

    /** Each caller's own position in the photos. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup
        public void setUp(ConcurrencyBenchmark shared) {
            next = shared.callerIndex() * 7; // callers start on different photos
        }
    }

    private int callers;

    @Setup
    public void setUp() throws ModelLoadException {
        classifier = Fixtures.classifier(1);
        photos = Fixtures.photos();
    }

    @TearDown
    public void tearDown() {
        classifier.close();
    }

    synchronized int callerIndex() {
        return callers++;
    }

    @Benchmark
    @Threads(2)
    public Prediction twoCallers(Cursor cursor) throws InvalidImageException {
        int i = cursor.next % photos.size();
        cursor.next = i + 1;
        return classifier.classify(photos.encoded().get(i), photos.names().get(i));
    }
}
