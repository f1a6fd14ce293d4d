package dev.catsdogs.inference;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.JnaLoader;
import dev.catsdogs.inference.internal.OpenCvLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Turns an image into the model's input tensor. The only preprocessing implementation in the
 * project: the trainer and the classifier both use it, so training and serving see identical
 * values. One entry point, {@link #preprocess(ImageInput, FloatBuffer)}, for every kind of input (a
 * file, encoded bytes, a Java image, an OpenCV Mat): the input supplies its encoded or decoded
 * pixels and every step after is the same.
 *
 * <p>Steps: check the header (JPEG, PNG or BMP only; size within {@link #maxPixels()} and OpenCV's
 * limits; not truncated; enough JPEG scan data for the declared size), decode with OpenCV ({@code
 * IMREAD_COLOR}: gray becomes 3 channels, alpha is dropped, EXIF orientation is applied; a JPEG is
 * decoded straight at 1/8, 1/4 or 1/2 size when that still covers the output, see {@link
 * Builder#optFastJpegDecode}), map each value to {@code x * scale + offset}, resize to {@code
 * height x width} with bilinear interpolation and half-pixel centres (OpenCV {@code INTER_LINEAR},
 * the same as {@code tf.image.resize(antialias=False)}; the aspect ratio is not kept), apply the
 * caller's {@link ResizedImageTransform} if any (training's augmentation), then write float32
 * values in RGB order and the spec's layout. JPEG files are decoded by the system's libturbojpeg
 * when it is installed, then turned upright as OpenCV would: the same pixels, faster (see {@link
 * #jpegDecoder()}).
 *
 * <p>Failures: every problem with one input, including an exception from OpenCV, is that input's
 * {@link InvalidImageException}. Files are read only when they are regular files of at most {@link
 * #maxFileBytes()}. Damaged JPEG scan data that libjpeg reports with a warning is refused on the
 * libturbojpeg path; OpenCV's decoder ignores those warnings, so without libturbojpeg (and for CMYK
 * JPEGs or ones with an unreadable EXIF block) only the header checks stand between damaged data
 * and a tensor.
 *
 * <p>Thread-safe. Each call borrows a scratch set (Mats, float arrays, a TurboJPEG handle) from a
 * pool this preprocessor owns and gives it back, so the hot path allocates no buffers when
 * consecutive images have the same size. At most one set per core is kept idle; more concurrent
 * callers get extra sets that are released when they are given back. Every per-call Mat is released
 * before the call returns. A direct, native-order {@code dst} is written in place, channel by
 * channel.
 *
 * <p>Ownership: {@link #close()} releases every pooled scratch set (native Mats, TurboJPEG handles)
 * at once instead of leaving them to the garbage collector; a set still in use by a call is
 * released when that call ends. Idempotent; any call after close throws {@link
 * IllegalStateException}. A classifier's preprocessor is closed by the classifier.
 */
public final class ImagePreprocessor implements AutoCloseable {

    /** Default decompression-bomb limit: 50 megapixels (a 8660x5773 photo). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    // Encoded files up to this size keep their per-thread read buffer; bigger ones get a one-off
    // one.
    private static final int RETAINED_ENCODED_BYTES = 16 << 20;
    // Images up to this many pixels keep their full-size scratch Mats for the next image; bigger
    // ones free them (a 12 MP photo's float copy alone is 144 MB).
    private static final long RETAINED_SCRATCH_PIXELS = 4_000_000L;
    private static final long MAX_ENCODED_BYTES = Integer.MAX_VALUE - 8;
    // Files that report size 0 (as under /proc) are read in chunks starting at this size.
    private static final int UNKNOWN_SIZE_CHUNK = 64 << 10;

    // Where red, green and blue are in a decoded image's channels.
    private static final int[] RGB = {0, 1, 2};
    private static final int[] BGR = {2, 1, 0};
    private static final int[] GRAY = {0, 0, 0};

    // Whether JNA can give the address of a direct buffer, so OpenCV can write planes into it.
    private static final boolean DIRECT_WRITES = jnaWorks();

    private final PreprocessingSpec spec;
    private final long maxPixels;
    private final long maxFileBytes;
    private final boolean useTurboJpeg;
    private final boolean fastJpegDecode;
    private final ScratchPool<Scratch> scratch;

    /**
     * A preprocessor with the defaults: pixel limit {@value #DEFAULT_MAX_PIXELS}, scaled JPEG
     * decoding (as new models are trained), libturbojpeg when installed.
     */
    public ImagePreprocessor(PreprocessingSpec spec) {
        this(spec, DEFAULT_MAX_PIXELS, true, true);
    }

    private ImagePreprocessor(
            PreprocessingSpec spec, long maxPixels, boolean useTurboJpeg, boolean fastJpegDecode) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.maxPixels = maxPixels;
        this.maxFileBytes = maxFileBytes(maxPixels);
        this.useTurboJpeg = useTurboJpeg;
        this.fastJpegDecode = fastJpegDecode;
        OpenCvLoader.ensureLoaded();
        this.scratch =
                new ScratchPool<>(
                        "ImagePreprocessor",
                        Runtime.getRuntime().availableProcessors(),
                        () -> new Scratch(spec.tensorSize(), useTurboJpeg),
                        Scratch::release);
    }

    /** Starts a builder for non-default options such as the pixel limit. */
    public static Builder builder(PreprocessingSpec spec) {
        return new Builder(spec);
    }

    /** Builder: the spec is required, everything else is {@code opt*}. */
    public static final class Builder {
        private final PreprocessingSpec spec;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private boolean turboJpeg = true;
        private boolean fastJpegDecode = true;

        private Builder(PreprocessingSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
        }

        /**
         * Largest accepted {@code width * height} of an encoded image, checked from the header
         * before decoding. Default {@value ImagePreprocessor#DEFAULT_MAX_PIXELS}.
         */
        public Builder optMaxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw Arguments.received("maxPixels", maxPixels, ">= 1");
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Whether JPEG is decoded by the system's libturbojpeg when it is installed (default true):
         * the same pixels as OpenCV's decoder, about 2.8x faster. False always uses OpenCV.
         */
        public Builder optTurboJpeg(boolean turboJpeg) {
            this.turboJpeg = turboJpeg;
            return this;
        }

        /**
         * Whether a JPEG is decoded straight at the smallest of 1/8, 1/4 and 1/2 of its size that
         * still covers the output's height and width (libjpeg's scaled inverse DCT), then resized
         * as usual; false decodes every JPEG at full size. Default true. Several times faster and
         * anti-aliased, but it changes the pixels: use what the model was trained with ({@link
         * ModelMetadata#fastJpegDecode()}, which {@link ImageClassifier} follows). Both decoders
         * (libturbojpeg and OpenCV's {@code IMREAD_REDUCED_COLOR_2/4/8}) give the same pixels.
         */
        public Builder optFastJpegDecode(boolean fastJpegDecode) {
            this.fastJpegDecode = fastJpegDecode;
            return this;
        }

        public ImagePreprocessor build() {
            return new ImagePreprocessor(spec, maxPixels, turboJpeg, fastJpegDecode);
        }
    }

    public PreprocessingSpec spec() {
        return spec;
    }

    /** The decompression-bomb limit in pixels. */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * The largest file {@link #preprocess(ImageInput, FloatBuffer)} reads, derived from the pixel
     * limit: 8 bytes per pixel (an uncompressed 16-bit RGBA PNG, the most any supported format
     * needs) plus 16 MiB of metadata, at most 2 GiB. 416 MB for the default limit. Larger files are
     * refused before reading; a file that grows while it is read is refused after {@code
     * maxFileBytes() + 1} bytes.
     */
    public long maxFileBytes() {
        return maxFileBytes;
    }

    private static long maxFileBytes(long maxPixels) {
        long metadata = 16 << 20;
        return maxPixels >= (MAX_ENCODED_BYTES - metadata) / 8
                ? MAX_ENCODED_BYTES
                : 8 * maxPixels + metadata;
    }

    /**
     * Which decoder JPEG files go to: {@code "libturbojpeg (<file>)"} or {@code "OpenCV"} (PNG,
     * BMP, CMYK JPEG and JPEG with an unreadable EXIF block always go to OpenCV).
     */
    public String jpegDecoder() {
        String library = TurboJpegDecoder.library();
        return useTurboJpeg && library != null ? "libturbojpeg (" + library + ")" : "OpenCV";
    }

    /** Whether JPEGs are decoded at reduced size, see {@link Builder#optFastJpegDecode}. */
    public boolean fastJpegDecode() {
        return fastJpegDecode;
    }

    /** Floats written per image: {@code 3 * height * width}. */
    public int tensorSize() {
        return spec.tensorSize();
    }

    /** Convenience: preprocesses one image into a new array of {@link #tensorSize()} floats. */
    public float[] preprocess(ImageInput input) throws InvalidImageException {
        float[] tensor = new float[tensorSize()];
        preprocess(input, FloatBuffer.wrap(tensor));
        return tensor;
    }

    /**
     * Preprocesses one image: a file, encoded bytes, a Java image or an OpenCV Mat (see {@link
     * ImageInput}). Writes exactly {@link #tensorSize()} floats at {@code dst.position()} and
     * advances the position; on failure {@code dst} is untouched.
     *
     * <p>Only regular files are opened (a FIFO would block forever, a device never end); symbolic
     * links are followed. Encoded bytes in a direct buffer are decoded in place. A decoded image
     * skips the header checks and the decoder. Whatever preprocessing one image throws, OpenCV's
     * {@code CvException} included, becomes that image's {@link InvalidImageException}.
     *
     * @throws InvalidImageException naming the input (its file path or name): missing, not a
     *     regular file, unreadable, empty, larger than {@link #maxFileBytes()}, not JPEG/PNG/BMP,
     *     truncated, corrupt, over the pixel limit, over OpenCV's size limits or of an unsupported
     *     Mat type
     * @throws IllegalArgumentException if {@code dst} has fewer than {@link #tensorSize()} floats
     *     left
     */
    public void preprocess(ImageInput input, FloatBuffer dst) throws InvalidImageException {
        preprocess(input, dst, null);
    }

    /**
     * Like {@link #preprocess(ImageInput, FloatBuffer)}, with {@code afterResize} applied to the
     * resized image before it is written: the trainer's data augmentation.
     */
    public void preprocess(ImageInput input, ResizedImageTransform afterResize, FloatBuffer dst)
            throws InvalidImageException {
        Objects.requireNonNull(afterResize, "afterResize");
        preprocess(input, dst, afterResize);
    }

    // The one preprocessing path: the input supplies its encoded bytes or its decoded image, the
    // rest is the same for every kind of input.
    private void preprocess(ImageInput input, FloatBuffer dst, ResizedImageTransform afterResize)
            throws InvalidImageException {
        Objects.requireNonNull(input, "input");
        checkRoom(dst);
        String name = input.name();
        withScratch(
                "preprocess(ImageInput)",
                name,
                s -> {
                    ImageInput.Pixels pixels = input.pixels(s);
                    s.afterResize = afterResize;
                    try {
                        if (pixels.encoded() != null) {
                            decodeAndWrite(pixels.encoded(), name, dst, s);
                        } else {
                            writeTensor(pixels.decoded(), name, dst, s);
                        }
                    } finally {
                        s.afterResize = null;
                    }
                    return null;
                });
    }

    /**
     * Releases every pooled scratch set now (native Mats and TurboJPEG handles); sets in use by
     * running calls are released as those calls return. Idempotent.
     */
    @Override
    public void close() {
        scratch.close();
    }

    /** Scratch sets made and not yet released (idle or in use); for tests. */
    int liveScratchSets() {
        return scratch.live();
    }

    private void checkRoom(FloatBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.remaining() < tensorSize()) {
            throw new IllegalArgumentException(
                    "dst has "
                            + dst.remaining()
                            + " floats left at position "
                            + dst.position()
                            + ", needs tensorSize() = "
                            + tensorSize());
        }
    }

    // One image's unexpected failure (a CvException from OpenCV, say) is that image's problem.
    private static InvalidImageException failed(String input, RuntimeException e) {
        String detail = String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
        return new InvalidImageException(
                input,
                "failed in preprocessing (" + e.getClass().getSimpleName() + ": " + detail + ")",
                e);
    }

    private ByteBuffer readFile(Path file, String input, Scratch s) throws InvalidImageException {
        try {
            // Checked before opening: opening a FIFO blocks until a writer comes.
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw new InvalidImageException(input, "is a directory, not an image file");
            }
            if (!attributes.isRegularFile()) {
                throw new InvalidImageException(
                        input,
                        "not a regular file (a FIFO, device or socket); only regular files are"
                                + " read");
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = channel.size();
                if (size > maxFileBytes) {
                    throw tooLarge(input, size + " bytes");
                }
                if (size > 0) {
                    ByteBuffer buffer = s.encodedBuffer((int) size);
                    while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                        // read until full or end of file (the file may shrink while we read)
                    }
                    return buffer.flip();
                }
                ByteBuffer buffer = readToEnd(channel, input, s);
                if (buffer.limit() == 0) {
                    throw new InvalidImageException(input, "empty file (0 bytes)");
                }
                return buffer;
            }
        } catch (NoSuchFileException e) {
            throw new InvalidImageException(input, "file not found", e);
        } catch (AccessDeniedException e) {
            throw new InvalidImageException(input, "permission denied", e);
        } catch (IOException e) {
            throw new InvalidImageException(input, "cannot be read: " + e, e);
        }
    }

    // Files under /proc and the like report size 0 yet have content: read to the end, but never
    // more than maxFileBytes + 1 bytes.
    private ByteBuffer readToEnd(FileChannel channel, String input, Scratch s)
            throws IOException, InvalidImageException {
        ByteBuffer buffer = s.encodedBuffer(UNKNOWN_SIZE_CHUNK);
        while (channel.read(buffer) >= 0) {
            if (!buffer.hasRemaining()) {
                if (buffer.limit() > maxFileBytes) {
                    throw tooLarge(input, "more than " + maxFileBytes + " bytes");
                }
                long bigger = Math.min(maxFileBytes + 1, 2L * buffer.limit());
                buffer = ByteBuffer.allocateDirect((int) bigger).put(buffer.flip());
            }
        }
        return buffer.flip();
    }

    private InvalidImageException tooLarge(String input, String size) {
        return new InvalidImageException(
                input,
                "file is "
                        + size
                        + ", over the "
                        + maxFileBytes
                        + " bytes an image within the pixel limit needs (maxFileBytes); refused"
                        + " before reading");
    }

    // encoded: a direct buffer whose position is 0, holding the whole encoded image.
    private void decodeAndWrite(ByteBuffer encoded, String input, FloatBuffer dst, Scratch s)
            throws InvalidImageException {
        ImageHeader header = ImageHeader.read(encoded, input, maxPixels);
        boolean jpeg = header.format() == ImageHeader.Format.JPEG;
        int denominator =
                jpeg && fastJpegDecode
                        ? JpegScaling.denominator(
                                header.width(),
                                header.height(),
                                header.exifOrientation(),
                                spec.height(),
                                spec.width())
                        : 1;
        if (jpeg
                && header.exifOrientation() != ImageHeader.UNKNOWN_ORIENTATION
                && s.turboJpeg != null
                && s.turboJpeg.decodeRgb(encoded, s.decoded, input, denominator)) {
            writeTensor(orient(s.decoded, header.exifOrientation(), s.oriented), RGB, dst, s);
            return;
        }
        // The same scale as above: libjpeg's scaled IDCT for a JPEG, then EXIF orientation.
        Mat decoded = imdecode(encoded, input, header, JpegScaling.imreadFlag(denominator));
        try {
            writeTensor(decoded, input, dst, s);
        } finally {
            decoded.release();
        }
    }

    /**
     * Decodes an image upright, with every check of {@link #preprocess(ImageInput, FloatBuffer)},
     * into a new 8-bit BGR Mat that the caller releases: the photo as the model's input was made
     * from it (for drawing on it). A JPEG is decoded at full size here.
     */
    Mat decode(ImageInput input) throws InvalidImageException {
        Objects.requireNonNull(input, "input");
        String name = input.name();
        return withScratch(
                "decode(ImageInput)",
                name,
                s -> {
                    ImageInput.Pixels pixels = input.pixels(s);
                    ByteBuffer encoded = pixels.encoded();
                    if (encoded == null) {
                        return bgrCopy(pixels.decoded(), name);
                    }
                    return imdecode(
                            encoded,
                            name,
                            ImageHeader.read(encoded, name, maxPixels),
                            Imgcodecs.IMREAD_COLOR);
                });
    }

    /** Work on one image with a borrowed scratch set. */
    @FunctionalInterface
    private interface ScratchWork<T> {
        T apply(Scratch s) throws InvalidImageException;
    }

    /**
     * Runs {@code work} (for {@code method}, named if the preprocessor is closed) with a scratch
     * set borrowed from the pool and given back whatever happens; anything it throws besides {@link
     * InvalidImageException} (OpenCV's {@code CvException}, say) becomes {@code input}'s {@link
     * InvalidImageException}.
     */
    private <T> T withScratch(String method, String input, ScratchWork<T> work)
            throws InvalidImageException {
        Scratch s = scratch.borrow(method);
        try {
            return work.apply(s);
        } catch (RuntimeException e) {
            throw failed(input, e);
        } finally {
            scratch.giveBack(s);
        }
    }

    // OpenCV's decoder (3 channels, EXIF orientation applied) with imreadFlag (IMREAD_COLOR, or
    // IMREAD_REDUCED_COLOR_2/4/8: libjpeg's scaled IDCT); the caller releases.
    private static Mat imdecode(
            ByteBuffer encoded, String input, ImageHeader header, int imreadFlag)
            throws InvalidImageException {
        Mat bytes = new Mat(1, encoded.remaining(), CvType.CV_8UC1, encoded); // wraps, no copy
        try {
            Mat decoded = Imgcodecs.imdecode(bytes, imreadFlag);
            if (decoded.empty()) {
                decoded.release();
                throw new InvalidImageException(
                        input,
                        "corrupt "
                                + header.format()
                                + " data: "
                                + "OpenCV could not decode the "
                                + header.width()
                                + "x"
                                + header.height()
                                + " image");
            }
            return decoded;
        } finally {
            bytes.release();
        }
    }

    /**
     * {@code decoded} turned upright for EXIF orientation 1-8, with the same flips and transposes
     * as OpenCV's {@code imdecode} (pixels move, none is computed): into {@code scratch}, or {@code
     * decoded} itself for orientation 1.
     */
    private static Mat orient(Mat decoded, int orientation, Mat scratch) {
        switch (orientation) {
            case 2 -> Core.flip(decoded, scratch, 1); // mirrored left-right
            case 3 -> Core.rotate(decoded, scratch, Core.ROTATE_180);
            case 4 -> Core.flip(decoded, scratch, 0); // mirrored top-bottom
            case 5 -> Core.transpose(decoded, scratch);
            case 6 -> Core.rotate(decoded, scratch, Core.ROTATE_90_CLOCKWISE);
            case 7 -> {
                Core.transpose(decoded, scratch);
                Core.flip(scratch, scratch, -1);
            }
            case 8 -> Core.rotate(decoded, scratch, Core.ROTATE_90_COUNTERCLOCKWISE);
            default -> {
                return decoded;
            }
        }
        return scratch;
    }

    // An OpenCV image: gray, BGR or BGRA.
    private void writeTensor(Mat image, String input, FloatBuffer dst, Scratch s)
            throws InvalidImageException {
        if (image.empty()) {
            throw new InvalidImageException(input, "empty image (0x0)");
        }
        int type = image.type();
        if (type == CvType.CV_8UC1) {
            writeTensor(image, GRAY, dst, s);
        } else if (type == CvType.CV_8UC3) {
            writeTensor(image, BGR, dst, s);
        } else if (type == CvType.CV_8UC4) {
            Imgproc.cvtColor(image, s.withoutAlpha, Imgproc.COLOR_BGRA2BGR);
            writeTensor(s.withoutAlpha, BGR, dst, s);
        } else {
            throw unsupportedType(input, type);
        }
    }

    /** A new 8-bit BGR copy of a gray, BGR or BGRA Mat, for drawing on; the caller releases it. */
    private static Mat bgrCopy(Mat image, String input) throws InvalidImageException {
        if (image.empty()) {
            throw new InvalidImageException(input, "empty image (0x0)");
        }
        int type = image.type();
        if (type != CvType.CV_8UC1 && type != CvType.CV_8UC3 && type != CvType.CV_8UC4) {
            throw unsupportedType(input, type);
        }
        Mat bgr = new Mat();
        if (type == CvType.CV_8UC1) {
            Imgproc.cvtColor(image, bgr, Imgproc.COLOR_GRAY2BGR);
        } else if (type == CvType.CV_8UC3) {
            image.copyTo(bgr);
        } else {
            Imgproc.cvtColor(image, bgr, Imgproc.COLOR_BGRA2BGR);
        }
        return bgr;
    }

    private static InvalidImageException unsupportedType(String input, int type) {
        return new InvalidImageException(
                input,
                "unsupported Mat type "
                        + CvType.typeToString(type)
                        + "; expected CV_8UC1 (gray), CV_8UC3 (BGR) or "
                        + "CV_8UC4 (BGRA)");
    }

    /**
     * Scales, resizes and writes {@code image}, whose channel {@code rgbChannels[k]} holds red,
     * green and blue for k = 0, 1, 2. Channels are picked when the output is written, so no pass
     * over the full-size image is spent on reordering them.
     */
    private void writeTensor(Mat image, int[] rgbChannels, FloatBuffer dst, Scratch s) {
        try {
            scaleResizeWrite(image, rgbChannels, dst, s);
        } finally {
            if (image.total() > RETAINED_SCRATCH_PIXELS) {
                s.releaseFullSize();
            }
        }
    }

    private void scaleResizeWrite(Mat image, int[] rgbChannels, FloatBuffer dst, Scratch s) {
        // Scale before resizing: bilinear weights sum to 1, so the result is the same and the
        // affine map rides along with the unavoidable 8-bit -> float conversion.
        image.convertTo(s.scaled, CvType.CV_32F, spec.scale(), spec.offset());
        Mat sized = s.scaled;
        if (sized.rows() != spec.height() || sized.cols() != spec.width()) {
            Imgproc.resize(
                    s.scaled,
                    s.resized,
                    new Size(spec.width(), spec.height()),
                    0,
                    0,
                    Imgproc.INTER_LINEAR);
            sized = s.resized;
        }
        if (s.afterResize != null) {
            sized = s.afterResize.apply(sized, s.transformed);
        }
        int plane = spec.height() * spec.width();
        if (spec.layout() == PreprocessingSpec.Layout.NCHW
                && DIRECT_WRITES
                && dst.isDirect()
                && dst.order() == ByteOrder.nativeOrder()) {
            // Each channel goes straight into its plane of the caller's (direct) buffer.
            Pointer base = Native.getDirectBufferPointer(dst);
            for (int k = 0; k < 3; k++) {
                long offset = 4L * (dst.position() + (long) k * plane);
                Mat target =
                        new Mat(
                                spec.height(),
                                spec.width(),
                                CvType.CV_32FC1,
                                base.getByteBuffer(offset, 4L * plane));
                Core.extractChannel(sized, target, rgbChannels[k]);
                target.release();
            }
            dst.position(dst.position() + 3 * plane);
            return;
        }
        int channels = sized.channels();
        sized.get(0, 0, s.interleaved); // row-major pixels of `channels` values
        float[] out = s.out;
        if (spec.layout() == PreprocessingSpec.Layout.NHWC) {
            for (int i = 0, j = 0; i < plane; i++, j += channels) {
                out[3 * i] = s.interleaved[j + rgbChannels[0]];
                out[3 * i + 1] = s.interleaved[j + rgbChannels[1]];
                out[3 * i + 2] = s.interleaved[j + rgbChannels[2]];
            }
        } else {
            for (int i = 0, j = 0; i < plane; i++, j += channels) {
                out[i] = s.interleaved[j + rgbChannels[0]];
                out[plane + i] = s.interleaved[j + rgbChannels[1]];
                out[2 * plane + i] = s.interleaved[j + rgbChannels[2]];
            }
        }
        dst.put(out);
    }

    private static boolean jnaWorks() {
        if (JnaLoader.load().isPresent()) {
            return false; // JNA's own native library cannot load here: copy instead
        }
        try {
            return Native.getDirectBufferPointer(ByteBuffer.allocateDirect(4)) != null;
        } catch (LinkageError e) { // JNA's own native stub cannot load here: copy instead
            return false;
        }
    }

    /**
     * One call's reusable buffers; Mats are reallocated by OpenCV only when the size changes. Also
     * what an {@link ImageInput} loads its pixels with, under this preprocessor's file checks.
     */
    private final class Scratch implements ImageInput.Loader {
        final Mat fromJava = new Mat();
        final Mat decoded = new Mat();
        final Mat oriented = new Mat();
        final Mat withoutAlpha = new Mat();
        final Mat scaled = new Mat();
        final Mat resized = new Mat();
        final Mat transformed = new Mat();
        final float[] interleaved;
        // The current call's change to the resized image, or null (set only for that call).
        ResizedImageTransform afterResize;
        final float[] out;
        // This set's TurboJPEG decoder; null when disabled or not installed.
        final TurboJpegDecoder turboJpeg;
        private ByteBuffer encoded = ByteBuffer.allocateDirect(0);

        Scratch(int tensorSize, boolean useTurboJpeg) {
            interleaved = new float[tensorSize];
            out = new float[tensorSize];
            turboJpeg = useTurboJpeg ? TurboJpegDecoder.createOrNull() : null;
        }

        /** Frees everything native now; the set must not be used afterwards. */
        void release() {
            fromJava.release();
            decoded.release();
            oriented.release();
            withoutAlpha.release();
            scaled.release();
            resized.release();
            transformed.release();
            if (turboJpeg != null) {
                turboJpeg.close();
            }
            encoded = ByteBuffer.allocateDirect(0); // the old one goes with the next GC
        }

        void releaseFullSize() {
            decoded.release();
            oriented.release();
            withoutAlpha.release();
            scaled.release();
        }

        /** A cleared direct buffer with limit {@code size}, reused unless {@code size} is large. */
        ByteBuffer encodedBuffer(int size) {
            if (size > RETAINED_ENCODED_BYTES) {
                return ByteBuffer.allocateDirect(size);
            }
            if (encoded.capacity() < size) {
                encoded =
                        ByteBuffer.allocateDirect(
                                Math.max(
                                        size,
                                        Math.min(2 * encoded.capacity(), RETAINED_ENCODED_BYTES)));
            }
            return encoded.clear().limit(size);
        }

        @Override
        public ByteBuffer readFile(Path file, String name) throws InvalidImageException {
            return ImagePreprocessor.this.readFile(file, name, this);
        }

        @Override
        public ByteBuffer direct(ByteBuffer encoded) {
            if (encoded.isDirect()) {
                return encoded.slice();
            }
            ByteBuffer copy = encodedBuffer(encoded.remaining());
            copy.put(encoded.duplicate());
            return copy.flip();
        }

        @Override
        public Mat toMat(BufferedImage image) {
            BufferedImageConverter.toMat(image, fromJava);
            return fromJava;
        }
    }
}
