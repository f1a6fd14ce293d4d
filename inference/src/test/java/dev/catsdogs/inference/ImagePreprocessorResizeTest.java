package dev.catsdogs.inference;

import static dev.catsdogs.inference.TestImages.filled;
import static dev.catsdogs.inference.TestImages.scaled;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.catsdogs.inference.PreprocessingSpec.Layout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resizing, channel order and layout against values computed by hand (lossless PNG inputs, so the
 * only arithmetic is the bilinear half-pixel resize and the scaling; tolerance 1e-5).
 *
 * <p>Half-pixel centres: destination pixel {@code d} samples source coordinate {@code (d + 0.5) *
 * in/out - 0.5}, clamped to {@code [0, in - 1]}.
 */
class ImagePreprocessorResizeTest {

    private static final float EPS = 1e-5f;

    @TempDir Path dir;

    private float[] preprocess(
            int[][] r, int[][] g, int[][] b, int height, int width, Layout layout)
            throws InvalidImageException {
        Path png = TestImages.write(TestImages.rgb(r, g, b), "png", dir.resolve("img.png"));
        var spec = new PreprocessingSpec(height, width, 1f / 127.5f, -1f, layout);
        return new ImagePreprocessor(spec).preprocess(ImageInput.of(png));
    }

    // 2x2 -> 4x4: source x for dst 0..3 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1),
    // i.e. weights (1,0), (.75,.25), (.25,.75), (0,1); same for y.
    private static final int[][] R_2X2 = {{0, 64}, {128, 255}};
    private static final double[][] R_4X4 = {
        {0, 16, 48, 64}, // top row: 0 and 64 mixed
        {32, 51.9375, 91.8125, 111.75}, // .75 top + .25 bottom
        {96, 123.8125, 179.4375, 207.25}, // .25 top + .75 bottom
        {128, 159.75, 223.25, 255}, // bottom row: 128 and 255 mixed
    };
    private static final int[][] B_2X2 = {{10, 250}, {10, 250}};
    private static final double[] B_ROW_4 = {10, 70, 190, 250};

    @Test
    void upsample2x2To4x4MatchesHandComputedBilinearNchw() throws Exception {
        float[] t = preprocess(R_2X2, filled(2, 2, 200), B_2X2, 4, 4, Layout.NCHW);
        assertEquals(3 * 16, t.length);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int i = y * 4 + x;
                assertEquals(
                        scaled(R_4X4[y][x]),
                        t[i],
                        EPS,
                        "R plane first (RGB order) at " + y + "," + x);
                assertEquals(scaled(200), t[16 + i], EPS, "G plane second at " + y + "," + x);
                assertEquals(scaled(B_ROW_4[x]), t[32 + i], EPS, "B plane third at " + y + "," + x);
            }
        }
    }

    @Test
    void upsample2x2To4x4MatchesHandComputedBilinearNhwc() throws Exception {
        float[] t = preprocess(R_2X2, filled(2, 2, 200), B_2X2, 4, 4, Layout.NHWC);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int p = 3 * (y * 4 + x);
                assertEquals(scaled(R_4X4[y][x]), t[p], EPS, "R at " + y + "," + x);
                assertEquals(scaled(200), t[p + 1], EPS, "G at " + y + "," + x);
                assertEquals(scaled(B_ROW_4[x]), t[p + 2], EPS, "B at " + y + "," + x);
            }
        }
    }

    @Test
    void sameSizeKeepsPixelsAndPutsRedFirst() throws Exception {
        int[][] r = {{255, 0}, {0, 0}};
        int[][] g = {{0, 255}, {0, 0}};
        int[][] b = {{0, 0}, {255, 0}};
        float[] t = preprocess(r, g, b, 2, 2, Layout.NCHW);
        float[] expected = {
            1, -1, -1, -1, // R plane: only top-left is red
            -1, 1, -1, -1, // G plane: top-right
            -1, -1, 1, -1, // B plane: bottom-left
        };
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], t[i], EPS, "index " + i);
        }
    }

    // 4x4 -> 3x3: source coordinate (d + 0.5) * 4/3 - 0.5 = 1/6, 3/2, 17/6. On a linear ramp
    // v = 30 * x bilinear interpolation is exact: 5, 45, 85.
    @Test
    void downsample4x4To3x3OnLinearRamps() throws Exception {
        int[][] r = new int[4][4];
        int[][] g = new int[4][4];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                r[y][x] = 30 * x;
                g[y][x] = 30 * y;
            }
        }
        float[] t = preprocess(r, g, filled(4, 4, 0), 3, 3, Layout.NCHW);
        double[] ramp = {5, 45, 85};
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(scaled(ramp[x]), t[y * 3 + x], EPS, "R follows x at " + y + "," + x);
                assertEquals(
                        scaled(ramp[y]), t[9 + y * 3 + x], EPS, "G follows y at " + y + "," + x);
                assertEquals(-1f, t[18 + y * 3 + x], EPS, "B is 0");
            }
        }
    }

    // Exact 2x downscale samples at 0.5, 2.5: the mean of each 2x2 block. With v = 16y + 4x the
    // block means are 10, 18 (top) and 42, 50 (bottom).
    @Test
    void halvingAveragesTwoByTwoBlocks() throws Exception {
        int[][] r = new int[4][4];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                r[y][x] = 16 * y + 4 * x;
            }
        }
        float[] t = preprocess(r, filled(4, 4, 0), filled(4, 4, 0), 2, 2, Layout.NCHW);
        assertEquals(scaled(10), t[0], EPS);
        assertEquals(scaled(18), t[1], EPS);
        assertEquals(scaled(42), t[2], EPS);
        assertEquals(scaled(50), t[3], EPS);
    }

    // Width 4 -> 2 (samples at x = 0.5, 2.5) and height 2 -> 4 (y = 0, .25, .75, 1 after clamping):
    // checks that height and width are not swapped.
    @Test
    void nonSquareResizeKeepsAxesApart() throws Exception {
        int[][] r = new int[2][4];
        int[][] g = new int[2][4];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                r[y][x] = 30 * x;
                g[y][x] = 100 * y;
            }
        }
        float[] t = preprocess(r, g, filled(2, 4, 0), 4, 2, Layout.NCHW);
        assertEquals(3 * 4 * 2, t.length);
        double[] rColumns = {15, 75};
        double[] gRows = {0, 25, 75, 100};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 2; x++) {
                assertEquals(scaled(rColumns[x]), t[y * 2 + x], EPS, "R at " + y + "," + x);
                assertEquals(scaled(gRows[y]), t[8 + y * 2 + x], EPS, "G at " + y + "," + x);
            }
        }
    }

    @Test
    void scaleAndOffsetComeFromTheSpec() throws Exception {
        Path png = TestImages.write(TestImages.solid(3, 3, 0x336699), "png", dir.resolve("s.png"));
        var spec = new PreprocessingSpec(2, 2, 0.5f, 3f, Layout.NCHW);
        float[] t = new ImagePreprocessor(spec).preprocess(ImageInput.of(png));
        assertEquals(0x33 * 0.5f + 3f, t[0], EPS);
        assertEquals(0x66 * 0.5f + 3f, t[4], EPS);
        assertEquals(0x99 * 0.5f + 3f, t[8], EPS);
    }
}
