package dev.catsdogs.inference.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Not API. Writes files atomically (the trainer's run files, its downloads, and pictures): the
 * content goes to a temporary file in the target's own directory, which is flushed to disk and then
 * renamed over the target with {@code ATOMIC_MOVE}. A reader, or a run interrupted by Ctrl-C,
 * therefore sees either the previous file or the complete new one, never a torn one. The temporary
 * file is deleted when writing fails.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /**
     * Writes {@code content} as UTF-8 to {@code target}, atomically replacing any existing file.
     *
     * @param target the file to write; its parent directory is created if missing
     * @param content the text
     * @throws IOException if the file cannot be written; the message names the file
     */
    public static void writeString(Path target, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /**
     * Lets {@code writer} write the content of {@code target} to a stream, then atomically replaces
     * {@code target} with it. The stream is closed by this method; {@code writer} must not close it
     * (doing so is harmless).
     *
     * @param target the file to write; its parent directory is created if missing
     * @param writer writes the full content to the given stream
     * @throws IOException if {@code writer} or the file system fails; the target is then unchanged
     */
    public static void write(Path target, IOConsumer<OutputStream> writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = createSibling(absolute, ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel =
                            FileChannel.open(
                                    tmp,
                                    StandardOpenOption.WRITE,
                                    StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = Channels.newOutputStream(channel)) {
                writer.accept(out);
                out.flush();
                channel.force(true);
            }
            move(tmp, absolute);
            moved = true;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains(absolute.toString())) {
                throw e;
            }
            throw new IOException("Cannot write " + absolute + ": " + e, e);
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Creates a new empty hidden file {@code .<name>.<random><suffix>} beside {@code target}, with
     * the default permissions of new files (unlike {@link Files#createTempFile}, whose files are
     * readable by the owner only, which would carry over to the published file).
     *
     * @param target the file the temporary one will replace
     * @param suffix the end of the name, e.g. {@code ".tmp"}
     * @return the new file
     * @throws IOException if it cannot be created
     */
    public static Path createSibling(Path target, String suffix) throws IOException {
        Path absolute = target.toAbsolutePath();
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path candidate =
                    absolute.resolveSibling("." + absolute.getFileName() + "." + random + suffix);
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * Renames {@code source} to {@code target} atomically, replacing {@code target}. Both must be
     * on the same file system; on one without atomic renames this falls back to a plain replacing
     * move.
     *
     * @param source the complete file to publish
     * @param target its final name
     * @throws IOException if the rename fails
     */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(
                    source,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
