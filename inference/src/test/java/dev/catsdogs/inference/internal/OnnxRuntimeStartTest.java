package dev.catsdogs.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every module, tests included, starts ONNX Runtime through {@link
 * OnnxRuntimeLoader#environment()}: a process whose first start goes around it (the bench's kernel
 * profile and peak MatMul, two trainer tests once did) leaves an {@code onnxruntime-java*}
 * directory in {@code java.io.tmpdir} and, with the telemetry on, {@code mat-debug-<pid>.log} and
 * {@code .ses}.
 */
class OnnxRuntimeStartTest {

    @Test
    void onlyTheLoaderCallsGetEnvironment() throws IOException {
        Path root = Path.of(System.getProperty("catsdogs.root", "..")).toAbsolutePath().normalize();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root, 12)) {
            sources =
                    files.filter(p -> p.toString().endsWith(".java"))
                            .filter(p -> p.toString().matches(".*/src/(main|test)/java/.*"))
                            .filter(p -> !p.endsWith("OnnxRuntimeLoader.java"))
                            .filter(p -> !p.endsWith("OnnxRuntimeStartTest.java"))
                            .toList();
        }
        assertFalse(sources.isEmpty(), "no sources under " + root);
        List<Path> offenders =
                sources.stream()
                        .filter(p -> read(p).contains("OrtEnvironment.getEnvironment("))
                        .map(root::relativize)
                        .toList();
        assertEquals(List.of(), offenders);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
