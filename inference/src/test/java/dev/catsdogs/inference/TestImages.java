package dev.catsdogs.inference;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Test images: the sample photos in test resources and small synthetic images. */
final class TestImages {

    /** cat.2000-2004 and dog.2000-2004 from the cats_and_dogs_filtered validation split. */
    static final List<String> PHOTOS =
            List.of(
                    "cat.2000.jpg",
                    "cat.2001.jpg",
                    "cat.2002.jpg",
                    "cat.2003.jpg",
                    "cat.2004.jpg",
                    "dog.2000.jpg",
                    "dog.2001.jpg",
                    "dog.2002.jpg",
                    "dog.2003.jpg",
                    "dog.2004.jpg");

    private TestImages() {}

    static Path photo(String name) {
        URL url = TestImages.class.getResource("/images/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no test resource /images/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> photos() {
        return PHOTOS.stream().map(TestImages::photo).toList();
    }

    /**
     * {@code ../shared/data/cats_and_dogs_filtered} (surefire passes {@code catsdogs.shared}): the
     * one place inference tests look for the shared photos. It may be absent outside CI; callers
     * check.
     */
    /**
     * The test photos plus every {@code step}-th photo of the shared training split, when it is
     * there: more cameras and encoders than the test resources hold, but the test photos alone
     * still test.
     */
    static List<Path> photosAndSharedSample(int step) throws IOException {
        List<Path> photos = new ArrayList<>(photos());
        Path shared = sharedCatsAndDogs().resolve("train");
        if (Files.isDirectory(shared)) {
            try (Stream<Path> files = Files.walk(shared)) {
                List<Path> jpegs =
                        files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
                for (int i = 0; i < jpegs.size(); i += step) {
                    photos.add(jpegs.get(i));
                }
            }
        }
        return photos;
    }

    static Path sharedCatsAndDogs() {
        String shared = System.getProperty("catsdogs.shared", "../../shared");
        return Path.of(shared).resolve("data/cats_and_dogs_filtered").toAbsolutePath().normalize();
    }

    /** An RGB image from per-channel rows: {@code r[y][x]} etc., values 0..255. */
    static BufferedImage rgb(int[][] r, int[][] g, int[][] b) {
        int h = r.length;
        int w = r[0].length;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (r[y][x] << 16) | (g[y][x] << 8) | b[y][x]);
            }
        }
        return image;
    }

    static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    static Path write(BufferedImage image, String format, Path file) {
        try {
            if (!ImageIO.write(image, format, file.toFile())) {
                throw new IllegalStateException(
                        "ImageIO has no " + format + " writer for this image");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[][] filled(int h, int w, int value) {
        int[][] rows = new int[h][w];
        for (int[] row : rows) {
            java.util.Arrays.fill(row, value);
        }
        return rows;
    }

    /** The preprocessed value of pixel value {@code v} under MobileNetV2 scaling. */
    static float scaled(double v) {
        return (float) (v / 127.5 - 1.0);
    }

    /**
     * The pipeline as first written, after decoding: BGR to RGB, scale, resize, copy out, NCHW
     * planes. Releases {@code bgr}.
     */
    static float[] originalPipeline(Mat bgr, PreprocessingSpec spec) {
        Mat rgb = new Mat();
        Imgproc.cvtColor(bgr, rgb, Imgproc.COLOR_BGR2RGB);
        bgr.release();
        return scaleResizePlanes(rgb, spec, new int[] {0, 1, 2});
    }

    /**
     * As the preprocessor does it after OpenCV's decoder: scale and resize in BGR order, then the
     * planes. At the right edge of an enlarged image OpenCV's resize treats a pixel's channels
     * differently (its vector loop ends at an interleaved index), so the channel order can change
     * the last bit there; after libturbojpeg (RGB) {@link #originalPipeline} is exact. Releases
     * {@code bgr}.
     */
    static float[] openCvOrderPipeline(Mat bgr, PreprocessingSpec spec) {
        return scaleResizePlanes(bgr, spec, new int[] {2, 1, 0});
    }

    private static float[] scaleResizePlanes(Mat image, PreprocessingSpec spec, int[] rgb) {
        Mat scaled = new Mat();
        Mat resized = new Mat();
        image.convertTo(scaled, CvType.CV_32F, spec.scale(), spec.offset());
        Imgproc.resize(
                scaled, resized, new Size(spec.width(), spec.height()), 0, 0, Imgproc.INTER_LINEAR);
        int plane = spec.height() * spec.width();
        float[] hwc = new float[3 * plane];
        resized.get(0, 0, hwc);
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                chw[c * plane + i] = hwc[3 * i + rgb[c]];
            }
        }
        Stream.of(image, scaled, resized).forEach(Mat::release);
        return chw;
    }

    /** {@code image} (BGR or gray) as a quality-90 JPEG. */
    static byte[] jpeg(Mat image) {
        MatOfByte out = new MatOfByte();
        Imgcodecs.imencode(".jpg", image, out, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90));
        byte[] bytes = out.toArray();
        out.release();
        return bytes;
    }

    /** {@code jpeg} with an EXIF APP1 segment holding one IFD0 entry: the orientation tag. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean bigEndian) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        tiff.put(bigEndian ? new byte[] {'M', 'M'} : new byte[] {'I', 'I'});
        tiff.putShort((short) 42).putInt(8); // magic, offset of IFD0
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1); // orientation, SHORT, 1 value
        tiff.putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        int length = 2 + 6 + tiff.capacity();
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(tiff.array());
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
