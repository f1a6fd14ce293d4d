package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.catsdogs.inference.internal.OpenCvLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * The libturbojpeg fast path changes nothing: the same pixels as OpenCV's decoder, the same tensors
 * as the original OpenCV-only pipeline, and OpenCV still handles what the fast path must not.
 * Comparisons between the two decoders use the default (scaled) decoding, those with the original
 * pipeline full-size decoding; {@link ScaledJpegDecodingTest} covers what scaling adds.
 */
class JpegDecodingTest {

    private static final PreprocessingSpec SPEC = PreprocessingSpec.mobileNetV2(160);

    // .ci/run installs libturbojpeg0, so there these tests run rather than skip.
    @BeforeAll
    static void needsLibTurboJpeg() {
        OpenCvLoader.ensureLoaded();
        assumeTrue(
                TurboJpegDecoder.library() != null,
                "libturbojpeg is not installed (apt-get install libturbojpeg0)");
    }

    private static List<Path> photos() throws IOException {
        return TestImages.photosAndSharedSample(25);
    }

    @Test
    void decodesTheSamePixelsAsOpenCv() throws Exception {
        TurboJpegDecoder decoder = TurboJpegDecoder.createOrNull();
        assertNotNull(decoder);
        Mat rgb = new Mat();
        Mat expected = new Mat();
        Mat difference = new Mat();
        List<Path> photos = photos();
        for (Path photo : photos) {
            byte[] bytes = Files.readAllBytes(photo);
            ByteBuffer jpeg = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            assertTrue(decoder.decodeRgb(jpeg, rgb, photo.toString(), 1), photo.toString());
            Mat bgr = Imgcodecs.imdecode(new MatOfByte(bytes), Imgcodecs.IMREAD_COLOR);
            Imgproc.cvtColor(bgr, expected, Imgproc.COLOR_BGR2RGB);
            assertEquals(expected.size(), rgb.size(), photo.toString());
            Core.absdiff(rgb, expected, difference);
            assertEquals(0.0, Core.norm(difference, Core.NORM_INF), photo.toString());
            bgr.release();
        }
        assertTrue(photos.size() >= 10);
    }

    @Test
    void tensorsAreThoseOfTheOriginalOpenCvPipeline() throws Exception {
        ImagePreprocessor fast = fullSize().build();
        assertTrue(fast.jpegDecoder().startsWith("libturbojpeg"), fast.jpegDecoder());
        for (Path photo : photos()) {
            float[] expected = originalPipeline(Imgcodecs.imread(photo.toString()));
            assertArrayEquals(expected, fast.preprocess(ImageInput.of(photo)), photo.toString());
        }
    }

