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
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Scaled JPEG decoding: the rule that picks 1/8, 1/4 or 1/2, the sizes it decodes to, and that
 * libturbojpeg and OpenCV's {@code IMREAD_REDUCED_COLOR_*} give the same pixels.
 *
 * <p>The preprocessor tests compare against OpenCV's reduced decoding, whichever decoder the
 * preprocessor uses, so they hold on both paths. The build runs this class twice: as usual
 * (libturbojpeg, which CI installs) and with {@code -Dcatsdogs.turbojpeg=false}, where the
 * preprocessor's own path is OpenCV's (surefire execution {@code without-libturbojpeg}).
 */
class ScaledJpegDecodingTest {

    private static final PreprocessingSpec SPEC = PreprocessingSpec.mobileNetV2(160);

    @BeforeAll
    static void loadOpenCv() {
        OpenCvLoader.ensureLoaded();
    }

    @Test
    void theSystemPropertySwitchesLibTurboJpegOff() {
        if ("false".equals(System.getProperty(TurboJpegDecoder.DISABLE_PROPERTY))) {
            assertEquals(null, TurboJpegDecoder.library());
            assertEquals("OpenCV", new ImagePreprocessor(SPEC).jpegDecoder());
        } else {
            assertEquals(
                    TurboJpegDecoder.library() == null,
                    new ImagePreprocessor(SPEC).jpegDecoder().equals("OpenCV"));
        }
    }

    @Test
    void picksTheStrongestReductionThatStillCoversTheTarget() {
        // ceil(1273 / 8) = 160: 1/8 just fits; one pixel less and 1/4 it is.
        assertEquals(8, JpegScaling.denominator(1273, 1273, 1, 160, 160));
        assertEquals(4, JpegScaling.denominator(1272, 1273, 1, 160, 160));
        assertEquals(4, JpegScaling.denominator(1273, 1272, 1, 160, 160));
        assertEquals(4, JpegScaling.denominator(637, 637, 1, 160, 160)); // ceil(637/4) = 160
        assertEquals(2, JpegScaling.denominator(636, 4000, 1, 160, 160));
        assertEquals(2, JpegScaling.denominator(319, 319, 1, 160, 160)); // ceil(319/2) = 160
        assertEquals(1, JpegScaling.denominator(318, 4000, 1, 160, 160));
        assertEquals(1, JpegScaling.denominator(100, 80, 1, 160, 160), "smaller than the target");
        assertEquals(8, JpegScaling.denominator(4032, 3024, 1, 160, 160), "a 12 MP photo");
        assertEquals(2, JpegScaling.denominator(500, 375, 1, 160, 160), "the data set's photos");
        // A non-square target: orientations 5-8 swap the stored sides.
        assertEquals(8, JpegScaling.denominator(1600, 400, 1, 50, 200));
        assertEquals(2, JpegScaling.denominator(1600, 400, 6, 50, 200));
        assertEquals(2, JpegScaling.denominator(1600, 400, 5, 50, 200));
        assertEquals(8, JpegScaling.denominator(1600, 400, 3, 50, 200));
        // An unreadable orientation: both sides must cover the larger target side.
        assertEquals(2, JpegScaling.denominator(1600, 400, 0, 50, 200));
        assertEquals(1, JpegScaling.denominator(1600, 300, 0, 50, 200));
        assertEquals(3, JpegScaling.scaled(9, 4), "libjpeg rounds up");
    }

