package dev.catsdogs.inference.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Platform;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache on JNA's small dispatch library (the same code path as ONNX Runtime's and OpenCV's).
 */
class NativeCacheTest {

    private static final String LIBRARY =
            "com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("jnidispatch");

    @TempDir Path root;

    @Test
    void extractsOnceIntoADirectoryNamedByTheHashAndReusesIt() throws Exception {
        NativeCache cache = new NativeCache(root);
        Path first = cache.directoryOf(LIBRARY).orElseThrow();
        assertEquals(root, first.getParent());
        assertTrue(first.getFileName().toString().matches("[0-9a-f]{64}"), first.toString());
        Path file = first.resolve(System.mapLibraryName("jnidispatch"));
        assertArrayEquals(resource(LIBRARY), Files.readAllBytes(file));
        assertFalse(
                Files.getPosixFilePermissions(file).contains(PosixFilePermission.OWNER_WRITE),
                "the cached copy is read-only");

        FileTime written = Files.getLastModifiedTime(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(written.toMillis() - 60_000));
        Path second = new NativeCache(root).directoryOf(LIBRARY).orElseThrow();
        assertEquals(first, second);
        assertEquals(
                written.toMillis() - 60_000,
                Files.getLastModifiedTime(file).toMillis(),
                "reused, not written again");
        assertEquals(List.of(first), entries(root), "nothing else in the cache");
    }

    @Test
    void aDamagedCopyIsReplacedNotLoaded() throws Exception {
        NativeCache cache = new NativeCache(root);
        Path dir = cache.directoryOf(LIBRARY).orElseThrow();
        Path file = dir.resolve(System.mapLibraryName("jnidispatch"));
        byte[] damaged = Files.readAllBytes(file);
        damaged[damaged.length / 2] ^= 0x55; // same size: only the CRC-32 sees it
        assertTrue(file.toFile().setWritable(true));
        Files.write(file, damaged);

        assertEquals(dir, cache.directoryOf(LIBRARY).orElseThrow());
        assertArrayEquals(resource(LIBRARY), Files.readAllBytes(file));
        assertEquals(List.of(dir), entries(root), "no .partial-* directory left");
    }

    @Test
    void concurrentFirstStartsAgreeOnOneCopy() throws Exception {
        int threads = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Path>> results = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                results.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    // a cache per thread: as separate processes would
                                    return new NativeCache(root).directoryOf(LIBRARY).orElseThrow();
                                }));
            }
            start.countDown();
            Path first = results.get(0).get();
            for (Future<Path> result : results) {
                assertEquals(first, result.get());
            }
            assertEquals(List.of(first), entries(root), "the losers' partial copies are gone");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLibraryTheClassPathDoesNotHaveIsEmpty() throws Exception {
        Optional<Path> none = new NativeCache(root).directoryOf("com/sun/jna/no-such/libx.so");
        assertTrue(none.isEmpty());
        assertEquals(List.of(), entries(root), "nothing created for it");
    }

    @Test
    void theUserCacheFollowsThePropertyFirst() {
        String previous = System.getProperty(NativeCache.DIRECTORY_PROPERTY);
        System.setProperty(NativeCache.DIRECTORY_PROPERTY, root.resolve("mine").toString());
        try {
            assertEquals(root.resolve("mine"), NativeCache.forUser().root());
        } finally {
            if (previous == null) {
                System.clearProperty(NativeCache.DIRECTORY_PROPERTY);
            } else {
                System.setProperty(NativeCache.DIRECTORY_PROPERTY, previous);
            }
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = NativeCacheTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static List<Path> entries(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }
}
