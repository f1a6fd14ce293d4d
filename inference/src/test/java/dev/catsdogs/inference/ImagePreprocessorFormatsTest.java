package dev.catsdogs.inference;

import static dev.catsdogs.inference.TestImages.scaled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Gray, RGBA, BMP, real JPEG photos, and every input form (Path, bytes, buffers, Mat, image). */
class ImagePreprocessorFormatsTest {

    private static final float EPS = 1e-5f;
    private static final int SIZE = 160;

    @TempDir Path dir;

    // Full-size JPEG decoding: ImageIO, behind the reference, decodes every pixel too.
    // ScaledJpegDecodingTest covers scaled decoding.
    private final ImagePreprocessor mobileNet =
            ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(SIZE))
                    .optFastJpegDecode(false)
                    .build();
    private final ImagePreprocessor identity2x2 =
            new ImagePreprocessor(PreprocessingSpec.mobileNetV2(2));

    @Test
    void grayPngBecomesThreeEqualChannels() throws Exception {
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 100, 200, 255};
        gray.getRaster().setPixels(0, 0, 2, 2, values);
        Path png = TestImages.write(gray, "png", dir.resolve("gray.png"));

        float[] t = identity2x2.preprocess(ImageInput.of(png));
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(scaled(values[i]), t[c * 4 + i], EPS, "channel " + c + " pixel " + i);
            }
        }
        float[] fromImage = new float[12];
        identity2x2.preprocess(ImageInput.of(gray, "gray"), FloatBuffer.wrap(fromImage));
        assertArrayEquals(t, fromImage, "a gray BufferedImage must not go through sRGB conversion");
    }

    @Test
    void rgbaPngDropsAlphaWithoutBlending() throws Exception {
        BufferedImage rgba = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00FF0000); // fully transparent red: colour kept, not blended to black
        rgba.setRGB(1, 0, 0x8000FF00); // half transparent green
        rgba.setRGB(0, 1, 0xFF0000FF); // opaque blue
        rgba.setRGB(1, 1, 0xFF808080);
        Path png = TestImages.write(rgba, "png", dir.resolve("rgba.png"));

        float[] t = identity2x2.preprocess(ImageInput.of(png));
        float[] expected = {
            scaled(255), scaled(0), scaled(0), scaled(128), // R plane
            scaled(0), scaled(255), scaled(0), scaled(128), // G plane
            scaled(0), scaled(0), scaled(255), scaled(128), // B plane
        };
        assertArrayEquals(expected, t, EPS);
        float[] fromImage = new float[12];
        identity2x2.preprocess(ImageInput.of(rgba, "rgba"), FloatBuffer.wrap(fromImage));
        assertArrayEquals(expected, fromImage, EPS);
    }

    @Test
    void bmpAndPngOfTheSamePixelsAgree() throws Exception {
        BufferedImage bgr = new BufferedImage(5, 3, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                bgr.setRGB(x, y, (40 * x) << 16 | (70 * y) << 8 | (13 * (x + y)));
            }
        }
        Path bmp = TestImages.write(bgr, "bmp", dir.resolve("img.bmp"));
        Path png = TestImages.write(bgr, "png", dir.resolve("img.png"));
        float[] fromBmp = mobileNet.preprocess(ImageInput.of(bmp));
        assertArrayEquals(mobileNet.preprocess(ImageInput.of(png)), fromBmp);
        float[] direct = new float[fromBmp.length];
        mobileNet.preprocess(ImageInput.of(bgr, "bgr"), FloatBuffer.wrap(direct));
        assertArrayEquals(fromBmp, direct, "TYPE_3BYTE_BGR fast path");
        // Top-left pixel is (0, 0, 0); after an upscale it is still the corner value.
        assertEquals(-1f, fromBmp[0], EPS);
    }

    /**
     * Golden check on real JPEG photos against {@link ReferenceResize} (ImageIO decode + plain Java
     * bilinear in double precision).
     *
     * <p>Why these tolerances: OpenCV decodes with its bundled libjpeg-turbo, ImageIO with the
     * JDK's own IJG-based decoder. JPEG leaves IDCT and chroma-upsampling rounding to the decoder,
     * so two conforming decoders may differ by a level or two per value; on these ten baseline
     * files they happen to agree exactly (measured max difference 3e-5 levels, i.e. float
     * rounding), but the test must not break when either library changes. So single values may
     * differ by up to 2 levels (2/127.5), while the mean absolute difference must stay under 0.1
     * level: resizing in 8-bit (rounding), a wrong channel order, a corner-aligned instead of
     * half-pixel resize or a wrong scale all move it by 0.25 level or (much) more. {@link
     * #photoAsPngMatchesExactly} checks the same photos without any decoder freedom.
     */
    @Test
    void photosMatchAnIndependentJavaImplementation() throws Exception {
        for (Path photo : TestImages.photos()) {
            float[] actual = mobileNet.preprocess(ImageInput.of(photo));
            float[] expected =
                    ReferenceResize.mobileNetV2Nchw(ImageIO.read(photo.toFile()), SIZE, SIZE);
            assertClose(photo.toString(), expected, actual, 2f / 127.5f, 0.1 / 127.5);
            assertEquals(expected[0], actual[0], 2f / 127.5f, photo + ": first value");
        }
    }

    /** The same photos losslessly re-encoded as PNG: both sides see identical pixels. */
    @Test
    void photoAsPngMatchesExactly() throws Exception {
        for (Path photo : TestImages.photos()) {
            Mat decoded = Imgcodecs.imread(photo.toString());
            Path png = dir.resolve(photo.getFileName() + ".png");
            Imgcodecs.imwrite(png.toString(), decoded);
            decoded.release();
            float[] actual = mobileNet.preprocess(ImageInput.of(png));
            float[] expected =
                    ReferenceResize.mobileNetV2Nchw(ImageIO.read(png.toFile()), SIZE, SIZE);
            assertClose(png.toString(), expected, actual, EPS, EPS);
        }
    }

    private static void assertClose(
            String what, float[] expected, float[] actual, float maxAbs, double meanAbs) {
        assertEquals(expected.length, actual.length, what);
        double max = 0;
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            max = Math.max(max, d);
            sum += d;
        }
        double mean = sum / actual.length;
        assertTrue(max <= maxAbs, what + ": max |diff| " + max * 127.5 + " levels");
        assertTrue(mean <= meanAbs, what + ": mean |diff| " + mean * 127.5 + " levels");
    }

    @Test
    void photoTensorIsInRangeAndNotConstant() throws Exception {
        float[] t = mobileNet.preprocess(ImageInput.of(TestImages.photo("dog.2002.jpg")));
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : t) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // 255 * (1 / 127.5f) - 1 rounds to 1.0000001 in float
        assertTrue(
                min >= -1f - 1e-6f && max <= 1f + 1e-6f,
                "values in [-1, 1], got " + min + ".." + max);
        assertTrue(max - min > 1f, "a photo has contrast");
    }

    @Test
    void nhwcIsTheTransposeOfNchw() throws Exception {
        Path photo = TestImages.photo("cat.2003.jpg");
        var nhwc =
                new ImagePreprocessor(
                        new PreprocessingSpec(
                                SIZE, SIZE, 1f / 127.5f, -1f, PreprocessingSpec.Layout.NHWC));
        float[] planar = mobileNet.preprocess(ImageInput.of(photo));
        float[] interleaved = nhwc.preprocess(ImageInput.of(photo));
        int plane = SIZE * SIZE;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(
                        planar[c * plane + i],
                        interleaved[3 * i + c],
                        "pixel " + i + " channel " + c);
            }
        }
    }

    @Test
    void allInputFormsGiveTheSameTensor() throws Exception {
        // A PNG so that ImageIO (BufferedImage path) and OpenCV decode identical pixels.
        Mat photo = Imgcodecs.imread(TestImages.photo("dog.2003.jpg").toString());
        MatOfByte encoded = new MatOfByte();
        Imgcodecs.imencode(".png", photo, encoded);
        byte[] png = encoded.toArray();
        encoded.release();
        Path file = Files.write(dir.resolve("dog.png"), png);
        int n = mobileNet.tensorSize();

        float[] fromPath = mobileNet.preprocess(ImageInput.of(file));

        float[] fromBytes = new float[n];
        mobileNet.preprocess(ImageInput.of(png, "dog.png"), FloatBuffer.wrap(fromBytes));
        assertArrayEquals(fromPath, fromBytes, "byte[]");

        ByteBuffer heap = ByteBuffer.allocate(png.length + 7);
        heap.position(7).mark();
        heap.put(png).reset(); // data starts at position 7, not 0
        float[] fromHeap = new float[n];
        mobileNet.preprocess(ImageInput.of(heap, "dog.png"), FloatBuffer.wrap(fromHeap));
        assertArrayEquals(fromPath, fromHeap, "heap ByteBuffer");
        assertEquals(7, heap.position(), "the encoded buffer's position is left alone");

        ByteBuffer direct = ByteBuffer.allocateDirect(png.length + 3);
        direct.position(3).mark();
        direct.put(png).reset();
        float[] fromDirect = new float[n];
        mobileNet.preprocess(ImageInput.of(direct, "dog.png"), FloatBuffer.wrap(fromDirect));
        assertArrayEquals(fromPath, fromDirect, "direct ByteBuffer");

        float[] fromMat = new float[n];
        mobileNet.preprocess(ImageInput.of(photo, "photo"), FloatBuffer.wrap(fromMat));
        assertArrayEquals(fromPath, fromMat, "BGR Mat");

        Mat bgra = new Mat();
        Imgproc.cvtColor(photo, bgra, Imgproc.COLOR_BGR2BGRA);
        float[] fromBgra = new float[n];
        mobileNet.preprocess(ImageInput.of(bgra, "bgra"), FloatBuffer.wrap(fromBgra));
        assertArrayEquals(fromPath, fromBgra, "BGRA Mat");
        assertEquals(CvType.CV_8UC4, bgra.type(), "input Mat untouched");
        bgra.release();
        photo.release();

        float[] fromImage = new float[n];
        mobileNet.preprocess(
                ImageInput.of(ImageIO.read(file.toFile()), "dog"), FloatBuffer.wrap(fromImage));
        assertArrayEquals(fromPath, fromImage, "BufferedImage");
    }

    @Test
    void writesAtThePositionAndAdvancesIt() throws Exception {
        Path photo = TestImages.photo("cat.2004.jpg");
        int n = mobileNet.tensorSize();
        FloatBuffer dst =
                ByteBuffer.allocateDirect(4 * (2 * n + 5))
                        .order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
        dst.put(0, 42f);
        dst.position(5);
        mobileNet.preprocess(ImageInput.of(photo), dst);
        assertEquals(5 + n, dst.position());
        mobileNet.preprocess(ImageInput.of(photo), dst);
        assertEquals(5 + 2 * n, dst.position());
        assertEquals(42f, dst.get(0), "values before the position are untouched");
        float[] expected = mobileNet.preprocess(ImageInput.of(photo));
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], dst.get(5 + i));
            assertEquals(expected[i], dst.get(5 + n + i));
        }
    }
}
