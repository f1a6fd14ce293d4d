package dev.catsdogs.bench.jmh;

import dev.catsdogs.bench.SamplePhotos;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.internal.OpenCvLoader;
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

    /**
     * The classifier under test with {@code intraOpThreads} ONNX Runtime threads per run. OpenCV's
     * own thread pool (used by the preprocessing's resize and color conversion) is pinned to one
     * thread, so a benchmark's thread count is what its table row says.
     */
    static ImageClassifier classifier(int intraOpThreads) throws ModelLoadException {
        OpenCvLoader.ensureLoaded();
        Core.setNumThreads(1);
        return ImageClassifier.builder(workspace().model())
                .optIntraOpThreads(intraOpThreads)
                .build();
    }
}
