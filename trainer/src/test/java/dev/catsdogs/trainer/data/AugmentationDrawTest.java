package dev.catsdogs.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.inference.internal.OpenCvLoader;
import dev.catsdogs.trainer.TestPaths;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * The augmentation's OpenCV steps against hand-computed references on tiny images (Keras' maps,
 * TensorFlow's reflected border), and its parsing and drawing.
 */
class AugmentationDrawTest {

    @BeforeAll
    static void loadOpenCv() {
        OpenCvLoader.ensureLoaded();
    }

    /** A 4x2 image: the value at row r, column c is 10 r + c. */
    private static final float[][] TINY = {{0, 1, 2, 3}, {10, 11, 12, 13}};

    @Test
    void mirrorReversesEachRow() {
        float[][] got = apply(TINY, new AugmentationDraw(true, 0, 1, 1));
        assertArrayEquals(new float[] {3, 2, 1, 0}, got[0]);
        assertArrayEquals(new float[] {13, 12, 11, 10}, got[1]);
    }

    /**
     * A quarter turn of a 4x2 image, worked by hand from Keras' map: x_off = (3 - (0 - 1)) / 2 = 2,
     * y_off = (1 - (3 + 0)) / 2 = -1, so out(x, y) = in(2 - y, x - 1). Rows -1 and 2 lie outside
     * and reflect (d c b a | a b c d) to rows 0 and 1.
     */
    @Test
    void quarterTurnMatchesTheHandComputedReferenceWithReflectedBorder() {
        float[][] got = apply(TINY, new AugmentationDraw(false, Math.PI / 2, 1, 1));
        // y = 0: in(2, -1 -> 0), in(2, 0), in(2, 1), in(2, 2 -> 1)
        assertArrayEquals(new float[] {2, 2, 12, 12}, got[0]);
        // y = 1: in(1, -1 -> 0), in(1, 0), in(1, 1), in(1, 2 -> 1)
        assertArrayEquals(new float[] {1, 1, 11, 11}, got[1]);
    }

