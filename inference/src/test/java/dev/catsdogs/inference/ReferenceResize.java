package dev.catsdogs.inference;

import java.awt.image.BufferedImage;

/**
 * A straightforward, independent Java implementation of the preprocessing contract (for comparison
 * only): RGB from {@link BufferedImage#getRGB}, bilinear resize with half-pixel centres in double
 * precision, {@code x / 127.5 - 1}, NCHW.
 */
final class ReferenceResize {

    private ReferenceResize() {}

    static float[] mobileNetV2Nchw(BufferedImage image, int height, int width) {
        int inW = image.getWidth();
        int inH = image.getHeight();
        float[] out = new float[3 * height * width];
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            double sy = clamp((y + 0.5) * inH / height - 0.5, inH - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, inH - 1);
            double wy = sy - y0;
            for (int x = 0; x < width; x++) {
                double sx = clamp((x + 0.5) * inW / width - 0.5, inW - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, inW - 1);
                double wx = sx - x0;
                int p00 = image.getRGB(x0, y0);
                int p01 = image.getRGB(x1, y0);
                int p10 = image.getRGB(x0, y1);
                int p11 = image.getRGB(x1, y1);
                for (int c = 0; c < 3; c++) {
                    int shift = 16 - 8 * c; // R, G, B
                    double top = (1 - wx) * ch(p00, shift) + wx * ch(p01, shift);
                    double bottom = (1 - wx) * ch(p10, shift) + wx * ch(p11, shift);
                    double v = (1 - wy) * top + wy * bottom;
                    out[c * plane + y * width + x] = (float) (v / 127.5 - 1.0);
                }
            }
        }
        return out;
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static int ch(int argb, int shift) {
        return (argb >> shift) & 0xFF;
    }
}