    /** libturbojpeg at 1/2, 1/4 and 1/8 against OpenCV's reduced decoding of the same bytes. */
    @Test
    void libTurboJpegGivesOpenCvsReducedPixels() throws Exception {
        assumeTrue(TurboJpegDecoder.library() != null, "libturbojpeg not installed or disabled");
        TurboJpegDecoder decoder = TurboJpegDecoder.createOrNull();
        assertNotNull(decoder);
        Mat rgb = new Mat();
        Mat expected = new Mat();
        Mat difference = new Mat();
        List<byte[]> jpegs = new ArrayList<>();
        for (Path photo : photos()) {
            jpegs.add(Files.readAllBytes(photo));
        }
        jpegs.add(TestImages.jpeg(photoLike(333, 161, CvType.CV_8UC3))); // odd sides
        jpegs.add(TestImages.jpeg(photoLike(1001, 667, CvType.CV_8UC1))); // gray
        int compared = 0;
        for (byte[] bytes : jpegs) {
            for (int d : new int[] {1, 2, 4, 8}) {
                ByteBuffer jpeg = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                assertTrue(decoder.decodeRgb(jpeg, rgb, "test.jpg", d));
                Mat bgr = Imgcodecs.imdecode(new MatOfByte(bytes), JpegScaling.imreadFlag(d));
                Imgproc.cvtColor(bgr, expected, Imgproc.COLOR_BGR2RGB);
                assertEquals(expected.size(), rgb.size(), "1/" + d);
                Core.absdiff(rgb, expected, difference);
                assertEquals(0.0, Core.norm(difference, Core.NORM_INF), "bit-identical at 1/" + d);
                bgr.release();
                compared++;
            }
        }
        assertTrue(compared >= 4 * 12, "compared " + compared);
        decoder.close();
    }

    @Test
    void libTurboJpegDecodesOddSidesToTheirRoundedUpSize() throws Exception {
        assumeTrue(TurboJpegDecoder.library() != null, "libturbojpeg not installed or disabled");
        byte[] bytes = TestImages.jpeg(photoLike(333, 161, CvType.CV_8UC3));
        try (TurboJpegDecoder decoder = TurboJpegDecoder.createOrNull()) {
            Mat rgb = new Mat();
            int[][] expected = {{1, 333, 161}, {2, 167, 81}, {4, 84, 41}, {8, 42, 21}};
            for (int[] e : expected) {
                ByteBuffer jpeg = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                assertTrue(decoder.decodeRgb(jpeg, rgb, "odd.jpg", e[0]));
                assertEquals(new Size(e[1], e[2]), rgb.size(), "1/" + e[0]);
                assertEquals(CvType.CV_8UC3, rgb.type());
            }
            // 1x1: tjDecompress2 would pick 1/1 for "1x1", not 1/8; the decoder leaves it to
            // OpenCV.
            byte[] tiny = TestImages.jpeg(photoLike(1, 1, CvType.CV_8UC3));
            ByteBuffer jpeg = ByteBuffer.allocateDirect(tiny.length).put(tiny).flip();
            assertFalse(decoder.decodeRgb(jpeg, rgb, "tiny.jpg", 8));
            rgb.release();
        }
    }

    /**
     * The preprocessor on photos, on both decoders: exactly the original pipeline after OpenCV's
     * reduced decoding at the rule's scale.
     */
    @Test
    void preprocessingIsTheOriginalPipelineAfterAReducedDecode() throws Exception {
        ImagePreprocessor scaled = new ImagePreprocessor(SPEC);
        ImagePreprocessor openCv = ImagePreprocessor.builder(SPEC).optTurboJpeg(false).build();
        assertTrue(scaled.fastJpegDecode(), "the default");
        int smaller = 0;
        for (Path photo : photos()) {
            byte[] bytes = Files.readAllBytes(photo);
            ImageHeader header = ImageHeader.read(ByteBuffer.wrap(bytes), "h", Long.MAX_VALUE);
            int d =
                    JpegScaling.denominator(
                            header.width(), header.height(), header.exifOrientation(), 160, 160);
            smaller += d > 1 ? 1 : 0;
            for (ImagePreprocessor pre : List.of(scaled, openCv)) {
                Mat reduced = Imgcodecs.imdecode(new MatOfByte(bytes), JpegScaling.imreadFlag(d));
                float[] expected = expected(pre, reduced);
                assertArrayEquals(
                        expected,
                        pre.preprocess(ImageInput.of(photo)),
                        photo + " 1/" + d + pre.jpegDecoder());
            }
        }
        assertTrue(smaller >= 5, "photos decoded at reduced size: " + smaller);
        scaled.close();
        openCv.close();
    }

