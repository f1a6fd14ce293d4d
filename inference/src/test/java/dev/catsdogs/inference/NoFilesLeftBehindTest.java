package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that classifies leaves nothing in {@code java.io.tmpdir} (also when it is killed
 * with SIGKILL, as OOM killers and containers do), sends no telemetry (ONNX Runtime's would write
 * {@code mat-debug-<pid>.log} and {@code .ses} to {@code TMPDIR} and a device id under {@code
 * HOME}), prints nothing of its own, and extracts the natives once: a later process reuses them.
 */
class NoFilesLeftBehindTest {

    @TempDir Path dir;

    @Test
    void normalAndKilledRunsLeaveTmpAndHomeEmptyAndReuseTheNativeCache() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path home = Files.createDirectory(dir.resolve("home"));
        Path cache = dir.resolve("cache");
        Path model = TestModels.writeSigmoid(dir.resolve("model.onnx"));
        Path image = TestImages.photo("cat.2000.jpg");
        ChildJvm app = new ChildJvm(tmp, home, cache, List.of());

        ChildJvm.Result normal = app.classify(model, image, Map.of());
        assertEquals(0, normal.exitCode(), normal.err());
        assertTrue(normal.out().matches("(cats|dogs)\n"), normal.out());
        assertEquals("", normal.err(), "the library prints nothing");
        assertEquals(List.of(), tree(tmp), "java.io.tmpdir after a normal run");
        assertEquals(List.of(), tree(home), "home after a normal run (no telemetry device id)");
        Map<String, Long> extracted = filesWithTimes(cache);
        assertEquals(
                4, // ONNX Runtime and its JNI binding, OpenCV, JNA's dispatch library
                extracted.size(),
                extracted.toString());

        Process killed = app.classifyForever(model, image);
        killed.destroyForcibly(); // SIGKILL
        assertEquals(137, killed.waitFor(), "killed by SIGKILL");
        assertEquals(List.of(), tree(tmp), "java.io.tmpdir after kill -9");
        assertEquals(List.of(), tree(home), "home after kill -9");
        assertEquals(extracted, filesWithTimes(cache), "the second start reused the cache");
    }

    private static List<Path> tree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> !p.equals(root)).sorted().toList();
        }
    }

    private static Map<String, Long> filesWithTimes(Path root) throws Exception {
        Map<String, Long> files = new TreeMap<>();
        for (Path path : tree(root)) {
            files.put(
                    root.relativize(path).toString(),
                    Files.isRegularFile(path) ? Files.getLastModifiedTime(path).toMillis() : -1L);
        }
        files.values().removeIf(time -> time == -1L); // the hash-named directories
        return files;
    }
}
