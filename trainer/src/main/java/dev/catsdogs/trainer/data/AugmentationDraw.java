package dev.catsdogs.trainer.data;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.imgproc.Imgproc;

/**
 * One image's drawn augmentation ({@link Augmentation#draw}), applied with OpenCV to the resized
 * image as Keras' layers would apply it: mirror, then rotate about the centre, then zoom about the
 * centre, then change the contrast. Each geometric step is a separate bilinear warp with a
 * reflected border ({@code d c b a | a b c d}: OpenCV's {@code BORDER_REFLECT}, TensorFlow's {@code
 * fill_mode="reflect"}), as each Keras layer fills its own border.
 *
 * <p>The warps use Keras' output-to-input maps, in pixel indices: rotation {@code x_in = cos x -
 * sin y + x_off, y_in = sin x + cos y + y_off} with offsets that keep {@code ((w-1)/2, (h-1)/2)}
 * fixed; zoom {@code x_in = zoom x + (w-1)/2 (1 - zoom)}, the same for y. OpenCV's bilinear warp
 * rounds the input position to 1/32 pixel; TensorFlow's does not.
 *
 * @param mirror whether the image is mirrored left-right
 * @param angle rotation in radians (positive: counter-clockwise on screen, as Keras)
 * @param zoom the input-to-output coordinate scale (above 1 zooms out), 1 for none
 * @param contrast the contrast factor, 1 for none
 */
public record AugmentationDraw(boolean mirror, double angle, double zoom, double contrast) {

    /** Whether the draw changes nothing (then the image is passed through untouched). */
    public boolean identity() {
        return !mirror && angle == 0 && zoom == 1 && contrast == 1;
    }

    /**
     * Applies the draw to {@code image}, an OpenCV float image of any channel count, ping-ponging
     * between {@code image} and {@code scratch}; contrast results are clipped to {@code [low,
     * high]}, the value range of an image (Keras' {@code value_range}, mapped by the
     * preprocessing).
     *
     * @return the Mat holding the result: {@code image} or {@code scratch}
     */
    public Mat apply(Mat image, Mat scratch, double low, double high) {
        Mat current = image;
        Mat other = scratch;
        if (mirror) {
            Core.flip(current, current, 1); // in place
        }
        int w = current.cols();
        int h = current.rows();
        if (angle != 0) {
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            double xOffset = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2;
            double yOffset = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2;
            warp(current, other, new double[] {cos, -sin, xOffset, sin, cos, yOffset});
            Mat t = current;
            current = other;
            other = t;
        }
        if (zoom != 1) {
            double xOffset = (w - 1) / 2.0 * (1 - zoom);
            double yOffset = (h - 1) / 2.0 * (1 - zoom);
            warp(current, other, new double[] {zoom, 0, xOffset, 0, zoom, yOffset});
            Mat t = current;
            current = other;
            other = t;
        }
        if (contrast != 1) {
            // Keras: per channel, (x - mean) * factor + mean, then clipped to the value range.
            Scalar mean = Core.mean(current);
            double[] shift = new double[4];
            for (int c = 0; c < 4; c++) {
                shift[c] = mean.val[c] * (1 - contrast);
            }
            Core.multiply(current, new Scalar(contrast, contrast, contrast, contrast), current);
            Core.add(current, new Scalar(shift), current);
            Core.min(current, new Scalar(high, high, high, high), current);
            Core.max(current, new Scalar(low, low, low, low), current);
        }
        return current;
    }

    /** {@code dst(x, y) = src(m0 x + m1 y + m2, m3 x + m4 y + m5)}, bilinear, reflected border. */
    private static void warp(Mat src, Mat dst, double[] m) {
        Mat matrix = new Mat(2, 3, org.opencv.core.CvType.CV_64F);
        try {
            matrix.put(0, 0, m);
            Imgproc.warpAffine(
                    src,
                    dst,
                    matrix,
                    src.size(),
                    Imgproc.INTER_LINEAR | Imgproc.WARP_INVERSE_MAP,
                    Core.BORDER_REFLECT);
        } finally {
            matrix.release();
        }
    }
}
