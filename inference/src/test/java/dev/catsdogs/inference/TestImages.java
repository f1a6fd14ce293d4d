package dev.catsdogs.inference;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

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
}
