package dev.catsdogs.inference;

import org.opencv.imgcodecs.Imgcodecs;

/**
 * Scaled JPEG decoding: libjpeg can run a smaller inverse DCT per 8x8 block and so decode straight
 * to 1/2, 1/4 or 1/8 of the size, several times faster than decoding every pixel and with each
 * output pixel an average over its block (anti-aliased) instead of pixels a bilinear shrink would
 * skip. The rule, one place for both decoders: the strongest of these reductions that keeps the
 * upright image at least the target's height and width, else full size. libjpeg rounds a scaled
 * side up ({@code ceil(side / d)}); libturbojpeg and OpenCV ({@code IMREAD_REDUCED_COLOR_d}) both
 * ask libjpeg for exactly that scale.
 */
final class JpegScaling {

    /** Reductions libjpeg's scaled IDCT offers that both decoders can ask for, strongest first. */
    private static final int[] DENOMINATORS = {8, 4, 2};

    private JpegScaling() {}

    /**
     * The denominator {@code d} (8, 4, 2, or 1 for full size) to decode a JPEG at {@code 1/d}.
     *
     * @param width the encoded (stored) width
     * @param height the encoded (stored) height
     * @param exifOrientation 1-8 as read from the header, or {@link
     *     ImageHeader#UNKNOWN_ORIENTATION}: orientations 5-8 swap the sides; when unknown, both
     *     sides must cover the target's larger side
     */
    static int denominator(
            long width, long height, int exifOrientation, int targetHeight, int targetWidth) {
        long needWidth;
        long needHeight;
        if (exifOrientation == ImageHeader.UNKNOWN_ORIENTATION) {
            needWidth = needHeight = Math.max(targetHeight, targetWidth);
        } else if (exifOrientation >= 5) { // transposed: the stored width becomes the height
            needWidth = targetHeight;
            needHeight = targetWidth;
        } else {
            needWidth = targetWidth;
            needHeight = targetHeight;
        }
        for (int d : DENOMINATORS) {
            if (scaled(width, d) >= needWidth && scaled(height, d) >= needHeight) {
                return d;
            }
        }
        return 1;
    }

    /** A side decoded at {@code 1/d}: libjpeg rounds up ({@code jdiv_round_up}). */
    static long scaled(long side, int d) {
        return (side + d - 1) / d;
    }

    /** OpenCV's {@code imdecode} flag for a colour decode at {@code 1/d}. */
    static int imreadFlag(int d) {
        return switch (d) {
            case 1 -> Imgcodecs.IMREAD_COLOR;
            case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
            case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
            default ->
                    throw new IllegalArgumentException(
                            "no scaled decode at 1/" + d + "; expected 1, 2, 4 or 8");
        };
    }
}
