package dev.catsdogs.bench;

import dev.catsdogs.trainer.train.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the benchmarks find their inputs: the model, the real photos, an optional training run, and
 * where results go. JMH forks get it as system properties ({@link #jvmArgs()}), so every benchmark
 * reads exactly what the harness checked.
 *
 * @param model the float32 NCHW ONNX model (default {@code models/catsdogs-mobilenetv2.onnx})
 * @param data a {@code cats_and_dogs_filtered}-style folder ({@code validation/{cats,dogs}/*.jpg})
 * @param run a training run directory whose {@code model.params} the DJL peer loads, or null to
 *     import the DJL peer's weights from {@code model}
 * @param results where JMH's JSON and the summary are written
 */
public record Workspace(Path model, Path data, Path run, Path results) {

    static final String MODEL = "catsdogs.bench.model";
    static final String DATA = "catsdogs.bench.data";
    static final String RUN = "catsdogs.bench.run";
    static final String RESULTS = "catsdogs.bench.results";

    public Workspace {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(results, "results");
    }

    /**
     * The repository root: {@code -Dcatsdogs.home} (set by the launcher), {@code -Dcatsdogs.root}
     * (set by surefire), else the working directory.
     */
    public static Path root() {
        String home = System.getProperty("catsdogs.home", System.getProperty("catsdogs.root"));
        Path p = home != null ? Path.of(home) : Path.of("");
        return p.toAbsolutePath().normalize();
    }

    /** The defaults of a fresh clone with {@code ../shared} beside it. */
    public static Workspace defaults() {
        Path root = root();
        String shared = System.getProperty("catsdogs.shared");
        Path sharedDir = shared != null ? Path.of(shared) : root.resolve("../shared");
        return new Workspace(
                root.resolve("models/catsdogs-mobilenetv2.onnx"),
                sharedDir.resolve("data/cats_and_dogs_filtered").toAbsolutePath().normalize(),
                null,
                root.resolve("bench/results"));
    }

    /** The workspace the harness passed to this JVM (a JMH fork), else {@link #defaults()}. */
    public static Workspace fromSystemProperties() {
        Workspace d = defaults();
        String run = System.getProperty(RUN);
        return new Workspace(
                Path.of(System.getProperty(MODEL, d.model().toString())),
                Path.of(System.getProperty(DATA, d.data().toString())),
                run == null || run.isEmpty() ? null : Path.of(run),
                Path.of(System.getProperty(RESULTS, d.results().toString())));
    }

    /** {@code -D} options that make {@link #fromSystemProperties()} return this workspace. */
    public List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        args.add("-D" + MODEL + "=" + model);
        args.add("-D" + DATA + "=" + data);
        if (run != null) {
            args.add("-D" + RUN + "=" + run);
        }
        args.add("-D" + RESULTS + "=" + results);
        return args;
    }

    /** Sets this workspace as system properties of this JVM, for benchmarks run without a fork. */
    public void applyToThisJvm() {
        System.setProperty(MODEL, model.toString());
        System.setProperty(DATA, data.toString());
        if (run != null) {
            System.setProperty(RUN, run.toString());
        } else {
            System.clearProperty(RUN);
        }
        System.setProperty(RESULTS, results.toString());
    }

    /**
     * Checks that the inputs exist.
     *
     * @throws IllegalArgumentException naming the missing file or folder and the option that sets
     *     it
     */
    public Workspace validate() {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException(
                    "model file not found: " + model + " (set it with --model)");
        }
        if (!Files.isDirectory(data.resolve("validation"))) {
            throw new IllegalArgumentException(
                    "photos not found: "
                            + data.resolve("validation")
                            + " does not exist; expected ../shared/data/cats_and_dogs_filtered"
                            + " beside the repository (set it with --data)");
        }
        if (run != null && !Files.isRegularFile(run.resolve(RunDirectory.PARAMETERS))) {
            throw new IllegalArgumentException(
                    "--run "
                            + run
                            + " has no model.params; expected a run"
                            + " directory written by './catsdogs train'");
        }
        return this;
    }
}
