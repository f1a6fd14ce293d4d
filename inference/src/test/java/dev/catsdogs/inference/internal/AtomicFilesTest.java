package dev.catsdogs.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir Path dir;

    @Test
    void writesAndReplacesStrings() throws IOException {
        Path file = dir.resolve("run/history.json");

        AtomicFiles.writeString(file, "first");
        AtomicFiles.writeString(file, "second \u00e9");

        assertEquals("second \u00e9", Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of("history.json"), listing(dir.resolve("run")));
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.onnx");
        AtomicFiles.writeString(file, "old");

        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                AtomicFiles.write(
                                        file,
                                        out -> {
                                            out.write(
                                                    "half of the new"
                                                            .getBytes(StandardCharsets.UTF_8));
                                            throw new IOException("disk full");
                                        }));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old", Files.readString(file));
        assertEquals(List.of("model.onnx"), listing(dir));
    }

    @Test
    void publishedFilesHaveTheDefaultPermissionsOfNewFiles() throws IOException {
        Path file = dir.resolve("report.txt");
        Path plain = Files.createFile(dir.resolve("plain.txt"));

        AtomicFiles.writeString(file, "x");

        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    @Test
    void writesStreams() throws IOException {
        Path file = dir.resolve("data.bin");

        AtomicFiles.write(file, out -> out.write(new byte[] {1, 2, 3}));

        assertEquals(3, Files.size(file));
    }

    // Every name in dir: a leftover temporary file would show here.
    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
