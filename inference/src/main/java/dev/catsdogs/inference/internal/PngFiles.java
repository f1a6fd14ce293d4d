package dev.catsdogs.inference.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Not API. Writes pictures as PNG files atomically ({@link AtomicFiles}), for {@code classify
 * --explain} and the trainer's run pictures: a reader never sees half a picture.
 */
public final class PngFiles {

    private PngFiles() {}

    /**
     * Writes {@code image} to {@code target}, replacing it.
     *
     * @throws IOException naming the file when it cannot be written; no temporary file is left
     */
    public static void write(BufferedImage image, Path target) throws IOException {
        AtomicFiles.write(
                target,
                out -> {
                    if (!ImageIO.write(image, "png", out)) {
                        throw new IOException("no PNG writer for this image type");
                    }
                });
    }
}
