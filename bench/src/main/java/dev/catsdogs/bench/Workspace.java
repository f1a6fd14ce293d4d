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
 * @param int8Model its int8 QDQ export (default: beside it, {@code -int8.onnx}), or null when there
 *     is none: the int8 benchmarks are then not run
 * @param data a {@code cats_and_dogs_filtered}-style folder ({@code validation/{cats,dogs}/*.jpg})
 * @param run a training run directory whose {@code model.params} the DJL peer loads, or null to
 *     import the DJL peer's weights from {@code model}
 * @param results where JMH's JSON and the summary are written
 */
public record Workspace(Path model, Path int8Model, Path data, Path run, Path results) {

    static final String MODEL = "catsdogs.bench.model";
    static final String INT8_MODEL = "catsdogs.bench.int8Model";
    static final String DATA = "catsdogs.bench.data";
    static final String RUN = "catsdogs.bench.run";
    static final String RESULTS = "catsdogs.bench.results";

    /** How to make the default int8 model, for the messages that miss it. */
    public static final String INT8_EXPORT_HINT =
            "./catsdogs export --run DIR --int8 --out models/catsdogs-mobilenetv2-int8.onnx";

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
        Path model = root.resolve("models/catsdogs-mobilenetv2.onnx");
        return new Workspace(
                model,
                int8Model(null, model),
                sharedDir.resolve("data/cats_and_dogs_filtered").toAbsolutePath().normalize(),
                null,
                root.resolve("bench/results"));
    }

    /**
     * Where the int8 export of {@code model} is by convention: beside it, {@code X.onnx} -> {@code
     * X-int8.onnx} (as {@code ./catsdogs export --int8} names it in a run directory, and as the
     * shipped pair is named).
     */
    public static Path int8Beside(Path model) {
        String name = model.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return model.resolveSibling(stem + "-int8.onnx");
    }

    /**
     * The int8 model to measure: {@code option} when given (it must exist, {@link #validate()}
     * checks), else the file {@link #int8Beside beside} {@code model} if there is one, else null
     * (no int8 rows).
     */
    public static Path int8Model(Path option, Path model) {
        if (option != null) {
            return option.toAbsolutePath().normalize();
        }
        Path beside = int8Beside(model);
        return Files.isRegularFile(beside) ? beside : null;
    }

    /** The workspace the harness passed to this JVM (a JMH fork), else {@link #defaults()}. */
    public static Workspace fromSystemProperties() {
        Workspace d = defaults();
        String run = System.getProperty(RUN);
        String int8 = System.getProperty(INT8_MODEL);
        return new Workspace(
                Path.of(System.getProperty(MODEL, d.model().toString())),
                int8 == null || int8.isEmpty() ? null : Path.of(int8),
                Path.of(System.getProperty(DATA, d.data().toString())),
                run == null || run.isEmpty() ? null : Path.of(run),
                Path.of(System.getProperty(RESULTS, d.results().toString())));
    }

    /** {@code -D} options that make {@link #fromSystemProperties()} return this workspace. */
    public List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        args.add("-D" + MODEL + "=" + model);
        if (int8Model != null) {
            args.add("-D" + INT8_MODEL + "=" + int8Model);
        }
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
        if (int8Model != null) {
            System.setProperty(INT8_MODEL, int8Model.toString());
        } else {
            System.clearProperty(INT8_MODEL);
        }
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
        if (int8Model != null && !Files.isRegularFile(int8Model)) {
            throw new IllegalArgumentException(
                    "int8 model file not found: "
                            + int8Model
                            + " (set it with --int8-model; make it with "
                            + INT8_EXPORT_HINT
                            + ")");
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
