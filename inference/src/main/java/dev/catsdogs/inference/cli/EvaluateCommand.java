package dev.catsdogs.inference.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InferenceException;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.eval.ClassificationMetrics;
import dev.catsdogs.inference.eval.ConfusionPicture;
import dev.catsdogs.inference.eval.MetricsJson;
import dev.catsdogs.inference.eval.MistakesPicture;
import dev.catsdogs.inference.eval.ModelEvaluation;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.inference.internal.PngFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate --data DIR [--model FILE] [--json] [--out DIR] [--batch N] [--threads N]}: how
 * well a model classifies a labelled folder of images. DIR holds one folder per label (or is a
 * split layout, whose {@code test/}, else {@code validation/}, is used; see {@link
 * LabelledFolders}). Prints accuracy, per-class precision, recall, F1 and support with macro and
 * weighted averages, the confusion matrix, ROC AUC for two classes and top-5 accuracy for five
 * classes or more ({@link ClassificationMetrics}); {@code --json} prints them as one JSON document
 * ({@link MetricsJson}, plus {@code model}, {@code data}, {@code split} and {@code unreadable}).
 * {@code --out DIR} also writes that document as {@value #JSON_FILE}, and {@value #CONFUSION_FILE}
 * and {@value #ERRORS_FILE}, drawn as in a training run directory.
 *
 * <p>Runs on this module alone (ONNX Runtime and OpenCV, no DJL), with any exported model: float or
 * int8, sigmoid or softmax. An image that cannot be read is listed and left out of the figures.
 *
 * <p>Exit codes: 0 every image evaluated and every file written; 1 some images could not be read
 * (the figures of the others are printed), or the results could not be written; 2 usage error (a
 * bad option value, DIR missing, a class folder that is not one of the model's labels, no images,
 * an unusable model, an {@code --out} directory holding other files).
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        versionProvider = EvaluateCommand.Version.class,
        description = {
            "Measure an ONNX model exported by the catsdogs trainer on labelled images: accuracy,"
                    + " per-class precision, recall, F1 and support, the confusion matrix, ROC AUC"
                    + " (two classes), top-5 accuracy (five classes or more)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every image was evaluated (and every --out file written)",
            "1:some images could not be read (the figures of the others are printed), or the"
                    + " results could not be written",
            "2:usage error: bad option value, missing --data, a class folder the model does not"
                    + " know, no images, missing or unusable model, --out holding other files"
        },
        footer = {
            "%nExamples:",
            "  evaluate --data photos/              photos/cats/*.jpg, photos/dogs/*.jpg",
            "  evaluate --data cats_and_dogs/       its test/, else its validation/",
            "  evaluate --data photos/ --json       one JSON document",
            "  evaluate --data photos/ --out rep/   also evaluation.json, confusion.png and",
            "                                       errors.png in rep/"
        })
public class EvaluateCommand implements Callable<Integer> {

    /** The JSON document in {@code --out}. */
    static final String JSON_FILE = "evaluation.json";

    /** The confusion matrix picture in {@code --out}. */
    static final String CONFUSION_FILE = "confusion.png";

    /** The mistakes picture in {@code --out}. */
    static final String ERRORS_FILE = "errors.png";

    /** Every file evaluate writes into {@code --out}: all it may replace there. */
    static final List<String> OUT_FILES = List.of(JSON_FILE, CONFUSION_FILE, ERRORS_FILE);

    // What AtomicFiles leaves of one of our files when the process is killed mid-write.
    private static final Pattern OUR_TEMPORARY =
            Pattern.compile(
                    "\\.(evaluation\\.json|confusion\\.png|errors\\.png)\\.[0-9a-z]+\\.tmp");

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    @Spec private CommandSpec spec;

    @Mixin private ClassifierOptions options = new ClassifierOptions();

    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description =
                    "Labelled images: one folder per label of the model (cats/, dogs/), searched"
                            + " recursively for *.jpg, *.jpeg, *.png and *.bmp; or a split layout,"
                            + " whose test/ is used, else its validation/.")
    private Path data;

    @Option(names = "--json", description = "Print one JSON document instead of tables.")
    private boolean json;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Also write "
                            + JSON_FILE
                            + " (the --json document), "
                            + CONFUSION_FILE
                            + " and "
                            + ERRORS_FILE
                            + " (the first "
                            + MistakesPicture.MAX_SHOWN
                            + " mistakes with the model's activation maps) into DIR (created)."
                            + " DIR must be new, empty or hold only these files. Needs a model"
                            + " exported with activation maps.")
    private Path out;

    // Whether the progress bar can redraw in place; a seam for tests.
    private final boolean stderrIsTerminal;

    public EvaluateCommand() {
        this(Posix.stderrIsTerminal());
    }

    EvaluateCommand(boolean stderrIsTerminal) {
        this.stderrIsTerminal = stderrIsTerminal;
    }

    /** Runs {@code evaluate} standalone and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(
                ClassifyCommand.configure(new CommandLine(new EvaluateCommand())).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        PrintWriter stdout = commandLine.getOut();
        PrintWriter err = commandLine.getErr();
        options.check();
        checkData();
        checkOut();
        String modelProblem = options.modelProblem();
        if (modelProblem != null) {
            err.println("evaluate: " + modelProblem);
            return CommandLine.ExitCode.USAGE;
        }
        // As classify: an unreadable image is listed in the results, OpenCV need not log it too.
        Posix.setenvUnlessSet("OPENCV_LOG_LEVEL", "FATAL");
        try (ImageClassifier classifier = options.open()) {
            ModelMetadata metadata = classifier.metadata();
            options.checkBatchFits(metadata);
            if (out != null && !classifier.hasActivationMaps()) {
                err.println(
                        "evaluate: --out: model "
                                + Escapes.controls(options.model.toString())
                                + " has no activation maps for "
                                + ERRORS_FILE
                                + " (it was exported without the "
                                + ModelMetadata.CAM_OUTPUT
                                + " output); export its run again with 'catsdogs export --run DIR',"
                                + " or leave out --out");
                return CommandLine.ExitCode.USAGE;
            }
            LabelledFolders folders = readFolders(metadata.classNames());
            if (folders.unsorted() > 0) {
                err.println(
                        "evaluate: "
                                + folders.unsorted()
                                + " image file(s) directly in "
                                + shown(folders.folder())
                                + " are in no class folder; not evaluated");
            }
            if (out != null) {
                createOut();
            }
            ModelEvaluation evaluation;
            int total = folders.images().size();
            try (Progress progress = new Progress("evaluate", err, total, stderrIsTerminal)) {
                evaluation =
                        ModelEvaluation.run(
                                classifier, folders.images(), options.batch, progress::advanceTo);
            }
            List<ModelEvaluation.Unreadable> unreadable = evaluation.unreadable();
            if (evaluation.metrics().images() == 0) {
                ModelEvaluation.Unreadable first = unreadable.get(0);
                err.println(
                        "evaluate: none of the "
                                + total
                                + " images could be read (the first, "
                                + shown(first.file())
                                + ": "
                                + Escapes.controls(first.problem())
                                + ")");
                return 1;
            }
            JsonObject document = document(folders, evaluation);
            if (json) {
                stdout.println(GSON.toJson(document));
            } else {
                printText(stdout, folders, evaluation);
            }
            int status = out == null ? 0 : writeOut(classifier, folders, evaluation, document);
            if (stdout.checkError()) { // flushes; true once a write has failed
                err.println("evaluate: cannot write the results to standard output");
                return 1;
            }
            if (!unreadable.isEmpty()) {
                err.println(
                        "evaluate: "
                                + unreadable.size()
                                + " of "
                                + total
                                + " images could not be read (listed; not in the figures)");
                return 1;
            }
            return status;
        } catch (ModelLoadException e) {
            err.println("evaluate: cannot use model " + Escapes.controls(e.getMessage()));
            return CommandLine.ExitCode.USAGE;
        } catch (ParameterException e) {
            throw e; // picocli prints it as a usage error
        } catch (InferenceException e) { // ONNX Runtime failed, or the model computes NaN
            err.println("evaluate: " + Escapes.controls(e.getMessage()));
            return 1;
        } catch (IOException e) {
            err.println("evaluate: cannot read --data: " + Escapes.controls(String.valueOf(e)));
            return 1;
        } catch (RuntimeException e) { // a bug: one line, no trace
            err.println("evaluate: failed: " + Escapes.controls(String.valueOf(e)));
            return 1;
        } finally {
            err.flush();
        }
    }

    private void checkData() {
        if (!Files.isDirectory(data)) {
            throw usageError(
                    "--data "
                            + data
                            + ": "
                            + (Files.exists(data) ? "not a directory" : "not found")
                            + "; expected a folder with one folder of images per label");
        }
    }

    /** {@code --out} may be written: outside DIR, and new, empty or holding only our files. */
    private void checkOut() {
        if (out == null) {
            return;
        }
        if (out.toAbsolutePath().normalize().startsWith(data.toAbsolutePath().normalize())) {
            throw usageError(
                    "--out "
                            + out
                            + ": is inside --data "
                            + data
                            + "; its pictures would be read as images; choose a directory"
                            + " outside it");
        }
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw usageError("--out " + out + ": exists and is not a directory");
        }
        List<String> foreign = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(out)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!OUT_FILES.contains(name) && !OUR_TEMPORARY.matcher(name).matches()) {
                    foreign.add(name);
                }
            }
        } catch (IOException e) {
            throw usageError("--out " + out + ": cannot be listed (" + e + ")");
        }
        if (!foreign.isEmpty()) {
            foreign.sort(null);
            throw usageError(
                    "--out "
                            + out
                            + ": holds files evaluate does not write ("
                            + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
                            + (foreign.size() > 5 ? ", ..." : "")
                            + "); choose a new or empty directory (evaluate replaces only its own "
                            + String.join(", ", OUT_FILES)
                            + ")");
        }
    }

    private void createOut() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw usageError("--out " + out + ": cannot create the directory (" + e + ")");
        }
        if (!Files.isWritable(out)) {
            throw usageError("--out " + out + ": the directory is not writable");
        }
    }

    private LabelledFolders readFolders(List<String> labels) throws IOException {
        LabelledFolders folders;
        try {
            folders = LabelledFolders.read(data, labels);
        } catch (IllegalArgumentException e) {
            throw usageError("--data: " + e.getMessage());
        }
        if (folders.images().isEmpty()) {
            throw usageError(
                    "--data: no image files ("
                            + ImageFiles.EXTENSIONS
                            + ") in the class folders of "
                            + folders.folder());
        }
        return folders;
    }

    /** The {@code --json} document: where the figures come from, the figures, what failed. */
    private JsonObject document(LabelledFolders folders, ModelEvaluation evaluation) {
        JsonObject document = new JsonObject();
        document.addProperty("model", options.model.toString());
        document.addProperty("data", folders.folder().toString());
        document.addProperty("split", folders.split());
        MetricsJson.toJson(evaluation.metrics())
                .entrySet()
                .forEach(e -> document.add(e.getKey(), e.getValue()));
        JsonArray unreadable = new JsonArray();
        for (ModelEvaluation.Unreadable u : evaluation.unreadable()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("path", u.file().toString());
            entry.addProperty("error", u.problem());
            unreadable.add(entry);
        }
        document.add("unreadable", unreadable);
        return document;
    }

    private void printText(
            PrintWriter stdout, LabelledFolders folders, ModelEvaluation evaluation) {
        String split =
                folders.split() == null
                        ? ""
                        : folders.split().equals("test")
                                ? " (the test split)"
                                : " (the validation split; there is no test/)";
        stdout.printf("%-15s %s%n", "model", shown(options.model));
        stdout.printf("%-15s %s%s%n", "data", shown(folders.folder()), split);
        MetricsTable.print(stdout, evaluation.metrics());
        List<ModelEvaluation.Unreadable> unreadable = evaluation.unreadable();
        if (!unreadable.isEmpty()) {
            stdout.printf("%nunreadable images, not in the figures: %d%n", unreadable.size());
            for (ModelEvaluation.Unreadable u : unreadable) {
                stdout.println("  " + shown(u.file()) + ": " + Escapes.controls(u.problem()));
            }
        }
    }

    /** Writes the {@code --out} files; returns 1 (having said why) when one cannot be written. */
    private int writeOut(
            ImageClassifier classifier,
            LabelledFolders folders,
            ModelEvaluation evaluation,
            JsonObject document) {
        PrintWriter err = spec.commandLine().getErr();
        String what =
                folders.split() != null
                        ? folders.split()
                        : String.valueOf(
                                folders.folder().toAbsolutePath().normalize().getFileName());
        ClassificationMetrics metrics = evaluation.metrics();
        int status = 0;
        try {
            AtomicFiles.writeString(out.resolve(JSON_FILE), GSON.toJson(document) + "\n");
            PngFiles.write(
                    ConfusionPicture.render(
                            what + ": " + metrics.images() + " images",
                            metrics.labels(),
                            metrics.confusion()),
                    out.resolve(CONFUSION_FILE));
        } catch (IOException e) {
            err.println("evaluate: " + Escapes.controls(e.getMessage()));
            status = 1;
        }
        try {
            PngFiles.write(
                    MistakesPicture.render(classifier, what, evaluation), out.resolve(ERRORS_FILE));
        } catch (IOException e) {
            err.println("evaluate: " + Escapes.controls(e.getMessage()));
            status = 1;
        } catch (InvalidImageException e) {
            err.println(
                    "evaluate: "
                            + ERRORS_FILE
                            + " not written: "
                            + Escapes.controls(e.getMessage()));
            status = 1;
        }
        if (status == 0) {
            err.println(
                    "evaluate: wrote "
                            + shown(out.resolve(JSON_FILE))
                            + ", "
                            + CONFUSION_FILE
                            + ", "
                            + ERRORS_FILE);
        }
        return status;
    }

    private static String shown(Path path) {
        return Escapes.controls(path.toString());
    }

    private ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code --version}: the version the inference module was built as (from its pom). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "catsdogs evaluate " + BuildInfo.version(),
                "ONNX Runtime " + BuildInfo.onnxRuntimeVersion()
            };
        }
    }
}
