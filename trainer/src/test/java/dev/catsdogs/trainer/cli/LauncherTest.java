package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.catsdogs.trainer.TestPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher finds its installation when it is run through a symbolic link (from a PATH). */
class LauncherTest {

    @TempDir Path dir;

    @Test
    void aLinkToTheLauncherFindsTheRealInstallation() throws Exception {
        Path root = TestPaths.root();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("catsdogs"), root.resolve("catsdogs"));
        Process process =
                new ProcessBuilder("bash", link.toString(), "--root")
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, process.exitValue(), out);
        assertEquals(root.toRealPath().toString(), out.strip());
    }
}
