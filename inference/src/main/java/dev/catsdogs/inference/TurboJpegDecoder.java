package dev.catsdogs.inference;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import dev.catsdogs.inference.internal.JnaLoader;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Decodes JPEG to RGB with the system's libjpeg-turbo through its TurboJPEG API, when installed
 * ({@code libturbojpeg0} on Debian and Ubuntu, {@code turbojpeg} on Fedora, {@code jpeg-turbo} on
 * Homebrew).
 *
 * <p>Why: the libjpeg-turbo inside {@code org.openpnp:opencv} is built without its SIMD code, and
 * decoding was three quarters of the preprocessing time. The system library runs the same
 * algorithms (accurate integer IDCT, smooth chroma upsampling, which are both libraries' defaults)
 * with SIMD: the same pixels, about 2.8x faster. The tests check the pixels are identical.
 *
 * <p>It decodes at full size or, for {@link JpegScaling}, straight at 1/2, 1/4 or 1/8 size: the
 * scale OpenCV's {@code IMREAD_REDUCED_COLOR_2/4/8} asks libjpeg for, so again the same pixels.
 *
 * <p>It only answers when it is exact: a CMYK JPEG, a header TurboJPEG cannot describe (unusual
 * chroma subsampling) or a fatal decoding error returns false and the caller decodes with OpenCV,
 * which defines the behaviour for odd files. A corrupt-data <em>warning</em> from libjpeg (damaged
 * entropy-coded data, a premature end of the data) is an {@link InvalidImageException}: libjpeg
 * would fill the damage with grey and OpenCV would return that as a picture. It ignores EXIF
 * orientation: the caller turns the pixels upright (OpenCV's decoder does that itself). Needs
 * TurboJPEG 2.0 or later (for {@code tjGetErrorCode}); with an older library OpenCV decodes
 * everything.
 *
 * <p>Not thread-safe: one user at a time. Its native handle is freed by {@link #close()}, or, as a
 * safety net, when the instance becomes unreachable.
 */
final class TurboJpegDecoder implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TurboJpegDecoder.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    // TurboJPEG constants (turbojpeg.h, stable since 1.2).
    private static final int TJPF_RGB = 0;
    private static final int TJCS_CMYK = 3;
    private static final int TJCS_YCCK = 4;
    private static final int TJFLAG_STOPONWARNING = 8192; // stop at libjpeg's first warning
    private static final int TJERR_WARNING = 0;

    /**
     * {@code -Dcatsdogs.turbojpeg=false} makes the process behave as if libturbojpeg were not
     * installed: how the tests cover the OpenCV-only path on machines that have the library.
     */
    static final String DISABLE_PROPERTY = "catsdogs.turbojpeg";

    /** The loaded library's file name, or null when it is not installed or disabled. */
    private static final String LIBRARY = register();

    /**
     * The library's scaling factors as {num, denom} pairs in its own order (largest first), the
     * order {@code tjDecompress2} searches them in; empty when the library is not installed.
     */
    private static final int[][] SCALING_FACTORS = LIBRARY == null ? new int[0][] : factors();

    private final Pointer handle;
    private final Cleaner.Cleanable destroy;
    private final int[] width = new int[1];
    private final int[] height = new int[1];
    private final int[] subsampling = new int[1];
    private final int[] colorspace = new int[1];

    private TurboJpegDecoder(Pointer handle) {
        this.handle = handle;
        this.destroy = CLEANER.register(this, () -> Api.tjDestroy(handle));
    }

    /** Frees the native handle; idempotent (the cleaner runs its action at most once). */
    @Override
    public void close() {
        destroy.clean();
    }

    /** A decoder for the calling thread, or null when libturbojpeg is not installed. */
    static TurboJpegDecoder createOrNull() {
        if (LIBRARY == null) {
            return null;
        }
        Pointer handle = Api.tjInitDecompress();
        return handle == null ? null : new TurboJpegDecoder(handle);
    }

    /** The file name of the system library in use, or null when it is not installed. */
    static String library() {
        return LIBRARY;
    }

    /**
     * Decodes the JPEG from {@code jpeg}'s position to its limit (a direct buffer) at {@code
     * 1/denominator} of its size into {@code rgb}, which is (re)allocated as {@code CV_8UC3} of the
     * decoded size ({@link JpegScaling#scaled} of each side).
     *
     * @param denominator 1 (full size), 2, 4 or 8
     * @return false when this decoder cannot produce exactly OpenCV's pixels; {@code rgb} is then
     *     undefined
     * @throws InvalidImageException naming {@code input} when libjpeg reports corrupt data
     */
    boolean decodeRgb(ByteBuffer jpeg, Mat rgb, String input, int denominator)
            throws InvalidImageException {
        Pointer source = Native.getDirectBufferPointer(jpeg).share(jpeg.position());
        NativeLong size = new NativeLong(jpeg.remaining());
        if (Api.tjDecompressHeader3(handle, source, size, width, height, subsampling, colorspace)
                != 0) {
            return false;
        }
        if (colorspace[0] == TJCS_CMYK || colorspace[0] == TJCS_YCCK) {
            return false; // TurboJPEG cannot convert these to RGB; OpenCV can
        }
        int scaledWidth = (int) JpegScaling.scaled(width[0], denominator);
        int scaledHeight = (int) JpegScaling.scaled(height[0], denominator);
        if (!picksExactly(denominator, scaledWidth, scaledHeight)) {
            return false; // a tiny image where another factor fits too; OpenCV asks for 1/d
        }
        rgb.create(scaledHeight, scaledWidth, CvType.CV_8UC3);
        Pointer target = new Pointer(rgb.dataAddr());
        int pitch = (int) rgb.step1(0);
        int status =
                Api.tjDecompress2(
                        handle,
                        source,
                        size,
                        target,
                        scaledWidth,
                        pitch,
                        scaledHeight,
                        TJPF_RGB,
                        TJFLAG_STOPONWARNING);
        if (status == 0) {
            return true;
        }
        if (Api.tjGetErrorCode(handle) == TJERR_WARNING) {
            throw new InvalidImageException(
                    input, "corrupt JPEG data (libjpeg-turbo: " + Api.tjGetErrorStr2(handle) + ")");
        }
        return false; // a fatal error: OpenCV's libjpeg decides (and reports) it
    }

    /**
     * Whether {@code tjDecompress2}, asked for {@code scaledWidth x scaledHeight}, scales by
     * exactly {@code 1/denominator}: it takes the largest of its factors whose result fits, which
     * for a tiny image can be another one (a 1x1 JPEG fits at every scale).
     */
    private boolean picksExactly(int denominator, int scaledWidth, int scaledHeight) {
        for (int[] factor : SCALING_FACTORS) {
            int num = factor[0];
            int denom = factor[1];
            // TJSCALED(dimension, factor) from turbojpeg.h
            long w = ((long) width[0] * num + denom - 1) / denom;
            long h = ((long) height[0] * num + denom - 1) / denom;
            if (w <= scaledWidth && h <= scaledHeight) {
                return num * denominator == denom;
            }
        }
        return false;
    }

    private static int[][] factors() {
        int[] count = new int[1];
        Pointer list = Api.tjGetScalingFactors(count);
        if (list == null) {
            return new int[0][]; // never answers; OpenCV decodes everything
        }
        int[][] factors = new int[count[0]][];
        for (int i = 0; i < count[0]; i++) {
            factors[i] = new int[] {list.getInt(8L * i), list.getInt(8L * i + 4)};
        }
        return factors; // in the library's order: tjDecompress2 takes the first that fits
    }

    private static String register() {
        if ("false".equals(System.getProperty(DISABLE_PROPERTY))) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "libturbojpeg disabled by -D"
                            + DISABLE_PROPERTY
                            + "=false; JPEG is decoded by OpenCV's built-in libjpeg");
            return null;
        }
        Optional<Throwable> jnaFailure = JnaLoader.load();
        if (jnaFailure.isPresent()) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    fallbackNotice(Cause.JNA_UNAVAILABLE, jnaFailure.get()));
            return null;
        }
        NativeLibrary library;
        try {
            library = NativeLibrary.getInstance("turbojpeg");
        } catch (LinkageError | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, fallbackNotice(Cause.NOT_INSTALLED, e));
            return null;
        }
        String name = library.getFile() == null ? "turbojpeg" : library.getFile().toString();
        try {
            Native.register(Api.class, library);
        } catch (LinkageError | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, fallbackNotice(Cause.TOO_OLD, e)); // names the file
            return null;
        }
        LOG.log(System.Logger.Level.TRACE, () -> "JPEG is decoded by " + name);
        return library.getFile() == null ? "turbojpeg" : library.getFile().getName();
    }

    /** Why the fast path is off; each has its own remedy. */
    enum Cause {
        /** JNA's own native library ({@code libjnidispatch}) could not be loaded. */
        JNA_UNAVAILABLE,
        /** The system has no libturbojpeg. */
        NOT_INSTALLED,
        /** The system's libturbojpeg predates the TurboJPEG 2.0 functions used here. */
        TOO_OLD
    }

    /**
     * The one-line notice logged (at DEBUG: a library stays silent unless the application asks)
     * when JPEG falls back to OpenCV's decoder: what is missing, the error's first line, the cost.
     */
    static String fallbackNotice(Cause cause, Throwable error) {
        // JNA's messages open with a header line ("Unable to load library 'turbojpeg':") and give
        // the reason on the next one.
        List<String> lines = String.valueOf(error.getMessage()).strip().lines().toList();
        String detail =
                lines.size() > 1 && lines.get(0).endsWith(":") ? lines.get(1) : lines.get(0);
        String problem =
                switch (cause) {
                    case JNA_UNAVAILABLE ->
                            "JNA's native library (libjnidispatch for "
                                    + System.getProperty("os.name")
                                    + "/"
                                    + System.getProperty("os.arch")
                                    + ") could not be loaded, so libturbojpeg cannot be called ("
                                    + error.getClass().getSimpleName()
                                    + ": "
                                    + detail
                                    + "); the class path needs JNA's jar for this platform";
                    case NOT_INSTALLED ->
                            "libturbojpeg not found ("
                                    + detail
                                    + "); install libturbojpeg0 (Debian/Ubuntu), turbojpeg"
                                    + " (Fedora) or jpeg-turbo (Homebrew) for the fast path";
                    case TOO_OLD ->
                            "libturbojpeg is older than TurboJPEG 2.0 ("
                                    + detail
                                    + "); install libjpeg-turbo 2.0 or later for the fast path";
                };
        return problem
                + ". JPEG is decoded by OpenCV's built-in libjpeg instead (same pixels, about 2.8x"
                + " slower).";
    }

    /** JNA direct mapping of the TurboJPEG 2 functions used (also in TurboJPEG 3). */
    private static final class Api {
        static native Pointer tjInitDecompress();

        static native int tjDecompressHeader3(
                Pointer handle,
                Pointer jpeg,
                NativeLong jpegSize,
                int[] width,
                int[] height,
                int[] subsampling,
                int[] colorspace);

        static native int tjDecompress2(
                Pointer handle,
                Pointer jpeg,
                NativeLong jpegSize,
                Pointer destination,
                int width,
                int pitch,
                int height,
                int pixelFormat,
                int flags);

        // tjscalingfactor *tjGetScalingFactors(int *numScalingFactors): {int num, denom} pairs.
        static native Pointer tjGetScalingFactors(int[] numScalingFactors);

        static native int tjGetErrorCode(Pointer handle);

        static native String tjGetErrorStr2(Pointer handle);

        static native int tjDestroy(Pointer handle);
    }
}
