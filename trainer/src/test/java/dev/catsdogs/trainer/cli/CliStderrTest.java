package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A command that starts DJL prints nothing on stderr of its own accord: no SLF4J "No providers"
 * warning (SLF4J is bound to java.util.logging), no warning from DJL's GPU probe on a machine
 * without a usable CUDA driver.
 */
class CliStderrTest {

    @Test
    void summaryLeavesStderrEmpty() throws Exception {
        Process process =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dai.djl.offline=true",
                                "-cp",
                                System.getProperty("java.class.path"),
                                CatsDogs.class.getName(),
                                "summary")
                        .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), err + out);
        assertEquals("", err);
    }
}
