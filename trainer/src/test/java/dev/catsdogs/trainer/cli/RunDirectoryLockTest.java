package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.train.RunLock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes never write one run directory: while another process holds it (a training run, here
 * a child JVM holding its lock), {@code train --out} and {@code export --run} into it end with exit
 * 2 naming the holder, and touch nothing; once the holder is killed, the lock is free again.
 */
class RunDirectoryLockTest {

    @TempDir Path dir;

    /** The child: locks the directory as {@code train} does, says so, and waits to be killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            RunLock lock = RunLock.acquire(Path.of(args[0]), "train");
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(2)); // killed long before
            lock.close();
        }
    }

    @Test
    void aSecondProcessIsRefusedAndNothingIsTouched() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("config.json"), "{\"from\": \"the first run\"}");
        Files.writeString(run.resolve("report.json"), "{}");
        Process holder =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                Holder.class.getName(),
                                run.toString())
                        .redirectErrorStream(true)
                        .start();
        try {
            BufferedReader lines =
                    new BufferedReader(
                            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", lines.readLine());
            String pid = "pid " + holder.pid();

            Result train =
                    execute(
                            "train",
                            "--data",
                            tinyData().toString(),
                            "--weights",
                            TestPaths.imagenetOnnx().toString(),
                            "--out",
                            run.toString(),
                            "--overwrite");
            assertEquals(2, train.exit(), train.err());
            assertTrue(train.err().contains("--out " + run + ": in use by " + pid), train.err());
            assertTrue(train.err().contains("catsdogs train"), train.err());
            assertEquals(
                    "{\"from\": \"the first run\"}",
                    Files.readString(run.resolve("config.json")),
                    "--overwrite removed nothing");

            Result export = execute("export", "--run", run.toString());
            assertEquals(2, export.exit(), export.err());
            assertTrue(export.err().contains("--run " + run + ": in use by " + pid), export.err());
        } finally {
            holder.destroyForcibly().waitFor(); // SIGKILL: the OS releases the lock
        }
        try (RunLock again = RunLock.acquire(run, "train")) {
            assertTrue(Files.isRegularFile(run.resolve(RunLock.FILE)));
        }
    }

    @Test
    void aLockHeldInThisProcessIsBusyTooAndReleasedOnClose() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        try (RunLock first = RunLock.acquire(run, "train")) {
            IllegalStateException e =
                    org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalStateException.class, () -> RunLock.acquire(run, "export"));
            assertTrue(
                    e.getMessage().contains("pid " + ProcessHandle.current().pid()),
                    e.getMessage());
        }
        RunLock.acquire(run, "export").close();
        List<String> names;
        try (var files = Files.list(run)) {
            names = files.map(f -> f.getFileName().toString()).toList();
        }
        assertEquals(List.of(RunLock.FILE), names);
        assertFalse(Files.readString(run.resolve(RunLock.FILE)).isBlank());
    }

    private Path tinyData() throws Exception {
        for (String f :
                List.of(
                        "train/cats/a.jpg",
                        "train/dogs/b.jpg",
                        "validation/cats/c.jpg",
                        "validation/dogs/d.jpg")) {
            Path p = dir.resolve("tiny").resolve(f);
            Files.createDirectories(p.getParent());
            Files.write(p, new byte[0]);
        }
        return dir.resolve("tiny");
    }

    private record Result(int exit, String err) {}

    private static Result execute(String... args) {
        StringWriter err = new StringWriter();
        int exit =
                CatsDogs.commandLine()
                        .setOut(new PrintWriter(new StringWriter(), true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args);
        return new Result(exit, err.toString());
    }
}
