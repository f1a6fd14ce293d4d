package dev.catsdogs.inference.internal;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;

/**
 * Not API. Writes pictures as PNG files atomically, for {@code classify --explain} and the
 * trainer's run pictures: the image goes to a hidden temporary file beside the target, is flushed
 * to disk and renamed over the target, so a reader never sees half a picture. (The trainer's {@code
 * AtomicFiles} does the same for its other files; the inference module cannot depend on it.)
 */
public final class PngFiles {

    private PngFiles() {}

    /**
     * Writes {@code image} to {@code target}, replacing it; its directory must exist.
     *
     * @throws IOException naming the file when it cannot be written; no temporary file is left
     */
    public static void write(BufferedImage image, Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = createSibling(absolute);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = Channels.newOutputStream(channel)) {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG writer for this image type");
                }
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(
                        tmp,
                        absolute,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + absolute + ": " + e, e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    // Files.createFile keeps the default permissions of new files (createTempFile's are
    // owner-only).
    private static Path createSibling(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path candidate =
                    target.resolveSibling("." + target.getFileName() + "." + random + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