    /**
     * Any angle: a 7x5 ramp rotated by 0.3 rad against TensorFlow's reflect-then-bilinear, computed
     * point by point here. OpenCV rounds each input position to 1/32 pixel, so values may differ by
     * up to (8 + 3) / 64 on this ramp (slopes 8 and 3).
     */
    @Test
    void anyAngleMatchesTensorFlowsBilinearReflect() {
        int w = 7;
        int h = 5;
        float[][] ramp = new float[h][w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                ramp[r][c] = 8 * c + 3 * r;
            }
        }
        double angle = 0.3;
        float[][] got = apply(ramp, new AugmentationDraw(false, angle, 1, 1));
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double xOff = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2;
        double yOff = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2;
        boolean reflected = false;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double xIn = cos * x - sin * y + xOff;
                double yIn = sin * x + cos * y + yOff;
                reflected |= xIn < 0 || yIn < 0 || xIn > w - 1 || yIn > h - 1;
                double want = bilinear(ramp, reflect(xIn, w), reflect(yIn, h));
                assertEquals(want, got[y][x], 11.0 / 64 + 1e-4, "at x=" + x + ", y=" + y);
            }
        }
        assertTrue(reflected, "the rotation must reach outside the image");
        // Zoom out by 1.5: in(x, y) = (1.5 x - 1.5, 1.5 y - 1); the corners reflect.
        float[][] zoomed = apply(ramp, new AugmentationDraw(false, 0, 1.5, 1));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double want =
                        bilinear(
                                ramp,
                                reflect(1.5 * x + (w - 1) / 2.0 * (1 - 1.5), w),
                                reflect(1.5 * y + (h - 1) / 2.0 * (1 - 1.5), h));
                assertEquals(want, zoomed[y][x], 11.0 / 64 + 1e-4, "zoom at x=" + x + ", y=" + y);
            }
        }
    }

    /** Keras' RandomContrast: (x - mean) * factor + mean per channel, clipped to the range. */
    @Test
    void contrastScalesAboutTheMeanAndClips() {
        float[][] image = {{-1, 0}, {0.5f, 0.5f}}; // mean 0
        float[][] got = apply(image, new AugmentationDraw(false, 0, 1, 1.5));
        assertArrayEquals(new float[] {-1, 0}, got[0]); // -1.5 clipped to -1
        assertArrayEquals(new float[] {0.75f, 0.75f}, got[1]);
    }

    /**
     * The hook runs in the one preprocessing path, after the resize: a mirrored draw gives the
     * plain tensor with every row reversed.
     */
    @Test
    void thePreprocessorAppliesTheDrawAfterTheResize() throws Exception {
        int size = 32;
        Path photo = TestPaths.catsAndDogs().resolve("train/cats/cat.0.jpg");
        try (ImagePreprocessor pre = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(size))) {
            SampleDecoder decoder = SampleDecoder.of(pre);
            float[] plain = new float[decoder.tensorSize()];
            float[] mirrored = new float[decoder.tensorSize()];
            decoder.decode(photo, FloatBuffer.wrap(plain));
            decoder.decode(photo, new AugmentationDraw(true, 0, 1, 1), FloatBuffer.wrap(mirrored));
            for (int k = 0; k < 3; k++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int row = k * size * size + y * size;
                        assertEquals(plain[row + x], mirrored[row + size - 1 - x]);
                    }
                }
            }
            assertNotEquals(plain[0], mirrored[0]); // the photo is not symmetric
        }
    }

    @Test
    void parsesWritesAndRefuses() {
        Augmentation a = Augmentation.parse("flip, rotate=0.2,zoom=0.1");
        assertEquals(new Augmentation(true, 0.2, 0.1, 0), a);
        assertEquals("flip,rotate=0.2,zoom=0.1", a.toString());
        assertEquals(a, Augmentation.parse(a.toString()));
        assertEquals(Augmentation.NONE, Augmentation.parse("none"));
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("flip,spin"));
        assertTrue(bad.getMessage().contains("`spin`"), bad.getMessage());
        bad = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("rotate=2"));
        assertTrue(bad.getMessage().contains("rotate=2.0"), bad.getMessage());
    }

    /** Draws stay within the factors; rotation 0.2 of a turn reaches beyond 60 degrees. */
    @Test
    void drawsCoverTheirRanges() {
        Augmentation a = new Augmentation(true, 0.2, 0.1, 0);
        Random random = new Random(3);
        int mirrored = 0;
        double widest = 0;
        for (int i = 0; i < 1000; i++) {
            AugmentationDraw d = a.draw(random);
            mirrored += d.mirror() ? 1 : 0;
            assertTrue(Math.abs(d.angle()) <= 0.2 * 2 * Math.PI, "angle " + d.angle());
            assertTrue(d.zoom() >= 0.9 && d.zoom() <= 1.1, "zoom " + d.zoom());
            assertEquals(1.0, d.contrast());
            widest = Math.max(widest, Math.abs(d.angle()));
        }
        assertTrue(mirrored > 400 && mirrored < 600, mirrored + " of 1000 mirrored");
        assertTrue(widest > Math.toRadians(60), "widest angle " + Math.toDegrees(widest));
    }

    /** TensorFlow's FILL_REFLECT on a coordinate (ImageProjectiveTransform), then the clamp. */
    private static double reflect(double c, int len) {
        double sz2 = 2.0 * len;
        if (c < 0) {
            c = sz2 * (long) (-c / sz2) + c;
            c = c < -len ? c + sz2 : -c - 1;
        } else if (c > len - 1) {
            c -= sz2 * (long) (c / sz2);
            if (c >= len) {
                c = sz2 - c - 1;
            }
        }
        return Math.max(0, Math.min(len - 1, c));
    }

    private static double bilinear(float[][] image, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        int x1 = Math.min(x0 + 1, image[0].length - 1);
        int y1 = Math.min(y0 + 1, image.length - 1);
        double fx = x - x0;
        double fy = y - y0;
        double top = (1 - fx) * image[y0][x0] + fx * image[y0][x1];
        double bottom = (1 - fx) * image[y1][x0] + fx * image[y1][x1];
        return (1 - fy) * top + fy * bottom;
    }

    /** The draw applied to a one-channel float image, the range [-1, 1]. */
    private static float[][] apply(float[][] image, AugmentationDraw draw) {
        int h = image.length;
        int w = image[0].length;
        Mat mat = new Mat(h, w, CvType.CV_32FC1);
        Mat scratch = new Mat();
        try {
            for (int r = 0; r < h; r++) {
                mat.put(r, 0, image[r]);
            }
            Mat result = draw.apply(mat, scratch, -1, 1);
            float[][] out = new float[h][w];
            for (int r = 0; r < h; r++) {
                result.get(r, 0, out[r]);
            }
            return out;
        } finally {
            mat.release();
            scratch.release();
        }
    }
}
