package dev.catsdogs.inference.internal;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImagePreprocessor;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * Not API. Reaches the parts of {@link ImageClassifier} the benchmarks and the trainer need but
 * applications must not depend on. {@code ImageClassifier} registers its implementation when the
 * class initializes (the "shared secrets" pattern), so these stay off its public surface.
 */
public final class Internals {

    /** What {@code ImageClassifier} exposes to this package. */
    public interface ClassifierAccess {
        float[][] runRaw(ImageClassifier classifier, FloatBuffer nchw, int batch);

        ImagePreprocessor preprocessor(ImageClassifier classifier);
    }

    private static volatile ClassifierAccess access;

    private Internals() {}

    /**
     * Called once, by {@code ImageClassifier}'s static initializer.
     *
     * @throws IllegalStateException on a second call: nobody else may take over the hook
     */
    public static synchronized void register(ClassifierAccess classifierAccess) {
        if (access != null) {
            throw new IllegalStateException("ImageClassifier's access is already registered");
        }
        access = Objects.requireNonNull(classifierAccess, "classifierAccess");
    }

    /**
     * Runs the model on a prepared float32 NCHW tensor, for benchmarks and parity checks. Reads
     * {@code batch * 3 * H * W} floats from {@code nchw.position()} without moving it. A direct
     * buffer in native order ({@code
     * ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder()).asFloatBuffer()}) avoids a copy.
     *
     * @return the raw model outputs, {@code [batch][logitsPerImage]}
     * @throws IllegalStateException for a uint8 NHWC model, or after close
     * @throws IllegalArgumentException if the buffer does not hold exactly {@code batch} images
     */
    public static float[][] runRaw(ImageClassifier classifier, FloatBuffer nchw, int batch) {
        return access(classifier).runRaw(classifier, nchw, batch);
    }

    /**
     * The classifier's own preprocessor. It belongs to the classifier: do not close it, and do not
     * use it after the classifier is closed (it is closed with it).
     *
     * @throws IllegalStateException after the classifier is closed
     */
    public static ImagePreprocessor preprocessor(ImageClassifier classifier) {
        return access(classifier).preprocessor(classifier);
    }

    private static ClassifierAccess access(ImageClassifier classifier) {
        Objects.requireNonNull(classifier, "classifier");
        // An instance exists, so ImageClassifier is initialized and has registered.
        return access;
    }
}
