package dev.catsdogs.trainer.data;

import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.inference.internal.Arguments;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Turns an image file into the model's input tensor. {@link BatchLoader} calls {@link #decode} from
 * several threads at once, so implementations must be thread-safe.
 *
 * <p>The inference module's preprocessing is adapted with method references:
 *
 * <pre>{@code
 * ImagePreprocessor pre = ...;
 * SampleDecoder decoder = SampleDecoder.of(pre);
 * }</pre>
 */
public interface SampleDecoder {

    /**
     * Writes exactly {@link #tensorSize()} floats for {@code file} at {@code dst.position()} and
     * advances the position by that much.
     *
     * @param file the image file
     * @param dst where the tensor goes
     * @throws Exception if the file cannot be read or decoded; {@link BatchLoader} then skips it
     */
    void decode(Path file, FloatBuffer dst) throws Exception;

    /** Floats per sample, e.g. {@code 3 * 160 * 160}. */
    int tensorSize();

    /**
     * Like {@link #decode(Path, FloatBuffer)}, with {@code draw} applied to the resized image
     * (training's augmentation). Decoders without a resize step do not augment.
     *
     * @throws UnsupportedOperationException if this decoder cannot augment
     */
    default void decode(Path file, AugmentationDraw draw, FloatBuffer dst) throws Exception {
        throw new UnsupportedOperationException(
                getClass().getName() + " cannot apply an augmentation");
    }

    /**
     * The decoder training uses: the inference module's preprocessing, so training and serving see
     * identical tensors. The preprocessor stays owned by the caller.
     */
    static SampleDecoder of(ImagePreprocessor preprocessor) {
        PreprocessingSpec spec = preprocessor.spec();
        // The value range of an 8-bit image after the spec's mapping: contrast clips to it.
        double low = Math.min(spec.offset(), 255.0 * spec.scale() + spec.offset());
        double high = Math.max(spec.offset(), 255.0 * spec.scale() + spec.offset());
        return new SampleDecoder() {
            @Override
            public void decode(Path file, FloatBuffer dst) throws Exception {
                preprocessor.preprocess(ImageInput.of(file), dst);
            }

            @Override
            public void decode(Path file, AugmentationDraw draw, FloatBuffer dst) throws Exception {
                if (draw.identity()) {
                    preprocessor.preprocess(ImageInput.of(file), dst);
                } else {
                    preprocessor.preprocess(
                            ImageInput.of(file),
                            (image, scratch) -> draw.apply(image, scratch, low, high),
                            dst);
                }
            }

            @Override
            public int tensorSize() {
                return preprocessor.tensorSize();
            }
        };
    }

    /**
     * A decoder from a tensor size and a decoding function (a lambda or method reference).
     *
     * @param tensorSize floats per sample, positive
     * @param decode the decoding function, thread-safe
     * @return the decoder
     */
    static SampleDecoder of(int tensorSize, DecodeFunction decode) {
        if (tensorSize < 1) {
            throw Arguments.received("tensorSize", tensorSize, ">= 1");
        }
        Objects.requireNonNull(decode, "decode");
        return new SampleDecoder() {
            @Override
            public void decode(Path file, FloatBuffer dst) throws Exception {
                decode.decode(file, dst);
            }

            @Override
            public int tensorSize() {
                return tensorSize;
            }
        };
    }

    /** The decoding half of a {@link SampleDecoder}, as a functional interface. */
    @FunctionalInterface
    interface DecodeFunction {
        /** See {@link SampleDecoder#decode}. */
        void decode(Path file, FloatBuffer dst) throws Exception;
    }
}
