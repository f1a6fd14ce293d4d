package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.spark.cli.ScoreCommand;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during a {@code score} job, in a child JVM as a user runs it: exit 130 with one line, no
 * stack trace, and the earlier output as it was with nothing left beside it. SIGTERM is sent (what
 * {@link Process#destroy} sends): {@code score} handles it as SIGINT, and SIGINT may be ignored by
 * a test JVM that runs in the background.
 */
class ScoreInterruptTest {

    @TempDir Path dir;

    @Test
    void aStopSignalCancelsTheJobAndLeavesTheEarlierOutputAsItWas() throws Exception {
        Path validation = TestData.photos("validation");
        Path work = Files.createDirectories(dir.resolve("work"));
        Path out = TestData.writeScoreOutput(work.resolve("scored"), validation);
        Map<String, String> before = TestData.snapshot(work);

        // The class path through an argument file: ONNX Runtime 1.29 crashes (SIGSEGV) creating
        // its environment when the process's command line is longer than about 12 KB.
        Path classPath =
                Files.writeString(
                        dir.resolve("classpath.args"),
                        "-cp \"" + System.getProperty("java.class.path") + "\"");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the test JVM's own options: Spark's module opens on Java 17
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        // the commands' logging configuration, as the launcher passes it (it is not in the jar)
        command.add("-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile"));
        command.addAll(
                List.of(
                        "@" + classPath,
                        ScoreCommand.class.getName(),
                        "--input",
                        validation.toString(),
                        "--output",
                        out.toString(),
                        "--overwrite",
                        "--model",
                        TestData.model().toString(),
                        "--master",
                        "local[1]",
                        "--batch",
                        "8",
                        "--conf",
                        "spark.ui.showConsoleProgress=false"));
        Path stderr = dir.resolve("stderr.txt");
        Process score =
                new ProcessBuilder(command)
                        .redirectOutput(dir.resolve("stdout.txt").toFile())
                        .redirectError(stderr.toFile())
                        .start();
        try {
            awaitTasksWriting(work, score, stderr);
            score.destroy(); // SIGTERM
            assertTrue(score.waitFor(60, TimeUnit.SECONDS), "score did not stop");
        } finally {
            score.destroyForcibly();
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertEquals(130, score.exitValue(), err);
        assertEquals(
                List.of(
                        "score: stopping (again to quit at once)",
                        "score: interrupted; nothing was written to " + out),
                err.lines().filter(line -> !line.isBlank()).toList(),
                "one line per event, no stack trace");
        assertEquals(before, TestData.snapshot(work), "the earlier output as it was, nothing new");
    }

    // Until the job's tasks write into the temporary output beside the earlier one.
    private static void awaitTasksWriting(Path work, Process score, Path stderr) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!score.isAlive()) {
                throw new AssertionError(
                        "score ended before it was stopped, exit "
                                + score.exitValue()
                                + ": "
                                + Files.readString(stderr)
                                + Files.readString(stderr.resolveSibling("stdout.txt")));
            }
            try (Stream<Path> entries = Files.list(work)) {
                if (entries.anyMatch(p -> Files.isDirectory(p.resolve("output/_temporary")))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the job did not start writing within 120 s");
    }
}
