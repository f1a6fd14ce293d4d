package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.catsdogs.trainer.TestPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that starts DJL prints nothing on stderr of its own accord: no SLF4J "No providers"
 * warning (SLF4J is bound to java.util.logging), no warning from DJL's GPU probe on a machine
 * without a usable CUDA driver, no PyTorch warning about the deprecated guard DJL's {@code
 * NDArray.set(float[])} runs under (the ImageNet weights' import once printed one at every run).
 */
class CliStderrTest {

    @TempDir Path dir;

    @Test
    void summaryLeavesStderrEmpty() throws Exception {
        assertEquals("", stderrOf("summary"));
    }

    @Test
    void aShortTrainingRunLeavesStderrEmpty() throws Exception {
        Path data = dir.resolve("data");
        TestPaths.copyPhotos(data.resolve("train"), "train", 0, 2);
        TestPaths.copyPhotos(data.resolve("validation"), "validation", 2000, 2);
        assertEquals(
                "",
                stderrOf(
                        "train",
                        "--data",
                        data.toString(),
                        "--out",
                        dir.resolve("run").toString(),
                        "--epochs",
                        "1",
                        "--fine-tune-epochs",
                        "0",
                        "--image-size",
                        "32",
                        "--eval-steps",
                        "1",
                        "--no-export"));
    }

    private static String stderrOf(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-Dcatsdogs.home=" + TestPaths.root(), // as the launcher runs it
                                "-cp",
                                System.getProperty("java.class.path"),
                                CatsDogs.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        // stdout read on its own thread: a full pipe would block the child.
        CompletableFuture<String> out =
                CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        String err = read(process.getErrorStream());
        assertEquals(0, process.waitFor(), err + out.get());
        return err;
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
