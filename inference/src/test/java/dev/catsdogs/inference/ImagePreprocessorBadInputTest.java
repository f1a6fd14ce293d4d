package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Every kind of bad input raises {@link InvalidImageException} naming the input and the problem,
 * leaves {@code dst} untouched, and the preprocessor keeps working afterwards.
 */
class ImagePreprocessorBadInputTest {

    @TempDir Path dir;

    private final ImagePreprocessor preprocessor =
            new ImagePreprocessor(PreprocessingSpec.mobileNetV2(32));
    private final Path good = TestImages.photo("cat.2001.jpg");

    private InvalidImageException refused(Path file, String expectedProblem) {
        FloatBuffer dst = FloatBuffer.allocate(preprocessor.tensorSize());
        InvalidImageException e =
                assertThrows(
                        InvalidImageException.class,
                        () -> preprocessor.preprocess(ImageInput.of(file), dst));
        assertEquals(file.toString(), e.input());
        assertTrue(
                e.problem().contains(expectedProblem),
                "problem should mention '" + expectedProblem + "': " + e.problem());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertEquals(0, dst.position(), "dst untouched on failure");
        return e;
    }

    @AfterEach
    void stillWorksAfterwards() throws Exception {
        float[] t = preprocessor.preprocess(ImageInput.of(good));
        assertArrayEquals(
                new ImagePreprocessor(PreprocessingSpec.mobileNetV2(32))
                        .preprocess(ImageInput.of(good)),
                t);
    }

    @Test
    void zeroByteFile() throws Exception {
        refused(Files.createFile(dir.resolve("empty.jpg")), "empty file (0 bytes)");
    }

    @Test
    void missingFile() {
        refused(dir.resolve("nope.jpg"), "file not found");
    }

    @Test
    void directory() throws Exception {
        refused(Files.createDirectory(dir.resolve("folder.jpg")), "is a directory");
    }

    @Test
    void truncatedJpegInTheScanData() throws Exception {
        byte[] jpeg = Files.readAllBytes(good);
        Path half = Files.write(dir.resolve("half.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        refused(half, "truncated");
    }

    @Test
    void truncatedJpegInTheHeaders() throws Exception {
        byte[] jpeg = Files.readAllBytes(good);
        refused(Files.write(dir.resolve("head.jpg"), Arrays.copyOf(jpeg, 100)), "truncated");
    }

    @Test
    void textRenamedToJpg() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "Hello, this is not a picture\n");
        InvalidImageException e = refused(text, "unsupported format");
        assertTrue(e.problem().contains("text starting with \"Hello"), e.problem());
    }

    @Test
    void gifIsUnsupported() throws Exception {
        Path gif = TestImages.write(TestImages.solid(4, 4, 0x123456), "gif", dir.resolve("a.gif"));
        InvalidImageException e = refused(gif, "unsupported format: GIF");
        assertTrue(e.problem().contains("expected JPEG, PNG or BMP"), e.problem());
    }

    @Test
    void pdfIsUnsupported() throws Exception {
        Path pdf =
                Files.writeString(
                        dir.resolve("scan.jpg"),
                        "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n",
                        StandardCharsets.ISO_8859_1);
        refused(pdf, "unsupported format: PDF");
    }

    @Test
    void binaryGarbageShowsItsFirstBytes() throws Exception {
        Path junk = Files.write(dir.resolve("junk.png"), new byte[] {0, 1, 2, (byte) 0xFE, 5});
        refused(junk, "starting with bytes 00 01 02 fe 05");
    }

    @Test
    void pngBombIsRefusedFromItsHeader() throws Exception {
        // 100000 x 100000 RGBA would need 40 GB to decode; the file is 57 bytes.
        Path bomb = Files.write(dir.resolve("bomb.png"), png(100_000, 100_000));
        refused(bomb, "100000x100000 = 10000000000 pixels, over the limit of 50000000");
    }

