package dev.catsdogs.inference;

import dev.catsdogs.inference.internal.Arguments;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.util.Arrays;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Copies a {@link BufferedImage} into an 8-bit OpenCV {@link Mat}: gray stays one channel,
 * everything else becomes BGR with alpha dropped, the same as {@code imdecode(IMREAD_COLOR)} does
 * for files. And back: a BGR Mat into a {@code TYPE_3BYTE_BGR} image.
 */
final class BufferedImageConverter {

    private BufferedImageConverter() {}

    /** Fills {@code dst} (reallocated only when size or type change) from {@code image}. */
    static void toMat(BufferedImage image, Mat dst) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            copyGray(image.getRaster(), w, h, dst);
        } else if (isPackedBgr(image)) {
            dst.create(h, w, CvType.CV_8UC3);
            dst.put(0, 0, ((DataBufferByte) image.getRaster().getDataBuffer()).getData());
        } else {
            copyViaRgb(image, w, h, dst);
        }
    }

    /** A new {@code TYPE_3BYTE_BGR} image with the pixels of an 8-bit BGR Mat (one bulk copy). */
    static BufferedImage toBufferedImage(Mat bgr) {
        if (bgr.type() != CvType.CV_8UC3) {
            throw Arguments.received(
                    "bgr.type()", CvType.typeToString(bgr.type()), "CV_8UC3 (BGR)");
        }
        BufferedImage image =
                new BufferedImage(bgr.cols(), bgr.rows(), BufferedImage.TYPE_3BYTE_BGR);
        bgr.get(0, 0, ((DataBufferByte) image.getRaster().getDataBuffer()).getData());
        return image;
    }

    // Raw samples: getRGB() would push linear gray through an sRGB conversion (128 -> 188).
    private static void copyGray(Raster raster, int w, int h, Mat dst) {
        dst.create(h, w, CvType.CV_8UC1);
        int[] samples = new int[w];
        byte[] row = new byte[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, samples);
            for (int x = 0; x < w; x++) {
                row[x] = (byte) samples[x];
            }
            dst.put(y, 0, row);
        }
    }

    // TYPE_3BYTE_BGR with no sub-image offsets is byte-for-byte an OpenCV BGR Mat: one bulk copy.
    private static boolean isPackedBgr(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            return false;
        }
        Raster raster = image.getRaster();
        if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel model)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer)) {
            return false;
        }
        return raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0
                && model.getPixelStride() == 3
                && model.getScanlineStride() == 3 * image.getWidth()
                && Arrays.equals(model.getBandOffsets(), new int[] {2, 1, 0})
                && buffer.getNumBanks() == 1
                && buffer.getOffset() == 0
                && buffer.getData().length == 3 * image.getWidth() * image.getHeight();
    }

    private static void copyViaRgb(BufferedImage image, int w, int h, Mat dst) {
        dst.create(h, w, CvType.CV_8UC3);
        int[] argb = new int[w];
        byte[] row = new byte[3 * w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                row[3 * x] = (byte) p; // B
                row[3 * x + 1] = (byte) (p >> 8); // G
                row[3 * x + 2] = (byte) (p >> 16); // R; alpha (p >>> 24) dropped
            }
            dst.put(y, 0, row);
        }
    }
}
