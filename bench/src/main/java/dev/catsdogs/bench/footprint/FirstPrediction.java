package dev.catsdogs.bench.footprint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An application's first prediction in a new JVM: {@link #MAIN} builds a classifier on a model,
 * classifies one photo and prints the milliseconds both took ({@code System.nanoTime()} around
 * them), as an application that starts to classify one request would. Its JVMs run as an
 * application's do: no jemalloc preloaded, and their {@code java.io.tmpdir} and {@code TMPDIR} an
 * empty directory of this probe's, so that what they leave there can be counted.
 */
final class FirstPrediction {

    /**
     * The application's {@code app.Main}; with a third argument it then classifies until killed.
     */
    static final String MAIN =
            """
            package app;

            import dev.catsdogs.inference.ImageClassifier;
            import dev.catsdogs.inference.Prediction;
            import java.nio.file.Path;

            public class Main {
                public static void main(String[] args) throws Exception {
                    long start = System.nanoTime();
                    try (ImageClassifier classifier = ImageClassifier.builder(Path.of(args[0])).build()) {
                        Prediction first = classifier.classify(Path.of(args[1]));
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        System.out.println("first_prediction_ms=" + ms + " label=" + first.label());
                        System.out.flush();
                        while (args.length > 2) {
                            classifier.classify(Path.of(args[1]));
                        }
                    }
                }
            }
            """;

    private static final Pattern REPORT =
            Pattern.compile("first_prediction_ms=(\\d+) label=(\\S+)");

    /**
     * One start.
     *
     * @param firstPredictionMs what the application measured: building the classifier and its first
     *     prediction
     * @param processMs the whole {@code java} command, JVM start and exit included
     * @param label the first prediction's label
     */
    record Start(long firstPredictionMs, long processMs, String label) {}

    private final List<String> command;
    private final Path tmp;

    /**
     * @param classPath the application's classes and its dependencies
     * @param tmp the JVMs' temporary directory (created empty if missing)
     */
    FirstPrediction(List<Path> classPath, Path model, Path image, Path tmp) throws IOException {
        this.tmp = Files.createDirectories(tmp);
        this.command =
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.io.tmpdir=" + tmp,
                        "-cp",
                        String.join(":", classPath.stream().map(Path::toString).toList()),
                        "app.Main",
                        model.toString(),
                        image.toString());
    }

    /** A new JVM to its first prediction and exit. */
    Start start() throws IOException, InterruptedException {
        long begin = System.nanoTime();
        Process process = builder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("the application did not exit within 5 minutes: " + out);
        }
        long processMs = (System.nanoTime() - begin) / 1_000_000;
        Matcher report = REPORT.matcher(out);
        if (process.exitValue() != 0 || !report.find()) {
            throw new IOException(
                    "the application failed (exit " + process.exitValue() + "): " + out);
        }
        return new Start(Long.parseLong(report.group(1)), processMs, report.group(2));
    }

    /** A new JVM killed with SIGKILL right after its first prediction, while it classifies on. */
    void startAndKill() throws IOException, InterruptedException {
        List<String> forever = new java.util.ArrayList<>(command);
        forever.add("--forever");
        Process process = builder(forever).redirectErrorStream(true).start();
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            if (line == null || !REPORT.matcher(line).find()) {
                throw new IOException(
                        "the application printed " + line + " instead of its first prediction");
            }
        } finally {
            process.destroyForcibly(); // SIGKILL
            process.waitFor();
        }
    }

    /** What the JVMs left in their temporary directory: its entries, at any depth. */
    List<Path> leftInTmp() throws IOException {
        try (Stream<Path> paths = Files.walk(tmp)) {
            return paths.filter(p -> !p.equals(tmp)).sorted().toList();
        }
    }

    private ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        // An application's JVM: the launcher's jemalloc preload is not an application's.
        builder.environment().remove("LD_PRELOAD");
        builder.environment().remove("MALLOC_CONF");
        builder.environment().put("TMPDIR", tmp.toString());
        return builder;
    }
}