    @Test
    void jpegAndBmpBombsAreRefusedToo() throws Exception {
        byte[] jpeg = Files.readAllBytes(good);
        int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
        jpeg[sof + 5] = (byte) 0xFF; // height 65535
        jpeg[sof + 6] = (byte) 0xFF;
        jpeg[sof + 7] = (byte) 0xFF; // width 65535
        jpeg[sof + 8] = (byte) 0xFF;
        refused(Files.write(dir.resolve("bomb.jpg"), jpeg), "65535x65535");

        byte[] bmp =
                Files.readAllBytes(
                        TestImages.write(
                                TestImages.solid(4, 4, 0), "bmp", dir.resolve("small.bmp")));
        ByteBuffer.wrap(bmp)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(18, 40_000)
                .putInt(22, -40_000);
        refused(Files.write(dir.resolve("bomb.bmp"), bmp), "40000x40000");
    }

    @Test
    void pixelLimitIsConfigurable() throws Exception {
        Path png =
                TestImages.write(TestImages.solid(4, 4, 0xFFFFFF), "png", dir.resolve("4x4.png"));
        ImagePreprocessor tiny =
                ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(2))
                        .optMaxPixels(15)
                        .build();
        InvalidImageException e =
                assertThrows(
                        InvalidImageException.class, () -> tiny.preprocess(ImageInput.of(png)));
        assertTrue(e.problem().contains("4x4 = 16 pixels, over the limit of 15"), e.problem());
        ImagePreprocessor enough =
                ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(2))
                        .optMaxPixels(16)
                        .build();
        assertEquals(1f, enough.preprocess(ImageInput.of(png))[0], 1e-6);
        assertThrows(
                IllegalArgumentException.class,
                () -> ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(2)).optMaxPixels(0));
    }

    @Test
    void truncatedPng() throws Exception {
        byte[] png =
                Files.readAllBytes(
                        TestImages.write(
                                TestImages.solid(40, 40, 0x102030),
                                "png",
                                dir.resolve("full.png")));
        refused(
                Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length - 20)),
                "truncated");
    }

    @Test
    void truncatedBmp() throws Exception {
        byte[] bmp =
                Files.readAllBytes(
                        TestImages.write(
                                TestImages.solid(40, 40, 0x102030),
                                "bmp",
                                dir.resolve("full.bmp")));
        refused(
                Files.write(dir.resolve("cut.bmp"), Arrays.copyOf(bmp, bmp.length / 2)),
                "BMP pixel data needs");
    }

    @Test
    void wideBmpIsRefusedWithOpenCvsLimitNotACrash() throws Exception {
        // A valid 3.3 MB image, far under the pixel limit, but wider than OpenCV decodes: OpenCV
        // threw a CvException, which escaped.
        int width = 1_100_000;
        int rowBytes = (3 * width + 3) / 4 * 4;
        ByteBuffer bmp = ByteBuffer.allocate(54 + rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B').put((byte) 'M').putInt(54 + rowBytes).putInt(0).putInt(54);
        bmp.putInt(40).putInt(width).putInt(1).putShort((short) 1).putShort((short) 24);
        bmp.putInt(0).putInt(rowBytes).putInt(2835).putInt(2835).putInt(0).putInt(0);
        refused(
                Files.write(dir.resolve("wide.bmp"), bmp.array()),
                "image is 1100000 x 1 pixels; OpenCV decodes at most 1048576 pixels per side");
    }

    @Test
    void widePngSaysWhyNotCorrupt() throws Exception {
        int width = 1_100_000;
        byte[] row = new byte[1 + 3 * width]; // filter byte 0, then black RGB pixels
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            z.write(row);
        }
        byte[] data = idat.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + data.length + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(
                b,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(1)
                        .put((byte) 8)
                        .put((byte) 2)
                        .put(new byte[3])
                        .array());
        chunk(b, "IDAT", data);
        chunk(b, "IEND", new byte[0]);
        InvalidImageException e =
                refused(
                        Files.write(dir.resolve("wide.png"), b.array()),
                        "image is 1100000 x 1 pixels; OpenCV decodes at most 1048576 pixels per"
                                + " side");
        assertFalse(e.problem().contains("corrupt"), e.problem());
    }

    @Test
    void openCvExceptionsBecomeTheInputsError() {
        // resize() asserts a 2-D Mat and throws a CvException for this 3-D one.
        Mat cube = new Mat(new int[] {2, 2, 2}, CvType.CV_8UC3);
        try {
            FloatBuffer dst = FloatBuffer.allocate(preprocessor.tensorSize());
            InvalidImageException e =
                    assertThrows(
                            InvalidImageException.class,
                            () -> preprocessor.preprocess(ImageInput.of(cube, "cube.mat"), dst));
            assertEquals("cube.mat", e.input());
            assertTrue(
                    e.problem().startsWith("failed in preprocessing (CvException: "), e.problem());
            assertFalse(e.problem().contains("\n"), "one line: " + e.problem());
        } finally {
            cube.release();
        }
    }

    @Test
    void fifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("pipe.jpg");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo");
        // Opening a FIFO for reading waits for a writer: before the check this hung forever.
        assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> refused(fifo, "not a regular file"));
    }

    @Test
    void devicesAreNotRead() {
        refused(Path.of("/dev/zero"), "not a regular file");
    }

    @Test
    void procFilesAreReadThoughTheyReportSizeZero() throws Exception {
        Path status = Path.of("/proc/self/status");
        assertEquals(0, Files.size(status), "the premise: /proc reports size 0");
        InvalidImageException e = refused(status, "unsupported format: text starting with");
        assertFalse(e.problem().contains("empty"), e.problem());
    }

    @Test
    void filesOverTheSizeCapAreRefusedBeforeReading() throws Exception {
        ImagePreprocessor small =
                ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(2))
                        .optMaxPixels(100)
                        .build();
        assertEquals(800 + (16 << 20), small.maxFileBytes());
        assertEquals(
                8 * ImagePreprocessor.DEFAULT_MAX_PIXELS + (16 << 20), preprocessor.maxFileBytes());
        Path big = dir.resolve("big.png");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(small.maxFileBytes() + 1); // sparse: no disk space used
        }
        InvalidImageException e =
                assertThrows(
                        InvalidImageException.class, () -> small.preprocess(ImageInput.of(big)));
        assertEquals(
                "file is "
                        + (small.maxFileBytes() + 1)
                        + " bytes, over the "
                        + small.maxFileBytes()
                        + " bytes an image within the pixel limit needs (maxFileBytes); refused"
                        + " before reading",
                e.problem());
    }

    @Test
    void jpegTooSmallForItsDeclaredSizeIsRefusedOnBothDecoders() throws Exception {
        // A 7000x7000 frame header on a small photo's data: libjpeg "decoded" it (with warnings)
        // into a 49 MP picture of garbage, and it was classified.
        byte[] jpeg = Files.readAllBytes(good);
        int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
        ByteBuffer.wrap(jpeg).putShort(sof + 5, (short) 7000).putShort(sof + 7, (short) 7000);
        Path file = Files.write(dir.resolve("7000.jpg"), jpeg);
        refused(file, "declares 7000x7000 pixels, which need at least 47851 bytes of scan data");
        ImagePreprocessor openCv =
                ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(32))
                        .optTurboJpeg(false)
                        .build();
        InvalidImageException e =
                assertThrows(
                        InvalidImageException.class, () -> openCv.preprocess(ImageInput.of(file)));
        assertTrue(e.problem().startsWith("corrupt JPEG data"), e.problem());
    }

    @Test
    void uniformImagesStayAboveTheScanDataFloor() throws Exception {
        // The floor must not refuse what compresses best: one colour, large, grey and colour.
        for (int rgb : new int[] {0x000000, 0xFFFFFF, 0x808080, 0x3366CC}) {
            Path jpeg =
                    TestImages.write(
                            TestImages.solid(1600, 1200, rgb), "jpg", dir.resolve("flat.jpg"));
            preprocessor.preprocess(ImageInput.of(jpeg));
        }
        BufferedImage gray = new BufferedImage(1600, 1200, BufferedImage.TYPE_BYTE_GRAY);
        preprocessor.preprocess(
                ImageInput.of(TestImages.write(gray, "jpg", dir.resolve("gray.jpg"))));
    }

    @Test
    void bytesAreNamedByTheCaller() {
        FloatBuffer dst = FloatBuffer.allocate(preprocessor.tensorSize());
        InvalidImageException e =
                assertThrows(
                        InvalidImageException.class,
                        () ->
                                preprocessor.preprocess(
                                        ImageInput.of(new byte[0], "upload-17.jpg"), dst));
        assertEquals("upload-17.jpg", e.input());
        assertEquals("upload-17.jpg: empty (0 bytes)", e.getMessage());
    }

    @Test
    void unsupportedMatType() {
        Mat floats = new Mat(4, 4, CvType.CV_32FC3);
        try {
            FloatBuffer dst = FloatBuffer.allocate(preprocessor.tensorSize());
            InvalidImageException e =
                    assertThrows(
                            InvalidImageException.class,
                            () ->
                                    preprocessor.preprocess(
                                            ImageInput.of(floats, "floats.mat"), dst));
            assertEquals("floats.mat", e.input());
            assertTrue(e.problem().contains("unsupported Mat type CV_32FC3"), e.problem());
            Mat empty = new Mat();
            assertThrows(
                    InvalidImageException.class,
                    () -> preprocessor.preprocess(ImageInput.of(empty, "empty.mat"), dst));
            empty.release();
        } finally {
            floats.release();
        }
    }

    @Test
    void tooSmallDestinationIsAMisuse() {
        FloatBuffer dst = FloatBuffer.allocate(preprocessor.tensorSize() - 1);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> preprocessor.preprocess(ImageInput.of(good), dst));
        assertTrue(
                e.getMessage().contains("needs tensorSize() = " + preprocessor.tensorSize()),
                e.getMessage());
    }

    @Test
    void headerReaderReportsSizesOfRealFiles() throws Exception {
        ImageHeader jpeg =
                ImageHeader.read(ByteBuffer.wrap(Files.readAllBytes(good)), "j", 1L << 40);
        assertEquals(new ImageHeader(ImageHeader.Format.JPEG, 499, 323), jpeg);
        BufferedImage image = TestImages.solid(7, 3, 0);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        assertEquals(
                new ImageHeader(ImageHeader.Format.PNG, 7, 3),
                ImageHeader.read(ByteBuffer.wrap(png.toByteArray()), "p", 100));
        ByteArrayOutputStream bmp = new ByteArrayOutputStream();
        ImageIO.write(image, "bmp", bmp);
        assertEquals(
                new ImageHeader(ImageHeader.Format.BMP, 7, 3),
                ImageHeader.read(ByteBuffer.wrap(bmp.toByteArray()), "b", 100));
    }

    /** A syntactically complete PNG (IHDR, empty IDAT, IEND) claiming the given size. */
    private static byte[] png(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(
                b,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(height)
                        .put((byte) 8)
                        .put((byte) 6)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .array());
        chunk(b, "IDAT", new byte[0]);
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    private static void chunk(ByteBuffer b, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        b.putInt(data.length).put(typeBytes).put(data).putInt((int) crc.getValue());
    }

    private static int indexOf(byte[] data, byte a, byte b) {
        for (int i = 0; i + 1 < data.length; i++) {
            if (data[i] == a && data[i + 1] == b) {
                return i;
            }
        }
        throw new AssertionError("marker not found");
    }
}
