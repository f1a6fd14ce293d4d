package dev.catsdogs.bench;

import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.internal.Arguments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A model input prepared once: {@code batch} photos preprocessed by the classifier's own {@link
 * ImagePreprocessor} into one float32 NCHW tensor in a direct, native-order buffer. Every
 * model-only benchmark (ONNX Runtime, DJL, OpenCV DNN) reads this same memory, so they compare
 * model runs on identical input; the byte and float views share it.
 *
 * @param bytes the tensor as bytes (for DJL and OpenCV, which take byte buffers without copying)
 * @param floats the tensor as floats (for ONNX Runtime)
 * @param batch number of images
 * @param height image height
 * @param width image width
 */
public record PreparedBatch(
        ByteBuffer bytes, FloatBuffer floats, int batch, int height, int width) {

    /**
     * Preprocesses {@code batch} photos (cycling through {@code photos} if it has fewer).
     *
     * @throws InvalidImageException if a photo cannot be decoded
     */
    public static PreparedBatch of(ImagePreprocessor preprocessor, SamplePhotos photos, int batch)
            throws InvalidImageException {
        if (batch < 1) {
            throw Arguments.received("batch", batch, ">= 1");
        }
        int perImage = preprocessor.tensorSize();
        ByteBuffer bytes =
                ByteBuffer.allocateDirect(Math.multiplyExact(4 * perImage, batch))
                        .order(ByteOrder.nativeOrder());
        FloatBuffer floats = bytes.asFloatBuffer();
        for (int i = 0; i < batch; i++) {
            int k = i % photos.size();
            floats.position(i * perImage);
            preprocessor.preprocess(
                    ImageInput.of(photos.encoded().get(k), photos.names().get(k)), floats);
        }
        floats.position(0);
        return new PreparedBatch(
                bytes, floats, batch, preprocessor.spec().height(), preprocessor.spec().width());
    }

    /** The NCHW shape, {@code [batch, 3, height, width]}. */
    public long[] shape() {
        return new long[] {batch, 3, height, width};
    }

    /** Floats per image, {@code 3 * height * width}. */
    public int imageSize() {
        return 3 * height * width;
    }
}
