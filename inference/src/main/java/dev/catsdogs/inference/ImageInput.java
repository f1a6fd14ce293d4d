package dev.catsdogs.inference;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import org.opencv.core.Mat;

/**
 * One image for {@link ImagePreprocessor#preprocess(ImageInput, java.nio.FloatBuffer)} or {@link
 * ImageClassifier#classifyAll}: a file, encoded bytes, a Java image or an OpenCV Mat, with the name
 * that error messages use for it. Immutable apart from the caller's own arrays, buffers and images,
 * which are read, not copied: do not change them until the call returns. A Mat is not released.
 *
 * <p>Each kind only supplies its pixels, encoded or decoded; the preprocessor does everything after
 * (header checks, decoding, orientation, resize, scaling) the same way for all of them.
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
        return new EncodedInput(ByteBuffer.wrap(Objects.requireNonNull(encoded, "encoded")), name);
    }

    /**
     * An encoded image (JPEG, PNG or BMP): the bytes from {@code encoded.position()} to its limit
     * as they are now. The buffer's position is not changed. A direct buffer is decoded in place,
     * with no copy.
     */
    public static ImageInput of(ByteBuffer encoded, String name) {
        return new EncodedInput(Objects.requireNonNull(encoded, "encoded").slice(), name);
    }

    /** A decoded Java image of any type; alpha is dropped, gray is replicated to RGB. */
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

    /**
     * This input's pixels, loaded with {@code loader} (the preprocessor's buffers for one call).
     */
    abstract Pixels pixels(Loader loader) throws InvalidImageException;

    /**
     * What an input loads its pixels with: the preprocessor's checked file reading and one call's
     * reusable buffers, valid until that call ends.
     */
    interface Loader {
        /**
         * The whole file in a direct buffer at position 0, read only if it is a regular file within
         * the preprocessor's size limit.
         */
        ByteBuffer readFile(Path file, String name) throws InvalidImageException;

        /**
         * {@code encoded}'s remaining bytes in a direct buffer at position 0: a view of it when it
         * is direct, else a copy. {@code encoded}'s position is not changed.
         */
        ByteBuffer direct(ByteBuffer encoded);

        /** {@code image} as an 8-bit gray or BGR Mat owned by the loader. */
        Mat toMat(BufferedImage image);
    }

    /**
     * An input's pixels: either {@code encoded}, the whole encoded image in a direct buffer at
     * position 0, or {@code decoded}, an 8-bit gray, BGR or BGRA image; the other is null.
     */
    record Pixels(ByteBuffer encoded, Mat decoded) {
        static Pixels ofEncoded(ByteBuffer encoded) {
            return new Pixels(encoded, null);
        }

        static Pixels ofDecoded(Mat decoded) {
            return new Pixels(null, decoded);
        }
    }

    private static final class FileInput extends ImageInput {
        private final Path file;

        FileInput(Path file) {
            super(Objects.requireNonNull(file, "file").toString());
            this.file = file;
        }

        @Override
        Pixels pixels(Loader loader) throws InvalidImageException {
            return Pixels.ofEncoded(loader.readFile(file, name()));
        }
    }

    private static final class EncodedInput extends ImageInput {
        private final ByteBuffer encoded; // position 0; shared, so only read through views

        EncodedInput(ByteBuffer encoded, String name) {
            super(name);
            this.encoded = encoded;
        }

        @Override
        Pixels pixels(Loader loader) {
            return Pixels.ofEncoded(loader.direct(encoded));
        }
    }

    private static final class JavaImageInput extends ImageInput {
        private final BufferedImage image;

        JavaImageInput(BufferedImage image, String name) {
            super(name);
            this.image = Objects.requireNonNull(image, "image");
        }

        @Override
        Pixels pixels(Loader loader) {
            return Pixels.ofDecoded(loader.toMat(image));
        }
    }

    private static final class MatInput extends ImageInput {
        private final Mat image;

        MatInput(Mat image, String name) {
            super(name);
            this.image = Objects.requireNonNull(image, "image");
        }

        @Override
        Pixels pixels(Loader loader) {
            return Pixels.ofDecoded(image);
        }
    }
}
