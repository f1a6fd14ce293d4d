package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.Precision;
import dev.catsdogs.bench.SamplePhotos;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import java.util.ArrayList;
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
 * thread and {@code intraOpThreads} ONNX Runtime threads: batch 1 is {@code classify(byte[], name)}
 * cycling through the photos; a larger batch is one {@code classifyAll} call on that many photos'
 * bytes. {@code precision} picks the float model or its int8 export.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EndToEndBenchmark {

    @Param({"1", "32"})
    public int batch;

    @Param({"1", "2"})
    public int intraOpThreads;

    @Param({Precision.FP32, Precision.INT8})
    public String precision;

    private ImageClassifier classifier;
    private SamplePhotos photos;
    private List<ImageInput> inputs;
    private int next;

    @Setup
    public void setUp() throws ModelLoadException {
        classifier = Fixtures.classifier(precision, intraOpThreads);
        photos = Fixtures.photos();
        SamplePhotos chosen = photos.first(Math.min(batch, photos.size()));
        List<ImageInput> all = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            all.add(ImageInput.of(chosen.encoded().get(i), chosen.names().get(i)));
        }
        inputs = List.copyOf(all);
    }

    @TearDown
    public void tearDown() {
        classifier.close();
    }

    @Benchmark
    public Object classify() throws InvalidImageException {
        if (batch == 1) {
            int i = next;
            next = (i + 1) % photos.size();
            return classifier.classify(photos.encoded().get(i), photos.names().get(i));
        }
        return classifier.classifyAll(inputs);
    }
}
