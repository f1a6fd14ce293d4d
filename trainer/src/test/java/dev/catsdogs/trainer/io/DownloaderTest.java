package dev.catsdogs.trainer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.internal.Sha256;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {

    private static final byte[] BODY = randomBytes(200_000);

    @TempDir Path cache;

    private LoopbackServer server;
    private final Downloader quiet =
            Downloader.builder()
                    .optShowProgress(false)
                    .optConnectTimeout(Duration.ofSeconds(5))
                    .optReadTimeout(Duration.ofSeconds(5))
                    .build();

    @BeforeEach
    void startServer() throws IOException {
        server = new LoopbackServer().serve("/files/data.bin", BODY);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void downloadsOnceThenServesTheCachedCopy() throws IOException {
        Downloader withProgress = Downloader.builder().build();
        URI url = server.uri("/files/data.bin");

        Path first = withProgress.fetch(url, cache, null);
        Path second = withProgress.fetch(url, cache, null);

        assertEquals(cache.resolve("data.bin"), first);
        assertEquals(first, second);
        assertArrayEquals(BODY, Files.readAllBytes(first));
        assertEquals(1, server.requests("/files/data.bin"));
        assertEquals(sha256(BODY), Sha256.readSidecar(first));
        assertEquals(List.of("data.bin", "data.bin.sha256"), listing(cache));
    }

    @Test
    void acceptsAMatchingExpectedHashInAnyCase() throws IOException {
        Path file = quiet.fetch(server.uri("/files/data.bin"), cache, sha256(BODY).toUpperCase());

        assertArrayEquals(BODY, Files.readAllBytes(file));
    }

    @Test
    void expectedHashMismatchThrowsAndLeavesNothing() {
        String wrong = "0".repeat(64);
        URI url = server.uri("/files/data.bin");

        IOException e = assertThrows(IOException.class, () -> quiet.fetch(url, cache, wrong));

        assertTrue(e.getMessage().contains(url.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + wrong), e.getMessage());
        assertTrue(e.getMessage().contains("actual " + sha256(BODY)), e.getMessage());
        assertEquals(List.of(), listing(cache));
    }

    @Test
    void cachedFileThatFailsItsSidecarIsDownloadedAgain() throws IOException {
        URI url = server.uri("/files/data.bin");
        Path file = quiet.fetch(url, cache, null);
        Files.write(file, "corrupted".getBytes(StandardCharsets.UTF_8));

        Path again = quiet.fetch(url, cache, null);

        assertArrayEquals(BODY, Files.readAllBytes(again));
        assertEquals(2, server.requests("/files/data.bin"));
    }

    @Test
    void redownloadMustMatchTheSidecarOfTheFirstDownload() throws IOException {
        URI url = server.uri("/files/data.bin");
        Path file = quiet.fetch(url, cache, null);
        Files.write(file, "corrupted".getBytes(StandardCharsets.UTF_8));
        server.serve("/files/data.bin", "changed on the server".getBytes(StandardCharsets.UTF_8));

        IOException e = assertThrows(IOException.class, () -> quiet.fetch(url, cache, null));

        assertTrue(e.getMessage().contains(Sha256.sidecarOf(file).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + sha256(BODY)), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void adoptsACachedFileWithoutSidecar() throws IOException {
        Files.write(cache.resolve("data.bin"), BODY);

        Path file = quiet.fetch(server.uri("/files/data.bin"), cache, null);

        assertEquals(0, server.requests("/files/data.bin"));
        assertEquals(sha256(BODY), Sha256.readSidecar(file));
    }

    @Test
    void followsRedirectsAndHandlesChunkedBodies() throws IOException {
        server.redirect("/old", "/files/data.bin").chunked(true);

        Path file = quiet.fetch(server.uri("/old"), cache, sha256(BODY));

        assertArrayEquals(BODY, Files.readAllBytes(file));
        assertEquals(cache.resolve("old"), file);
    }

    @Test
    void tooManyRedirectsIsAnError() {
        server.redirect("/loop", "/loop");

        IOException e =
                assertThrows(
                        IOException.class, () -> quiet.fetch(server.uri("/loop"), cache, null));

        assertTrue(e.getMessage().contains("redirects"), e.getMessage());
    }

    @Test
    void notFoundIsAClearError() {
        URI url = server.uri("/missing.zip");

        IOException e = assertThrows(IOException.class, () -> quiet.fetch(url, cache, null));

        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains(url.toString()), e.getMessage());
        assertEquals(List.of(), listing(cache));
    }

    @Test
    void aTruncatedBodyIsAnErrorAndLeavesNothing() {
        server.truncated(true);
        URI url = server.uri("/files/data.bin");

        IOException e = assertThrows(IOException.class, () -> quiet.fetch(url, cache, null));

        assertTrue(e.getMessage().startsWith("Cannot download " + url), e.getMessage());
        assertEquals(List.of(), listing(cache));
    }

    @Test
    void unreachablePortIsAClearError() throws IOException {
        URI url = URI.create("http://127.0.0.1:" + LoopbackServer.closedPort() + "/data.zip");

        IOException e = assertThrows(IOException.class, () -> quiet.fetch(url, cache, null));

        assertTrue(
                e.getMessage().startsWith("Cannot download " + url + ": cannot connect"),
                e.getMessage());
        assertEquals(List.of(), listing(cache));
    }

    @Test
    void localFilesAreCheckedAndReturnedInPlace(@TempDir Path elsewhere) throws IOException {
        Path local = Files.write(elsewhere.resolve("local.bin"), BODY);

        assertEquals(local, quiet.fetch(local.toString(), cache, sha256(BODY)));
        assertEquals(local, quiet.fetch(local.toUri(), cache, null));
        IOException e =
                assertThrows(
                        IOException.class, () -> quiet.fetch(local.toUri(), cache, "1".repeat(64)));
        assertTrue(e.getMessage().contains(local.toString()), e.getMessage());
        assertTrue(Files.exists(local), "a local file is never deleted");
        assertThrows(
                IOException.class,
                () -> quiet.fetch(elsewhere.resolve("none").toString(), cache, null));
        assertEquals(List.of(), listing(cache));
    }

    @Test
    void rejectsMalformedHashesAndSchemes() {
        IllegalArgumentException hash =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> quiet.fetch(server.uri("/files/data.bin"), cache, "abc"));
        assertEquals("Received sha256=abc; expected a SHA-256 of 64 hex digits", hash.getMessage());
        IllegalArgumentException scheme =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> quiet.fetch(URI.create("ftp://127.0.0.1/x"), cache, null));
        assertTrue(scheme.getMessage().contains("ftp"), scheme.getMessage());
    }

    @Test
    void cacheRootComesFromTheEnvironmentOrHome() {
        assertEquals(
                Paths.get("/c"),
                Downloader.defaultCacheRoot(Map.of("CATSDOGS_CACHE", "/c"), "/home/u"));
        assertEquals(
                Paths.get("/home/u/.cache/catsdogs"),
                Downloader.defaultCacheRoot(Map.of("CATSDOGS_CACHE", " "), "/home/u"));
        assertEquals(
                Paths.get("/home/u/.cache/catsdogs"),
                Downloader.defaultCacheRoot(Map.of(), "/home/u"));
    }

    @Test
    void fileNamesComeFromTheLastPathSegment() {
        assertEquals(
                "cats_and_dogs_filtered.zip",
                Downloader.fileNameOf(
                        URI.create(
                                "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip")));
        assertEquals("b.zip", Downloader.fileNameOf(URI.create("http://h/a/b.zip/?x=1")));
        assertEquals("download", Downloader.fileNameOf(URI.create("http://h/")));
        assertEquals("download", Downloader.fileNameOf(URI.create("http://h/..")));
        assertEquals("_.hidden", Downloader.fileNameOf(URI.create("http://h/.hidden")));
        assertEquals("a_b.zip", Downloader.fileNameOf(URI.create("http://h/a%20b.zip")));
    }

    static String sha256(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(Sha256.newDigest().digest(bytes));
    }

    static List<String> listing(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(42).nextBytes(bytes);
        return bytes;
    }
}
