package dev.catsdogs.trainer.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes zip archives for tests, entry names taken verbatim (malicious ones included). */
public final class TestZips {

    private TestZips() {}

    /**
     * Writes {@code entries} (name to content; a name ending in '/' is a directory) to {@code zip}.
     */
    public static Path write(Path zip, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(zip.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(zip);
                ZipOutputStream out = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                if (!entry.getKey().endsWith("/")) {
                    out.write(entry.getValue());
                }
                out.closeEntry();
            }
        }
        return zip;
    }

    /** {@link #write} into a byte array. */
    public static byte[] bytes(Path scratch, Map<String, byte[]> entries) throws IOException {
        return Files.readAllBytes(write(scratch, entries));
    }
}