    @Test
    void fastAndOpenCvPathsAgreeIntoEveryKindOfBuffer() throws Exception {
        ImagePreprocessor fast = new ImagePreprocessor(SPEC);
        ImagePreprocessor openCv = ImagePreprocessor.builder(SPEC).optTurboJpeg(false).build();
        assertEquals("OpenCV", openCv.jpegDecoder());
        int n = SPEC.tensorSize();
        for (Path photo : TestImages.photos()) {
            float[] expected = openCv.preprocess(ImageInput.of(photo));
            FloatBuffer nativeOrder = direct(n + 3, ByteOrder.nativeOrder());
            nativeOrder.position(3);
            fast.preprocess(ImageInput.of(photo), nativeOrder);
            FloatBuffer bigEndian = direct(n, ByteOrder.BIG_ENDIAN);
            fast.preprocess(ImageInput.of(photo), bigEndian);
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i], nativeOrder.get(3 + i), photo + " native order " + i);
                assertEquals(expected[i], bigEndian.get(i), photo + " big endian " + i);
            }
        }
    }

    @Test
    void grayJpegBecomesThreeEqualChannelsOnBothPaths() throws Exception {
        Mat gray = new Mat(120, 200, CvType.CV_8UC1);
        Core.randu(gray, 0, 256);
        Imgproc.GaussianBlur(gray, gray, new Size(9, 9), 3); // photo-like, compressible
        byte[] jpeg = TestImages.jpeg(gray);
        float[] fast = preprocess(new ImagePreprocessor(SPEC), jpeg);
        float[] openCv =
                preprocess(ImagePreprocessor.builder(SPEC).optTurboJpeg(false).build(), jpeg);
        assertArrayEquals(openCv, fast);
        int plane = SPEC.height() * SPEC.width();
        for (int i = 0; i < plane; i++) {
            assertEquals(fast[i], fast[plane + i]);
            assertEquals(fast[i], fast[2 * plane + i]);
        }
    }

    @Test
    void everyExifOrientationMatchesOpenCvAndDamageIsStillRefused() throws Exception {
        byte[] upright = Files.readAllBytes(TestImages.photo("cat.2003.jpg"));
        ImagePreprocessor fast = new ImagePreprocessor(SPEC);
        ImagePreprocessor openCv = ImagePreprocessor.builder(SPEC).optTurboJpeg(false).build();
        for (int orientation = 1; orientation <= 8; orientation++) {
            byte[] oriented =
                    TestImages.withExifOrientation(upright, orientation, orientation % 2 == 0);
            assertArrayEquals(
                    preprocess(openCv, oriented),
                    preprocess(fast, oriented),
                    "orientation " + orientation);
            // Rotated files now go through libturbojpeg too, so its warnings still count.
            byte[] damaged = oriented.clone();
            for (int i = damaged.length / 2; i < damaged.length / 2 + 64; i++) {
                damaged[i] = (byte) 0xA5;
            }
            InvalidImageException e =
                    org.junit.jupiter.api.Assertions.assertThrows(
                            InvalidImageException.class, () -> preprocess(fast, damaged));
            assertTrue(e.problem().startsWith("corrupt JPEG data (libjpeg-turbo: "), e.problem());
        }
    }

    @Test
    void exifRotatedJpegIsRotatedByOpenCv() throws Exception {
        byte[] upright = Files.readAllBytes(TestImages.photo("dog.2001.jpg")); // 499 wide
        for (boolean bigEndian : new boolean[] {true, false}) {
            byte[] rotated =
                    TestImages.withExifOrientation(upright, 6, bigEndian); // 90 degrees clockwise
            ImageHeader header =
                    ImageHeader.read(ByteBuffer.wrap(rotated), "rotated", Long.MAX_VALUE);
            assertEquals(6, header.exifOrientation());
            assertFalse(header.upright());

            float[] fast = preprocess(fullSize().build(), rotated);
            float[] openCv = preprocess(fullSize().optTurboJpeg(false).build(), rotated);
            assertArrayEquals(openCv, fast, "big endian EXIF: " + bigEndian);
            Mat turned = new Mat();
            Core.rotate(
                    Imgcodecs.imdecode(new MatOfByte(upright), Imgcodecs.IMREAD_COLOR),
                    turned,
                    Core.ROTATE_90_CLOCKWISE);
            assertArrayEquals(originalPipeline(turned), fast, "rotated, not upright");
        }
        byte[] orientationOne = TestImages.withExifOrientation(upright, 1, false);
        assertTrue(
                ImageHeader.read(ByteBuffer.wrap(orientationOne), "one", Long.MAX_VALUE).upright());
    }

    @Test
    void corruptScanDataIsRefusedWhereLibjpegWarns() throws Exception {
        byte[] jpeg = Files.readAllBytes(TestImages.photo("cat.2002.jpg"));
        for (int i = jpeg.length / 2; i < jpeg.length / 2 + 64; i++) {
            jpeg[i] = (byte) 0xA5; // garbage inside the entropy-coded data; headers intact
        }
        // libjpeg "decodes" such data with a warning and grey blocks; the fast path fails on it.
        InvalidImageException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        InvalidImageException.class,
                        () -> preprocess(new ImagePreprocessor(SPEC), jpeg));
        assertTrue(e.problem().startsWith("corrupt JPEG data (libjpeg-turbo: "), e.problem());
        // OpenCV's decoder ignores libjpeg's warnings: its path (no libturbojpeg, EXIF-rotated or
        // CMYK files) still returns a tensor. The documented limit of that path.
        preprocess(ImagePreprocessor.builder(SPEC).optTurboJpeg(false).build(), jpeg);
    }

    @Test
    void halfAFileWithAnEndMarkerIsRefused() throws Exception {
        byte[] photo = Files.readAllBytes(TestImages.photo("dog.2002.jpg"));
        byte[] half = java.util.Arrays.copyOf(photo, photo.length / 2 + 2);
        half[half.length - 2] = (byte) 0xFF;
        half[half.length - 1] = (byte) 0xD9;
        InvalidImageException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        InvalidImageException.class,
                        () -> preprocess(new ImagePreprocessor(SPEC), half));
        assertTrue(e.problem().startsWith("corrupt JPEG data (libjpeg-turbo: "), e.problem());
    }

    @Test
    void largePhotosFreeTheirScratchAndStillAgree() throws Exception {
        Mat big = new Mat(2000, 2600, CvType.CV_8UC3); // 5.2 MP: over the retained-scratch limit
        Core.randu(big, 0, 256);
        Imgproc.GaussianBlur(big, big, new Size(15, 15), 5);
        byte[] jpeg = TestImages.jpeg(big);
        ImagePreprocessor fast = fullSize().build(); // scaled decoding would not be large
        float[] first = preprocess(fast, jpeg);
        float[] small = preprocess(fast, Files.readAllBytes(TestImages.photo("cat.2000.jpg")));
        assertArrayEquals(first, preprocess(fast, jpeg), "after its scratch was freed");
        assertArrayEquals(
                originalPipeline(Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR)),
                first);
        assertArrayEquals(
                fast.preprocess(ImageInput.of(TestImages.photo("cat.2000.jpg"))),
                small,
                "small after large");
        big.release();
    }

    /** Decodes JPEGs at full size, as before scaled decoding: what the original pipeline did. */
    private static ImagePreprocessor.Builder fullSize() {
        return ImagePreprocessor.builder(SPEC).optFastJpegDecode(false);
    }

    /** The pipeline as first written, at {@link #SPEC}. */
    private static float[] originalPipeline(Mat bgr) {
        return TestImages.originalPipeline(bgr, SPEC);
    }

    private static float[] preprocess(ImagePreprocessor preprocessor, byte[] encoded)
            throws InvalidImageException {
        float[] tensor = new float[SPEC.tensorSize()];
        preprocessor.preprocess(ImageInput.of(encoded, "test.jpg"), FloatBuffer.wrap(tensor));
        return tensor;
    }

    private static FloatBuffer direct(int floats, ByteOrder order) {
        return ByteBuffer.allocateDirect(4 * floats).order(order).asFloatBuffer();
    }
}
