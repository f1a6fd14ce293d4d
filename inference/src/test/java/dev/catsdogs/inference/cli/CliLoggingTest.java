package dev.catsdogs.inference.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.catsdogs.inference.CliTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command shows the library's notices, which the library itself keeps off stderr. */
class CliLoggingTest {

    @TempDir Path dir;

    @Test
    void classifyShowsTheLibrarysNoticeOnOneLine() throws Exception {
        Path model = CliTestSupport.writeSigmoidModel(dir.resolve("model.onnx"));
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dcatsdogs.turbojpeg=false",
                                "-cp",
                                System.getProperty("java.class.path"),
                                ClassifyCommand.class.getName(),
                                "--model",
                                model.toString(),
                                CliTestSupport.photo("cat.2000.jpg").toString())
                        .start();
        process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), err);
        assertEquals(
                List.of(
                        "catsdogs: note: libturbojpeg disabled by -Dcatsdogs.turbojpeg=false; JPEG"
                                + " is decoded by OpenCV's built-in libjpeg"),
                err.lines().toList());
    }
}
