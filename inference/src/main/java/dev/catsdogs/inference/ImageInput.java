package dev.catsdogs.inference;

import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Objects;
import org.opencv.core.Mat;

/**
 * One image to classify with {@link ImageClassifier#classifyAll}: a file, encoded bytes, a Java
 * image or an OpenCV Mat, with the name that error messages use for it. Immutable apart from the
 * caller's own arrays and images, which are read, not copied: do not change them until the call
 * returns. A Mat is not released.
 */
public abstract sealed class ImageInput {

    private final String name;

    private ImageInput(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** An image file (JPEG, PNG or BMP), named by its path. */
    public static ImageInput of(Path file) {
        return new FileInput(file);
    }

    /** An encoded image (JPEG, PNG or BMP) in memory, e.g. an upload named by its file name. */
    public static ImageInput of(byte[] encoded, String name) {
        return new EncodedInput(encoded, name);
    }

    /** A decoded Java image of any type. */
    public static ImageInput of(BufferedImage image, String name) {
        return new JavaImageInput(image, name);
    }

    /**
     * A decoded OpenCV image: {@code CV_8UC1} gray, {@code CV_8UC3} BGR or {@code CV_8UC4} BGRA.
     */
    public static ImageInput of(Mat image, String name) {
        return new MatInput(image, name);
    }

    /** The file path or the caller's name: what an {@link InvalidImageException} names. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ImageInput[" + name + "]";
    }

    /** Writes the tensor at {@code dst.position()}, as {@link ImagePreprocessor} does. */
    abstract void writeTo(ImagePreprocessor preprocessor, FloatBuffer dst)
            throws InvalidImageException;

    /**
     * The image upright as a new 8-bit BGR Mat that the caller releases, decoded with the checks of
     * {@link ImagePreprocessor}: what {@link ImageClassifier#explain} draws on.
     */
    abstract Mat decodeWith(ImagePreprocessor preprocessor) throws InvalidImageException;

    private static final class FileInput extends ImageInput {
        private final Path file;

        FileInput(Path file) {
            super(Objects.requireNonNull(file, "file").toString());
            this.file = file;
        }

        @Override
        void writeTo(ImagePreprocessor preprocessor, FloatBuffer dst) throws InvalidImageException {
            preprocessor.preprocess(file, dst);
        }

        @Override
        Mat decodeWith(ImagePreprocessor preprocessor) throws InvalidImageException {
            return preprocessor.decode(file);
        }
    }

    private static final class EncodedInput extends ImageInput {
        private final byte[] encoded;

        EncodedInput(byte[] encoded, String name) {
            super(name);
            this.encoded = Objects.requireNonNull(encoded, "encoded");
        }

        @Override
        void writeTo(ImagePreprocessor preprocessor, FloatBuffer dst) throws InvalidImageException {
            preprocessor.preprocess(encoded, name(), dst);
        }

        @Override
        Mat decodeWith(ImagePreprocessor preprocessor) throws InvalidImageException {
            return preprocessor.decode(encoded, name());
        }
    }

    private static final class JavaImageInput extends ImageInput {
        private final BufferedImage image;

        JavaImageInput(BufferedImage image, String name) {
            super(name);
            this.image = Objects.requireNonNull(image, "image");
        }

        @Override
        void writeTo(ImagePreprocessor preprocessor, FloatBuffer dst) throws InvalidImageException {
            preprocessor.preprocess(image, name(), dst);
        }

        @Override
        Mat decodeWith(ImagePreprocessor preprocessor) throws InvalidImageException {
            Mat converted = new Mat();
            try {
                BufferedImageConverter.toMat(image, converted);
                return ImagePreprocessor.bgrCopy(converted, name());
            } finally {
                converted.release();
            }
        }
    }

    private static final class MatInput extends ImageInput {
        private final Mat image;

        MatInput(Mat image, String name) {
            super(name);
            this.image = Objects.requireNonNull(image, "image");
        }

        @Override
        void writeTo(ImagePreprocessor preprocessor, FloatBuffer dst) throws InvalidImageException {
            preprocessor.preprocess(image, name(), dst);
        }

        @Override
        Mat decodeWith(ImagePreprocessor preprocessor) throws InvalidImageException {
            return ImagePreprocessor.bgrCopy(image, name());
        }
    }
}
