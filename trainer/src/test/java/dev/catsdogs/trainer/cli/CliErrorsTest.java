package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.train.DataSettings;
import dev.catsdogs.trainer.train.Json;
import dev.catsdogs.trainer.train.Recipe;
import dev.catsdogs.trainer.train.TrainingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ordinary mistakes with the trainer's commands: each ends in one line naming the value or file and
 * what is expected, exit 2 for a wrong command line and 1 for a failed run, and never a stack
 * trace. A new option's mistakes join the list.
 */
class CliErrorsTest {

    @TempDir static Path dir;

    /** One mistake: the arguments (given the temp dir), the exit code, words the message holds. */
    record Case(String name, Function<Path, List<String>> args, int exit, String fragment) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                        // train: the command line
                        train(
                                "--data missing",
                                d -> List.of("--data", d + "/nope"),
                                2,
                                "not found"),
                        train(
                                "--data a file",
                                d -> List.of("--data", file(d).toString()),
                                2,
                                "not a directory"),
                        train(
                                "--batch-size 0",
                                d -> data(d, "--batch-size", "0"),
                                2,
                                "--batch-size 0"),
                        train(
                                "--batch-size -5",
                                d -> data(d, "--batch-size", "-5"),
                                2,
                                "--batch-size -5"),
                        train(
                                "--fine-tune-at 9999",
                                d -> data(d, "--fine-tune-at", "9999"),
                                2,
                                "--fine-tune-at 9999"),
                        train(
                                "--fine-tune-at -1",
                                d -> data(d, "--fine-tune-at", "-1"),
                                2,
                                "--fine-tune-at -1"),
                        train("--epochs -1", d -> data(d, "--epochs", "-1"), 2, "--epochs -1"),
                        // Both phases' settings are checked alike; each names its own option.
                        train(
                                "--fine-tune-epochs -2",
                                d -> data(d, "--fine-tune-epochs", "-2"),
                                2,
                                "Received --fine-tune-epochs -2; expected >= 0"),
                        train(
                                "--fine-tune-learning-rate 0",
                                d -> data(d, "--fine-tune-learning-rate", "0"),
                                2,
                                "Received --fine-tune-learning-rate 0.0; expected > 0"),
                        train(
                                "--learning-rate -1",
                                d -> data(d, "--learning-rate", "-1"),
                                2,
                                "Received --learning-rate -1.0; expected > 0"),
                        train(
                                "--augment spin",
                                d -> data(d, "--augment", "flip,spin"),
                                2,
                                "--augment Received `spin`"),
                        train(
                                "--augment rotate=2",
                                d -> data(d, "--augment", "rotate=2"),
                                2,
                                "rotate=2.0; expected 0..1"),
                        train(
                                "--optimizer sgd",
                                d -> data(d, "--optimizer", "sgd"),
                                2,
                                "--optimizer sgd; expected one of rmsprop, adam"),
                        train(
                                "--recipe keras",
                                d -> data(d, "--recipe", "keras"),
                                2,
                                "expected one of seed, tutorial"),
                        train(
                                "--augment-views without --augment",
                                d -> data(d, "--augment-views", "3"),
                                2,
                                "--augment-views 3; expected 0 without augmentation"),
                        train(
                                "--augment-views with --no-cache",
                                d ->
                                        data(
                                                d,
                                                "--recipe",
                                                "tutorial",
                                                "--no-cache",
                                                "--augment-views",
                                                "3"),
                                2,
                                "0 without caching"),
                        train("--dropout 1", d -> data(d, "--dropout", "1"), 2, "--dropout 1.0"),
                        train("--threads 0", d -> data(d, "--threads", "0"), 2, "--threads 0"),
                        train(
                                "--threads 5000",
                                d -> data(d, "--threads", "5000"),
                                2,
                                "expected 1.."),
                        train(
                                "--image-size 31",
                                d -> data(d, "--image-size", "31"),
                                2,
                                "--image-size 31"),
                        train(
                                "--cache-budget lots",
                                d -> data(d, "--cache-budget", "lots"),
                                2,
                                "lots"),
                        train(
                                "--device tpu",
                                d -> data(d, "--device", "tpu"),
                                2,
                                "expected one of auto, cpu"),
                        train("--device gpu:x", d -> data(d, "--device", "gpu:x"), 2, "gpu:x"),
                        train(
                                "--learning-rate Infinity",
                                d -> data(d, "--learning-rate", "Infinity"),
                                2,
                                "--learning-rate Infinity"),
                        train(
                                "--out an existing file",
                                d -> data(d, "--out", file(d).toString()),
                                2,
                                "not a directory"),
                        train(
                                "--out a used run directory",
                                d -> data(d, "--out", usedRun(d).toString()),
                                2,
                                "--overwrite"),
                        train(
                                "--overwrite a directory of other files",
                                d -> data(d, "--out", foreignDir(d).toString(), "--overwrite"),
                                2,
                                "does not write"),
                        train(
                                "--weights missing",
                                d -> data(d, "--weights", d + "/nope.onnx"),
                                2,
                                "--weights"),
                        // train: the data and files
                        train(
                                "--data with one class",
                                d -> List.of("--data", oneClass(d).toString(), "--out", d + "/r1"),
                                1,
                                "at least 2"),
                        train(
                                "--data with an empty class",
                                d ->
                                        List.of(
                                                "--data",
                                                emptyClass(d).toString(),
                                                "--out",
                                                d + "/r2"),
                                1,
                                "has no images"),
                        train(
                                "--weights garbage",
                                d -> data(d, "--weights", file(d).toString(), "--out", d + "/r3"),
                                1,
                                "garbage.onnx"),
                        train(
                                "--out under /proc",
                                d ->
                                        data(
                                                d,
                                                "--weights",
                                                TestPaths.imagenetOnnx().toString(),
                                                "--out",
                                                "/proc/catsdogs-run"),
                                2,
                                "--out /proc/catsdogs-run: cannot create the directory"),
                        train(
                                "--early-stopping -1",
                                d -> data(d, "--early-stopping", "-1"),
                                2,
                                "Received --early-stopping -1; expected >= 0"),
                        train(
                                "--early-stopping-min-delta -0.1",
                                d -> data(d, "--early-stopping-min-delta", "-0.1"),
                                2,
                                "--early-stopping-min-delta -0.1"),
                        train(
                                "--lr-schedule step",
                                d -> data(d, "--lr-schedule", "step"),
                                2,
                                "--lr-schedule step; expected one of constant, cosine"),
                        train(
                                "--warmup-epochs without cosine",
                                d -> data(d, "--warmup-epochs", "2"),
                                2,
                                "Received --warmup-epochs 2; expected 0 with a constant"),
                        train(
                                "--class-weight auto",
                                d -> data(d, "--class-weight", "auto"),
                                2,
                                "expected one of none, balanced"),
                        train(
                                "--resume with --epochs",
                                d -> List.of("--resume", d.toString(), "--epochs", "3"),
                                2,
                                "takes no other option than --device and --torch (got --epochs)"),
                        train(
                                "--resume not a run",
                                d -> List.of("--resume", d + "/nope"),
                                2,
                                "--resume "),
                        train(
                                "--calibration-images without --int8",
                                d -> data(d, "--calibration-images", "5"),
                                2,
                                "--calibration-images applies to the int8 model; it needs --int8"),
                        // export
                        export("--run missing", d -> List.of("--run", d + "/nope"), 2, "not found"),
                        export(
                                "--run a file",
                                d -> List.of("--run", file(d).toString()),
                                2,
                                "not a directory"),
                        export(
                                "--run not a run",
                                d -> List.of("--run", d.toString()),
                                1,
                                "not a run directory"),
                        export(
                                "--parity-images -3",
                                d ->
                                        List.of(
                                                "--run",
                                                run(d, "ok").toString(),
                                                "--parity-images",
                                                "-3"),
                                2,
                                "--parity-images -3"),
                        export(
                                "--out a directory",
                                d ->
                                        List.of(
                                                "--run",
                                                run(d, "ok").toString(),
                                                "--out",
                                                d.toString()),
                                2,
                                "is a directory"),
                        export(
                                "truncated model.params",
                                d -> List.of("--run", run(d, "truncated").toString()),
                                1,
                                "model.params"),
                        export(
                                "corrupt report.json",
                                d -> List.of("--run", run(d, "corrupt-report").toString()),
                                1,
                                "report.json"),
                        export(
                                "data moved",
                                d -> List.of("--run", run(d, "moved").toString()),
                                1,
                                "no longer there"),
                        export(
                                "--calibration-images without --int8",
                                d ->
                                        List.of(
                                                "--run",
                                                run(d, "ok").toString(),
                                                "--calibration-images",
                                                "5"),
                                2,
                                "it needs --int8"),
                        export(
                                "--int8-activations without --int8",
                                d ->
                                        List.of(
                                                "--run",
                                                run(d, "ok").toString(),
                                                "--int8-activations",
                                                "s8s8"),
                                2,
                                "--int8-activations applies to the int8 model"),
                        // summary
                        summary(
                                "--fine-tune-at 9999",
                                d -> List.of("--fine-tune-at", "9999"),
                                2,
                                "--fine-tune-at 9999"),
                        summary("--classes 1", d -> List.of("--classes", "1"), 2, "--classes 1"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineAndTheDocumentedExitCode(Case c) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                CatsDogs.commandLine()
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(c.args().apply(dir).toArray(String[]::new));
        String message = err.toString();
        assertEquals(c.exit(), exit, c.name() + ":\n" + message);
        assertTrue(
                message.contains(c.fragment()),
                c.name() + ": '" + c.fragment() + "' not in:\n" + message);
        assertFalse(message.contains("\tat "), c.name() + ": a stack trace:\n" + message);
        assertFalse(message.contains("Exception"), c.name() + ": an exception name:\n" + message);
        String first = message.lines().findFirst().orElse("");
        assertTrue(first.length() > 10, c.name() + ": first line says too little:\n" + message);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"nosuchcommand --help", "nosuchcommand", "train --nosuchoption --help"})
    void anUnknownCommandIsAUsageErrorEvenWithHelp(String args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                CatsDogs.commandLine()
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args.split(" "));
        assertEquals(2, exit, err.toString());
        assertTrue(
                err.toString().contains("unknown command 'nosuchcommand'; expected one of")
                        || err.toString().contains("Unknown option: '--nosuchoption'"),
                err.toString());
        assertEquals("", out.toString(), "no usage printed as if asked for");
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @org.junit.jupiter.api.Test
    void garbageWeightsCreateNoRunDirectory() {
        Path out = dir.resolve("never-created");
        int exit =
                CatsDogs.commandLine()
                        .setOut(new PrintWriter(new StringWriter(), true))
                        .setErr(new PrintWriter(new StringWriter(), true))
                        .execute(
                                prepend(
                                                "train",
                                                data(
                                                        dir,
                                                        "--weights",
                                                        file(dir).toString(),
                                                        "--out",
                                                        out.toString()))
                                        .toArray(String[]::new));
        assertEquals(1, exit);
        assertFalse(Files.exists(out), "the inputs are checked before the run directory exists");
    }

    private static Case train(
            String name, Function<Path, List<String>> args, int exit, String fragment) {
        return new Case("train " + name, d -> prepend("train", args.apply(d)), exit, fragment);
    }

    private static Case export(
            String name, Function<Path, List<String>> args, int exit, String fragment) {
        return new Case("export " + name, d -> prepend("export", args.apply(d)), exit, fragment);
    }

    private static Case summary(
            String name, Function<Path, List<String>> args, int exit, String fragment) {
        return new Case("summary " + name, d -> prepend("summary", args.apply(d)), exit, fragment);
    }

    private static List<String> prepend(String command, List<String> args) {
        return Stream.concat(Stream.of(command), args.stream()).toList();
    }

    /** Valid data (empty image files are enough to pass the option checks), then {@code more}. */
    private static List<String> data(Path d, String... more) {
        return prepend("--data", prepend(tinyData(d).toString(), List.of(more)));
    }

    private static Path tinyData(Path d) {
        return tree(
                d.resolve("tiny"),
                "train/cats/a.jpg",
                "train/dogs/b.jpg",
                "validation/cats/c.jpg",
                "validation/dogs/d.jpg");
    }

    private static Path oneClass(Path d) {
        return tree(d.resolve("one-class"), "train/cats/a.jpg", "validation/cats/c.jpg");
    }

    private static Path emptyClass(Path d) {
        Path root =
                tree(
                        d.resolve("empty-class"),
                        "train/cats/a.jpg",
                        "validation/cats/c.jpg",
                        "validation/dogs/d.jpg");
        create(() -> Files.createDirectories(root.resolve("train/dogs")));
        return root;
    }

    private static Path file(Path d) {
        Path f = d.resolve("garbage.onnx");
        create(() -> Files.writeString(f, "not a model"));
        return f;
    }

    private static Path usedRun(Path d) {
        return tree(d.resolve("used-run"), "config.json", "report.json");
    }

    private static Path foreignDir(Path d) {
        return tree(d.resolve("foreign"), "report.json", "holiday.jpg");
    }

    /** A run directory whose parameters or report are damaged, or whose data moved. */
    private static Path run(Path d, String kind) {
        Path run = d.resolve("run-" + kind);
        Path data = kind.equals("moved") ? d.resolve("moved-away") : tinyData(d);
        create(
                () -> {
                    Files.createDirectories(run);
                    JsonObject config =
                            Json.gson()
                                    .toJsonTree(
                                            TrainingConfig.of(Recipe.SEED, run)
                                                    .withData(
                                                            DataSettings.DEFAULT.withImageSize(32)))
                                    .getAsJsonObject();
                    config.addProperty("data_root", data.toString());
                    config.add("classes", Json.gson().toJsonTree(List.of("cats", "dogs")));
                    Files.writeString(run.resolve("config.json"), config.toString());
                    Files.writeString(
                            run.resolve("report.json"),
                            kind.equals("corrupt-report") ? "{\"model\": {" : "{}");
                    Files.write(run.resolve("model.params"), new byte[] {0x50, 0x54});
                });
        return run;
    }

    private static Path tree(Path root, String... files) {
        create(
                () -> {
                    for (String f : files) {
                        Path p = root.resolve(f);
                        Files.createDirectories(p.getParent());
                        if (!Files.exists(p)) {
                            Files.createFile(p);
                        }
                    }
                });
        return root;
    }

    private interface IoAction {
        void run() throws Exception;
    }

    private static void create(IoAction action) {
        try {
            action.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