    /**
     * Sizes through the whole preprocessor: with the output exactly the reduced size nothing is
     * resized, so the tensor is the decoded pixels themselves, and a decode one pixel off would
     * show. Odd sides, gray, and EXIF orientations that swap the sides.
     */
    @Test
    void decodesOddGrayAndRotatedJpegsToTheExpectedSize() throws Exception {
        // 645x323 at 1/4 is 162x81 (both rounded up); at 1/8 it would be 81x41, too small.
        Mat colour = photoLike(645, 323, CvType.CV_8UC3);
        Mat gray = photoLike(645, 323, CvType.CV_8UC1);
        for (Mat source : List.of(colour, gray)) {
            byte[] jpeg = TestImages.jpeg(source);
            PreprocessingSpec exact = new PreprocessingSpec(81, 162, 1f / 127.5f, -1f, nchw());
            float[] expected =
                    TestImages.originalPipeline(
                            Imgcodecs.imdecode(
                                    new MatOfByte(jpeg), Imgcodecs.IMREAD_REDUCED_COLOR_4),
                            exact);
            assertEquals(3 * 81 * 162, expected.length);
            assertPathsGive(expected, exact, jpeg, "upright " + CvType.typeToString(source.type()));
            if (source.channels() == 1) {
                int plane = 81 * 162;
                for (int i = 0; i < plane; i++) {
                    assertEquals(expected[i], expected[plane + i], "gray: R = G");
                }
            }
            for (int orientation : new int[] {3, 6, 8, 5}) {
                byte[] rotated = TestImages.withExifOrientation(jpeg, orientation, false);
                boolean swapped = orientation >= 5;
                PreprocessingSpec turned =
                        swapped ? new PreprocessingSpec(162, 81, 1f / 127.5f, -1f, nchw()) : exact;
                Mat upright =
                        Imgcodecs.imdecode(
                                new MatOfByte(rotated), Imgcodecs.IMREAD_REDUCED_COLOR_4);
                assertEquals(
                        swapped ? new Size(81, 162) : new Size(162, 81),
                        upright.size(),
                        "OpenCV turns the reduced image upright");
                assertPathsGive(
                        TestImages.originalPipeline(upright, turned),
                        turned,
                        rotated,
                        "orientation " + orientation);
            }
        }
        colour.release();
        gray.release();
    }

    @Test
    void fullDecodingStaysSelectable() throws Exception {
        Path photo = TestImages.photo("dog.2004.jpg"); // 500x374: 1/2 when scaled
        ImagePreprocessor full = ImagePreprocessor.builder(SPEC).optFastJpegDecode(false).build();
        assertFalse(full.fastJpegDecode());
        float[] expected = expected(full, Imgcodecs.imread(photo.toString()));
        assertArrayEquals(expected, full.preprocess(ImageInput.of(photo)));
        float[] scaled = new ImagePreprocessor(SPEC).preprocess(ImageInput.of(photo));
        double maxDiff = 0;
        for (int i = 0; i < scaled.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(scaled[i] - expected[i]));
        }
        assertTrue(maxDiff > 0.01, "scaled decoding changes pixels: " + maxDiff);
        full.close();
    }

    /** What {@code pre} makes of the decoded {@code bgr} (see {@link TestImages}). */
    private static float[] expected(ImagePreprocessor pre, Mat bgr) {
        return pre.jpegDecoder().equals("OpenCV")
                ? TestImages.openCvOrderPipeline(bgr, pre.spec())
                : TestImages.originalPipeline(bgr, pre.spec());
    }

    private static void assertPathsGive(
            float[] expected, PreprocessingSpec spec, byte[] jpeg, String what)
            throws InvalidImageException {
        for (boolean turbo : new boolean[] {true, false}) {
            try (ImagePreprocessor pre =
                    ImagePreprocessor.builder(spec).optTurboJpeg(turbo).build()) {
                float[] tensor = new float[spec.tensorSize()];
                pre.preprocess(ImageInput.of(jpeg, "test.jpg"), FloatBuffer.wrap(tensor));
                assertArrayEquals(expected, tensor, what + " via " + pre.jpegDecoder());
            }
        }
    }

    private static PreprocessingSpec.Layout nchw() {
        return PreprocessingSpec.Layout.NCHW;
    }

    /** Smooth random content (compresses like a photo) of the given size and type. */
    private static Mat photoLike(int width, int height, int type) {
        Mat image = new Mat(height, width, type);
        Core.randu(image, 0, 256);
        if (width > 1 && height > 1) {
            Imgproc.GaussianBlur(image, image, new Size(9, 9), 3);
        }
        return image;
    }

    private static List<Path> photos() throws IOException {
        return TestImages.photosAndSharedSample(50);
    }
}
