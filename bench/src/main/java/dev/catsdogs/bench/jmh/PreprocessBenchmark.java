package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.SamplePhotos;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.PreprocessingSpec;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Preprocessing alone: a real JPEG's bytes to the model's NCHW float tensor (decode, scale, resize,
 * RGB planes), with the classifier's preprocessing, into a direct native-order buffer as the
 * classifier uses. Cycles through {@value Fixtures#PHOTOS} photos.
 *
 * <p>{@link #jpegToTensor} is what the classifier does for a model trained with the default scaled
 * JPEG decoding: libturbojpeg when installed, decoding at 1/2, 1/4 or 1/8 size. {@link
 * #jpegToTensorOpenCvDecoder} is the same tensor from OpenCV's bundled libjpeg. The {@code
 * FullDecode} pair decodes every pixel, as for models trained with {@code --full-jpeg-decode} or
 * before scaled decoding: a different tensor, the difference is the decode size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PreprocessBenchmark {

    private ImagePreprocessor preprocessor;
    private ImagePreprocessor openCvDecoder;
    private ImagePreprocessor fullDecode;
    private ImagePreprocessor openCvFullDecode;
    private SamplePhotos photos;
    private FloatBuffer tensor;
    private int next;

    @Setup
    public void setUp() throws ModelLoadException {
        PreprocessingSpec spec;
        try (ImageClassifier classifier = Fixtures.classifier(1)) {
            spec = classifier.metadata().preprocessingSpec();
        }
        // The classifier's own preprocessor closes with it; these are built the same way (same
        // spec, default pixel limit) and owned here.
        preprocessor = ImagePreprocessor.builder(spec).optFastJpegDecode(true).build();
        openCvDecoder =
                ImagePreprocessor.builder(spec).optFastJpegDecode(true).optTurboJpeg(false).build();
        fullDecode = ImagePreprocessor.builder(spec).optFastJpegDecode(false).build();
        openCvFullDecode =
                ImagePreprocessor.builder(spec)
                        .optFastJpegDecode(false)
                        .optTurboJpeg(false)
                        .build();
        photos = Fixtures.photos();
        tensor =
                ByteBuffer.allocateDirect(4 * preprocessor.tensorSize())
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
    }

    @TearDown
    public void tearDown() {
        preprocessor.close();
        openCvDecoder.close();
        fullDecode.close();
        openCvFullDecode.close();
    }

    @Benchmark
    public FloatBuffer jpegToTensor() throws InvalidImageException {
        return preprocessNext(preprocessor);
    }

    @Benchmark
    public FloatBuffer jpegToTensorOpenCvDecoder() throws InvalidImageException {
        return preprocessNext(openCvDecoder);
    }

    @Benchmark
    public FloatBuffer jpegToTensorFullDecode() throws InvalidImageException {
        return preprocessNext(fullDecode);
    }

    @Benchmark
    public FloatBuffer jpegToTensorOpenCvFullDecode() throws InvalidImageException {
        return preprocessNext(openCvFullDecode);
    }

    private FloatBuffer preprocessNext(ImagePreprocessor with) throws InvalidImageException {
        int i = next;
        next = (i + 1) % photos.size();
        tensor.clear();
        with.preprocess(ImageInput.of(photos.encoded().get(i), photos.names().get(i)), tensor);
        return tensor;
    }
}
