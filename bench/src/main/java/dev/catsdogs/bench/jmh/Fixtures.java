package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.Precision;
import dev.catsdogs.bench.SamplePhotos;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.internal.OpenCvLoader;
import java.nio.file.Path;
import org.opencv.core.Core;

/** What the benchmarks share: the workspace, the photos and how the classifier is built. */
final class Fixtures {

    /** Distinct photos per benchmark: enough for the largest batch. */
    static final int PHOTOS = 32;

    private Fixtures() {}

    static Workspace workspace() {
        return Workspace.fromSystemProperties();
    }

    static SamplePhotos photos() {
        return SamplePhotos.load(workspace().data(), PHOTOS);
    }

    /** The float model's classifier, see {@link #classifier(String, int)}. */
    static ImageClassifier classifier(int intraOpThreads) throws ModelLoadException {
        return classifier(Precision.FP32, intraOpThreads);
    }

    /**
     * The classifier under test on the model of {@code precision} with {@code intraOpThreads} ONNX
     * Runtime threads per run. OpenCV's own thread pool (used by the preprocessing's resize and
     * color conversion) is pinned to one thread, so a benchmark's thread count is what its table
     * row says.
     */
    static ImageClassifier classifier(String precision, int intraOpThreads)
            throws ModelLoadException {
        OpenCvLoader.ensureLoaded();
        Core.setNumThreads(1);
        return ImageClassifier.builder(model(precision)).optIntraOpThreads(intraOpThreads).build();
    }

    /**
     * The model file of {@code precision}.
     *
     * @throws IllegalStateException for int8 when the harness found no int8 model (it leaves those
     *     configurations out, so this is a harness bug or a hand-made JMH run)
     */
    static Path model(String precision) {
        Workspace ws = workspace();
        return switch (precision) {
            case Precision.FP32 -> ws.model();
            case Precision.INT8 -> {
                if (ws.int8Model() == null) {
                    throw new IllegalStateException(
                            "precision=int8 but no int8 model was given (--int8-model)");
                }
                yield ws.int8Model();
            }
            default ->
                    throw new IllegalArgumentException(
                            "precision=" + precision + "; expected one of fp32, int8");
        };
    }
}
