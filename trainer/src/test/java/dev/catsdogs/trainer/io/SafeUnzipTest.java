package dev.catsdogs.trainer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeUnzipTest {

    @TempDir Path tmp;

    @Test
    void extractsAGoodZip() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("top/", new byte[0]);
        entries.put("top/a.txt", bytes("alpha"));
        entries.put("top/sub/b.txt", bytes("beta"));
        entries.put("implicit/dir/c.txt", bytes("gamma"));
        Path zip = TestZips.write(tmp.resolve("good.zip"), entries);
        Path target = tmp.resolve("out").resolve("extracted");

        assertEquals(target, SafeUnzip.withDefaults().extract(zip, target));

        assertArrayEquals(bytes("alpha"), Files.readAllBytes(target.resolve("top/a.txt")));
        assertArrayEquals(bytes("beta"), Files.readAllBytes(target.resolve("top/sub/b.txt")));
        assertArrayEquals(bytes("gamma"), Files.readAllBytes(target.resolve("implicit/dir/c.txt")));
        assertEquals(List.of("extracted"), DownloaderTest.listing(tmp.resolve("out")));
        Path plainDir = Files.createDirectory(tmp.resolve("plain"));
        assertEquals(
                Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(target));
    }

    @Test
    void refusesASymbolicLinkEntryNamingIt() throws IOException {
        // What `zip --symlinks` stores: the link's target as content, Unix mode 0120777.
        Path zip = tmp.resolve("links.zip");
        try (var out =
                new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(
                        zip.toFile())) {
            var photo = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("d/a.jpg");
            out.putArchiveEntry(photo);
            out.write(bytes("jpeg"));
            out.closeArchiveEntry();
            var link =
                    new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("d/train/cats");
            link.setUnixMode(0120777);
            out.putArchiveEntry(link);
            out.write(bytes("/etc"));
            out.closeArchiveEntry();
        }
        Path target = tmp.resolve("out");

        IOException e =
                assertThrows(
                        IOException.class, () -> SafeUnzip.withDefaults().extract(zip, target));

        assertTrue(
                e.getMessage().contains("entry `d/train/cats` is a symbolic link"), e.getMessage());
        assertTrue(e.getMessage().contains("links in archives are refused"), e.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void refusesDotDotEntriesBeforeWritingAnything() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("ok.txt", bytes("fine"));
        entries.put("../evil.txt", bytes("evil"));
        Path zip = TestZips.write(tmp.resolve("zips/slip.zip"), entries);
        Path parent = Files.createDirectories(tmp.resolve("parent"));
        Path target = parent.resolve("target");

        IOException e =
                assertThrows(
                        IOException.class, () -> SafeUnzip.withDefaults().extract(zip, target));

        assertTrue(e.getMessage().contains("`../evil.txt`"), e.getMessage());
        assertEquals(List.of(), DownloaderTest.listing(parent));
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
    }

    @Test
    void refusesAbsoluteEntries() throws IOException {
        Path outside = tmp.resolve("outside-evil.txt");
        for (String name : List.of(outside.toString(), "\\windows\\evil.txt", "C:/evil.txt")) {
            Path zip =
                    TestZips.write(
                            tmp.resolve("zips").resolve("abs.zip"), Map.of(name, bytes("evil")));
            Path parent = Files.createDirectories(tmp.resolve("parent"));

            IOException e =
                    assertThrows(
                            IOException.class,
                            () -> SafeUnzip.withDefaults().extract(zip, parent.resolve("target")));

            assertTrue(e.getMessage().contains("`" + name + "`"), e.getMessage());
            assertTrue(e.getMessage().contains("absolute"), e.getMessage());
            assertEquals(List.of(), DownloaderTest.listing(parent));
            assertFalse(Files.exists(outside));
        }
    }

    @Test
    void entryCountGuard() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 11; i++) {
            entries.put("f" + i, bytes("x"));
        }
        Path zip = TestZips.write(tmp.resolve("many.zip"), entries);
        SafeUnzip ten = SafeUnzip.builder().optMaxEntries(10).build();

        IOException e =
                assertThrows(IOException.class, () -> ten.extract(zip, tmp.resolve("out/t")));

        assertTrue(e.getMessage().contains("more than 10 entries"), e.getMessage());
        assertEquals(List.of(), DownloaderTest.listing(tmp.resolve("out")));
        SafeUnzip.builder().optMaxEntries(11).build().extract(zip, tmp.resolve("out/t"));
        assertEquals(11, DownloaderTest.listing(tmp.resolve("out/t")).size());
    }

    @Test
    void uncompressedSizeGuard() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("small.txt", bytes("small"));
        entries.put("zeros.bin", new byte[1 << 20]); // 1 MiB of zeros compresses to about 1 KiB
        Path zip = TestZips.write(tmp.resolve("bomb.zip"), entries);
        assertTrue(Files.size(zip) < 10_000);
        SafeUnzip small = SafeUnzip.builder().optMaxTotalBytes(64 * 1024).build();

        IOException e =
                assertThrows(IOException.class, () -> small.extract(zip, tmp.resolve("out/t")));

        assertTrue(e.getMessage().contains("more than 65536 uncompressed bytes"), e.getMessage());
        assertEquals(List.of(), DownloaderTest.listing(tmp.resolve("out")));
    }

    @Test
    void refusesAnExistingTargetAndNonZips() throws IOException {
        Path zip = TestZips.write(tmp.resolve("good.zip"), Map.of("a.txt", bytes("a")));
        Path existing = Files.createDirectories(tmp.resolve("existing"));
        assertThrows(
                FileAlreadyExistsException.class,
                () -> SafeUnzip.withDefaults().extract(zip, existing));

        Path notZip = Files.write(tmp.resolve("not.zip"), bytes("plain text"));
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> SafeUnzip.withDefaults().extract(notZip, tmp.resolve("out/t")));
        assertTrue(e.getMessage().contains(notZip.toString()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out/t")));
    }

    @Test
    void rejectsBadLimits() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> SafeUnzip.builder().optMaxEntries(0));
        assertEquals("Received maxEntries=0; expected >= 1", e.getMessage());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
