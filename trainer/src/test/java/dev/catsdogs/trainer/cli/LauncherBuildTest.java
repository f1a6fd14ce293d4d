package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.trainer.TestPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the launcher rebuilds: a copy of it in a checkout of empty sources, with {@code mvn} and
 * {@code java} on PATH replaced by scripts that log their calls.
 */
class LauncherBuildTest {

    @TempDir Path root;

    private Path log;
    private Path jar;
    private Path lib;

    @BeforeEach
    void checkout() throws Exception {
        Path real = TestPaths.root();
        Files.copy(real.resolve("catsdogs"), root.resolve("catsdogs"));
        Files.createDirectories(root.resolve("launcher"));
        Files.copy(real.resolve("launcher/commands.sh"), root.resolve("launcher/commands.sh"));
        for (String module : new String[] {".", "inference", "trainer"}) {
            Files.createDirectories(root.resolve(module).resolve("src/main"));
            Files.writeString(root.resolve(module).resolve("pom.xml"), "<project/>");
        }
        log = root.resolve("calls.log");
        Path bin = Files.createDirectories(root.resolve("bin"));
        // Maven's package copies the dependencies into the library folder the launcher cleared.
        script(bin.resolve("mvn"), "echo \"mvn $*\" >> " + log + "; mkdir -p trainer/target/lib");
        script(bin.resolve("java"), "echo java >> " + log);
        lib = Files.createDirectories(root.resolve("trainer/target/lib"));
        jar = Files.writeString(root.resolve("trainer/target/trainer.jar"), "jar");
        Instant built = Instant.now().minusSeconds(60);
        for (Path source :
                new Path[] {
                    root.resolve("pom.xml"),
                    root.resolve("inference/pom.xml"),
                    root.resolve("trainer/pom.xml"),
                    root.resolve("inference/src/main"),
                    root.resolve("trainer/src/main")
                }) {
            Files.setLastModifiedTime(source, FileTime.from(built.minusSeconds(60)));
        }
        Files.setLastModifiedTime(jar, FileTime.from(built));
    }

    @Test
    void jarsTheLauncherBuiltAreReused() throws Exception {
        stamp("gpu");
        String calls = launch("--gpu", "summary");
        assertEquals("java", calls.strip(), calls);
    }

    @Test
    void anotherFlavorIsRebuilt() throws Exception {
        stamp("cpu");
        String calls = launch("--gpu", "summary");
        assertTrue(calls.contains("mvn ") && calls.contains("-Dgpu"), calls);
    }

    /** After mvn package or -Pdist the library folder may hold the other flavor's natives too. */
    @Test
    void jarsAddedWithoutTheLauncherAreRebuilt() throws Exception {
        stamp("gpu");
        Files.writeString(lib.resolve("pytorch-native-cpu-2.7.1-linux-x86_64.jar"), "natives");
        String calls = launch("--gpu", "summary");
        assertTrue(calls.contains("mvn ") && calls.contains("-Dgpu"), calls);
        assertFalse(calls.startsWith("java"), calls);
    }

    /** The stamp as the launcher writes it after its build: the flavor, listing the jars. */
    private void stamp(String flavor) throws Exception {
        Files.writeString(lib.resolve("api-0.36.0.jar"), "jar");
        Files.writeString(lib.resolve(".flavor-" + flavor), "api-0.36.0.jar\n");
    }

    private String launch(String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = root.resolve("catsdogs").toString();
        System.arraycopy(args, 0, command, 2, args.length);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().put("XDG_CACHE_HOME", root.resolve("cache").toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), out);
        assertEquals(0, process.exitValue(), out);
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static void script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
