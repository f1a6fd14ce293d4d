package dev.catsdogs.inference;

import dev.catsdogs.inference.internal.Arguments;
import java.util.Objects;

/**
 * Immutable preprocessing settings: output size, the affine map {@code x * scale + offset} applied
 * to 0..255 pixel values, and the tensor layout. Normally read from the model via {@link
 * ModelMetadata#preprocessingSpec()}.
 *
 * @param height output height in pixels, 1..{@value #MAX_SIDE}
 * @param width output width in pixels, 1..{@value #MAX_SIDE}
 * @param scale multiplier for 0..255 pixel values (finite)
 * @param offset added after scaling (finite)
 * @param layout order of the float values written per image
 */
public record PreprocessingSpec(int height, int width, float scale, float offset, Layout layout) {

    /**
     * Largest accepted output side; far above any classifier input, small enough to avoid overflow.
     */
    public static final int MAX_SIDE = 8192;

    /** Order of the values of one image in the tensor. */
    public enum Layout {
        /** Channel planes: R plane, then G, then B ({@code [3][H][W]}); PyTorch/ONNX convention. */
        NCHW,
        /** Interleaved pixels: R,G,B per pixel ({@code [H][W][3]}); TensorFlow convention. */
        NHWC
    }

    public PreprocessingSpec {
        if (height < 1 || height > MAX_SIDE) {
            throw Arguments.received("height", height, "1.." + MAX_SIDE);
        }
        if (width < 1 || width > MAX_SIDE) {
            throw Arguments.received("width", width, "1.." + MAX_SIDE);
        }
        if (!Float.isFinite(scale)) {
            throw Arguments.received("scale", scale, "a finite number");
        }
        if (!Float.isFinite(offset)) {
            throw Arguments.received("offset", offset, "a finite number");
        }
        Objects.requireNonNull(layout, "layout");
    }

    /**
     * MobileNetV2's preprocessing ({@code tf.keras.applications.mobilenet_v2.preprocess_input}):
     * {@code size x size}, {@code x / 127.5 - 1} into [-1, 1], NCHW.
     */
    public static PreprocessingSpec mobileNetV2(int size) {
        return new PreprocessingSpec(size, size, 1f / 127.5f, -1f, Layout.NCHW);
    }

    /** Floats per image: {@code 3 * height * width}. */
    public int tensorSize() {
        return 3 * height * width;
    }
}
