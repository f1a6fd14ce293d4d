package dev.catsdogs.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.trainer.io.Downloader;
import dev.catsdogs.trainer.io.LoopbackServer;
import dev.catsdogs.trainer.io.TestZips;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TutorialDatasetTest {

    private static final String ZIP_PATH = "/mledu-datasets/cats_and_dogs_filtered.zip";

    @TempDir Path tmp;

    private LoopbackServer server;
    private final Downloader quiet = Downloader.builder().optShowProgress(false).build();

    @BeforeEach
    void startServer() throws IOException {
        server = new LoopbackServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void downloadsExtractsAndReusesTheCache() throws IOException {
        server.serve(ZIP_PATH, tutorialZip(tmp.resolve("scratch.zip")));
        Path cache = tmp.resolve("cache");
        TutorialDataset tutorial = tutorial(server.uri(ZIP_PATH), cache);

        Path dir = tutorial.resolve();
        Path again = tutorial.resolve();

        assertEquals(dir, again);
        assertEquals(1, server.requests(ZIP_PATH));
        assertTrue(dir.startsWith(cache), dir.toString());
        assertEquals(TutorialDataset.DIR_NAME, dir.getFileName().toString());
        Dataset data = Dataset.load(dir, 0);
        assertEquals(List.of("cats", "dogs"), data.classNames());
        assertEquals(Map.of("cats", 2, "dogs", 2), data.counts().get(Split.TRAIN));
        assertEquals(Map.of("cats", 1, "dogs", 1), data.counts().get(Split.VALIDATION));
        assertEquals(List.of(), data.skipped(), "vectorize.py sits outside the class folders");
        try (Stream<Path> files = Files.list(tutorial.cacheDir())) {
            assertEquals(3, files.count(), "zip, sidecar, one extraction");
        }
    }

    @Test
    void worksOfflineOnceCached() throws IOException {
        server.serve(ZIP_PATH, tutorialZip(tmp.resolve("scratch.zip")));
        Path cache = tmp.resolve("cache");
        Path dir = tutorial(server.uri(ZIP_PATH), cache).resolve();
        server.close();

        assertEquals(dir, tutorial(server.uri(ZIP_PATH), cache).resolve());
    }

    @Test
    void offlineWithoutCacheSaysToPassData() throws IOException {
        URI unreachable = URI.create("http://127.0.0.1:" + LoopbackServer.closedPort() + ZIP_PATH);

        IOException e =
                assertThrows(
                        IOException.class,
                        () -> tutorial(unreachable, tmp.resolve("cache")).resolve());

        assertTrue(e.getMessage().contains(unreachable.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
        assertTrue(e.getMessage().endsWith(TutorialDataset.ADVICE), e.getMessage());
    }

    @Test
    void refusesAMaliciousZipAndForgetsIt() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cats_and_dogs_filtered/train/cats/cat.0.jpg", new byte[] {1});
        entries.put(
                "cats_and_dogs_filtered/../../evil.txt", "evil".getBytes(StandardCharsets.UTF_8));
        server.serve(ZIP_PATH, TestZips.bytes(tmp.resolve("scratch.zip"), entries));
        Path cache = tmp.resolve("cache");
        TutorialDataset tutorial = tutorial(server.uri(ZIP_PATH), cache);

        IOException e = assertThrows(IOException.class, tutorial::resolve);

        assertTrue(
                e.getMessage().contains("`cats_and_dogs_filtered/../../evil.txt`"), e.getMessage());
        assertTrue(e.getMessage().contains("--data"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
        assertFalse(Files.exists(tutorial.cacheDir().resolve("evil.txt")));
        try (Stream<Path> files = Files.list(tutorial.cacheDir())) {
            assertEquals(List.of(), files.toList(), "nothing extracted, download forgotten");
        }
    }

    @Test
    void refusesAnArchiveWithoutTheTutorialLayout() throws IOException {
        Map<String, byte[]> entries = Map.of("something_else/train/cats/cat.0.jpg", new byte[] {1});
        server.serve(ZIP_PATH, TestZips.bytes(tmp.resolve("scratch.zip"), entries));

        IOException e =
                assertThrows(
                        IOException.class,
                        () -> tutorial(server.uri(ZIP_PATH), tmp.resolve("cache")).resolve());

        assertTrue(
                e.getMessage().contains("missing cats_and_dogs_filtered/train/cats/"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--data"), e.getMessage());
    }

    @Test
    void differentUrlsUseDifferentCacheDirectories() {
        Path cache = tmp.resolve("cache");
        Path a =
                tutorial(URI.create("http://127.0.0.1:1/a/cats_and_dogs_filtered.zip"), cache)
                        .cacheDir();
        Path b =
                tutorial(URI.create("http://127.0.0.1:2/a/cats_and_dogs_filtered.zip"), cache)
                        .cacheDir();

        assertTrue(a.getFileName().toString().startsWith("cats_and_dogs_filtered-"), a.toString());
        assertEquals(cache.resolve("datasets"), a.getParent());
        assertFalse(a.equals(b));
    }

    private TutorialDataset tutorial(URI url, Path cache) {
        return TutorialDataset.builder()
                .optUrl(url)
                .optCacheRoot(cache)
                .optDownloader(quiet)
                .build();
    }

    /** A miniature of the tutorial zip: the same layout, placeholder bytes for images. */
    static byte[] tutorialZip(Path scratch) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("cats_and_dogs_filtered/", new byte[0]);
        entries.put(
                "cats_and_dogs_filtered/vectorize.py", "print()".getBytes(StandardCharsets.UTF_8));
        for (String file :
                List.of(
                        "train/cats/cat.0.jpg",
                        "train/cats/cat.1.jpg",
                        "train/dogs/dog.0.jpg",
                        "train/dogs/dog.1.jpg",
                        "validation/cats/cat.2000.jpg",
                        "validation/dogs/dog.2000.jpg")) {
            entries.put("cats_and_dogs_filtered/" + file, new byte[] {(byte) 0xff, (byte) 0xd8});
        }
        return TestZips.bytes(scratch, entries);
    }
}
