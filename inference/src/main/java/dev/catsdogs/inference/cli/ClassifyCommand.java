package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.Explanation;
import dev.catsdogs.inference.ExplanationPicture;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.InferenceException;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.Outcome;
import dev.catsdogs.inference.internal.PngFiles;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code classify [--model FILE] [--json] [--threads N] [--batch N] [--top K] [--explain DIR]
 * PATH...}: classifies image files, and the .jpg/.jpeg/.png/.bmp files under directories, with an
 * exported model. With {@code --explain} each input is run alone and also drawn into DIR with the
 * model's activation map over it (see {@link ExplanationPicture}).
 *
 * <p>Exit codes: 0 every input classified, 1 some inputs failed (the others are still printed) or
 * the results could not be written, 2 usage error (bad option value, nonexistent PATH, missing or
 * unusable model). Usage errors and failures are one line on stderr, never a stack trace. Results
 * go to stdout; messages and progress (more than {@value Progress#ABOVE} inputs) go to stderr: a
 * progress bar when stderr is a terminal, else a plain line per tenth of the inputs.
 *
 * <p>When stdout is gone (a full disk, a closed pipe such as {@code | head -1}) classify stops
 * after the batch it was writing and exits 1: lost results are not success. Results are written as
 * UTF-8 whatever the locale; control characters in file names are escaped (JSON by its own rules,
 * the table as {@code \n}, {@code \}{@code u001b}).
 *
 * <p>A plain picocli command with a public no-arg constructor, so the trainer's CLI can register it
 * as a subcommand; {@link #main} runs it standalone through {@link #commandLine()}, which a parent
 * command should mirror (UTF-8 stdout, {@link OneLineUsageErrors}).
 */
@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        versionProvider = ClassifyCommand.Version.class,
        description = "Classify images with an ONNX model exported by the catsdogs trainer.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input was classified",
            "1:some inputs could not be classified (the others were), or the results could"
                    + " not be written",
            "2:usage error: bad option value, nonexistent PATH, missing or unusable model"
        },
        footer = {
            "%nExamples:",
            "  classify photos/                       table of path, label, probability",
            "  classify --json --batch 32 a.jpg dir/  one JSON object per line",
            "  classify --top 2 photos/               also the two most probable classes",
            "  classify --explain out/ photos/        also out/<name>.png: where the model looked"
        })
public class ClassifyCommand implements Callable<Integer> {

    /**
     * The shipped model, under the installation the {@code catsdogs} launcher passes as {@code
     * -Dcatsdogs.home} (else relative to the current directory); read when asked, not when the
     * class loads, so that it follows the property.
     */
    public static Path defaultModel() {
        return Path.of(System.getProperty("catsdogs.home", ""))
                .resolve(Path.of("models", "catsdogs-mobilenetv2.onnx"));
    }

    /** Longest side of an {@code --explain} picture: a 5 x 5 map needs no more. */
    static final int EXPLAIN_MAX_SIDE = 1024;

    @Spec private CommandSpec spec;

    @Mixin private ClassifierOptions options = new ClassifierOptions();

    @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
    private boolean json;

    @Option(
            names = "--top",
            paramLabel = "K",
            description =
                    "Also print the K most probable classes with their probabilities (a TOP"
                            + " column, or a \"top\" array in JSON).")
    private Integer top;

    @Option(
            names = "--explain",
            paramLabel = "DIR",
            description =
                    "Also write one PNG per input into DIR (created): the photo (at most "
                            + EXPLAIN_MAX_SIDE
                            + " pixels a side) with the model's activation map for the predicted"
                            + " class as a heat overlay, and the label and probability. Named after"
                            + " the input (cat.7.jpg -> DIR/cat.7.png, -2, -3... on collisions)."
                            + " Needs a model exported with activation maps.")
    private Path explain;

    @Parameters(
            arity = "1..*",
            paramLabel = "PATH",
            description =
                    "Image files, or directories to search recursively for "
                            + "*.jpg, *.jpeg, *.png and *.bmp.")
    private List<Path> paths;

    // Whether the progress bar can redraw in place; a seam for tests.
    private final boolean stderrIsTerminal;

    public ClassifyCommand() {
        this(Posix.stderrIsTerminal());
    }

    ClassifyCommand(boolean stderrIsTerminal) {
        this.stderrIsTerminal = stderrIsTerminal;
    }

    /** Runs {@code classify} standalone and exits with its exit code. */
    public static void main(String[] args) {
        CliLogging.install();
        System.exit(commandLine().execute(args));
    }

    /**
     * A command line for {@code classify} as {@link #main} runs it: stdout as UTF-8 straight to the
     * file descriptor (so write errors reach {@link PrintWriter#checkError()}, which {@code
     * System.out} would swallow) and one-line usage errors.
     */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new ClassifyCommand()));
    }

    /** Gives {@code commandLine} (classify's, or a parent's) UTF-8 stdout and one-line errors. */
    public static CommandLine configure(CommandLine commandLine) {
        return commandLine
                .setOut(utf8(new FileOutputStream(FileDescriptor.out)))
                .setParameterExceptionHandler(new OneLineUsageErrors())
                .setExecutionExceptionHandler(new Failures())
                .setExecutionStrategy(ClassifyCommand::refuseUnmatchedThenRun);
    }

    /**
     * With {@code --help}, picocli prints the usage and ignores what it could not match, so {@code
     * catsdogs nosuchcommand --help} would exit 0: an unknown command or argument is a usage error
     * whatever follows it.
     */
    private static int refuseUnmatchedThenRun(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                throw unmatched(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    static PrintWriter utf8(OutputStream out) {
        return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    }

    // "unknown command 'x'; expected one of ..." where a command was expected, else picocli's own.
    private static ParameterException unmatched(CommandLine command, List<String> unmatched) {
        String first = unmatched.get(0);
        if (command.getSubcommands().isEmpty() || first.startsWith("-")) {
            return new CommandLine.UnmatchedArgumentException(command, unmatched);
        }
        return new ParameterException(
                command,
                "unknown command '"
                        + first
                        + "'; expected one of "
                        + String.join(", ", command.getSubcommands().keySet()));
    }

    /**
     * Prints a usage error as one line, {@code "<command>: <problem> (see <command> --help)"}, and
     * returns 2; picocli's default prints the whole usage help after it.
     */
    public static final class OneLineUsageErrors implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException ex, String[] args) {
            if (ex instanceof CommandLine.UnmatchedArgumentException u) {
                ex = unmatched(u.getCommandLine(), u.getUnmatched());
            }
            CommandLine commandLine = ex.getCommandLine();
            String name = commandLine.getCommandName();
            String problem = String.valueOf(ex.getMessage()).replaceAll("\\s+", " ").strip();
            commandLine
                    .getErr()
                    .println(
                            name + ": " + Escapes.controls(problem) + " (see " + name + " --help)");
            commandLine.getErr().flush();
            return CommandLine.ExitCode.USAGE;
        }
    }

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        PrintWriter out = commandLine.getOut();
        PrintWriter err = commandLine.getErr();
        checkOptions(commandLine);
        int topK = top == null ? 0 : top;
        List<Path> files = collectInputs(commandLine);
        String modelProblem = options.modelProblem();
        if (modelProblem != null) {
            err.println("classify: " + modelProblem);
            return CommandLine.ExitCode.USAGE;
        }
        // Every image's failure is reported in the results; OpenCV's own log lines would repeat
        // them in the middle of the progress output. Read when OpenCV first logs; a user's value
        // wins. (libpng and libjpeg warnings go to stderr from C and cannot be silenced here.)
        Posix.setenvUnlessSet("OPENCV_LOG_LEVEL", "FATAL");
        try (ImageClassifier classifier = options.open()) {
            ModelMetadata metadata = classifier.metadata();
            if (explain != null && !classifier.hasActivationMaps()) {
                err.println(
                        "classify: --explain: model "
                                + Escapes.controls(options.model.toString())
                                + " has no activation maps (it was exported without the "
                                + ModelMetadata.CAM_OUTPUT
                                + " output); export its run again with 'catsdogs export --run DIR'"
                                + " and pass that model with --model");
                return CommandLine.ExitCode.USAGE;
            }
            if (explain != null) {
                createExplainDir(commandLine);
            }
            options.checkBatchFits(metadata);
            ResultWriter writer =
                    json
                            ? new JsonLinesWriter(
                                    out,
                                    metadata.outputKind() == ModelMetadata.OutputKind.SIGMOID,
                                    topK)
                            : new TableWriter(out, files, metadata.classNames(), topK);
            ChunkClassifier chunks =
                    explain == null
                            ? ClassifyCommand::classifyChunk
                            : new Explainer(explanationFiles(commandLine, files));
            return classifyAll(classifier, files, writer, chunks, out, err);
        } catch (ModelLoadException e) {
            err.println("classify: cannot use model " + Escapes.controls(e.getMessage()));
            return CommandLine.ExitCode.USAGE;
        } catch (ParameterException e) {
            throw e; // picocli prints it as a usage error
        } catch (InferenceException e) { // ONNX Runtime failed, or the model computes NaN
            err.println("classify: " + Escapes.controls(e.getMessage()));
            return 1;
        } catch (RuntimeException e) { // a bug: one line, no trace
            err.println("classify: failed: " + Escapes.controls(String.valueOf(e)));
            return 1;
        } finally {
            err.flush();
        }
    }

    private int classifyAll(
            ImageClassifier classifier,
            List<Path> files,
            ResultWriter writer,
            ChunkClassifier chunks,
            PrintWriter out,
            PrintWriter err) {
        int failed = 0;
        int total = files.size();
        int batch = options.batch;
        try (Progress progress = new Progress("classify", err, total, stderrIsTerminal)) {
            for (int start = 0; start < total; start += batch) {
                List<Path> chunk = files.subList(start, Math.min(total, start + batch));
                failed += chunks.classify(classifier, chunk, writer);
                int done = start + chunk.size();
                if (out.checkError()) { // flushes; true once a write has failed
                    progress.close(); // ends the bar's line
                    err.println(
                            "classify: cannot write results to standard output; stopped after "
                                    + done
                                    + " of "
                                    + total);
                    return 1;
                }
                progress.advanceTo(done);
            }
        }
        if (failed > 0) {
            err.println("classify: " + failed + " of " + total + " inputs could not be classified");
        }
        return failed > 0 ? 1 : CommandLine.ExitCode.OK;
    }

    private void checkOptions(CommandLine commandLine) {
        options.check();
        if (top != null && top < 1) {
            throw new ParameterException(commandLine, "Received --top " + top + "; expected >= 1");
        }
    }

    private List<Path> collectInputs(CommandLine commandLine) {
        List<Path> files;
        try {
            files = ImageFiles.collect(paths);
        } catch (NoSuchFileException e) {
            throw new ParameterException(commandLine, "PATH does not exist: " + e.getFile());
        } catch (IOException e) {
            throw new ParameterException(commandLine, "cannot list PATH: " + e);
        }
        if (files.isEmpty()) {
            throw new ParameterException(
                    commandLine,
                    "no image files (" + ImageFiles.EXTENSIONS + ") found in " + paths);
        }
        return files;
    }

    private void createExplainDir(CommandLine commandLine) {
        try {
            Files.createDirectories(explain);
        } catch (IOException e) {
            throw new ParameterException(
                    commandLine,
                    "--explain "
                            + explain
                            + ": cannot create the directory ("
                            + (Files.exists(explain) ? "a file of that name exists" : e)
                            + ")");
        }
        if (!Files.isWritable(explain)) {
            throw new ParameterException(
                    commandLine, "--explain " + explain + ": the directory is not writable");
        }
    }

    private ExplanationFiles explanationFiles(CommandLine commandLine, List<Path> files) {
        try {
            return new ExplanationFiles(explain, files);
        } catch (IOException e) {
            throw new ParameterException(
                    commandLine,
                    "--explain " + explain + ": cannot resolve the directory (" + e + ")");
        }
    }

    /** Classifies one chunk of inputs, writes a line per input, returns how many failed. */
    @FunctionalInterface
    private interface ChunkClassifier {
        int classify(ImageClassifier classifier, List<Path> chunk, ResultWriter writer);
    }

    /**
     * {@code --explain}: each input explained alone (same prediction as classify), its line
     * written, and its picture; an input whose picture cannot be written counts as failed.
     */
    private static final class Explainer implements ChunkClassifier {
        private final ExplanationFiles names;

        Explainer(ExplanationFiles names) {
            this.names = names;
        }

        @Override
        public int classify(ImageClassifier classifier, List<Path> chunk, ResultWriter writer) {
            int failed = 0;
            for (Path file : chunk) {
                try {
                    Explanation explanation = classifier.explain(file);
                    Path png = names.next(file);
                    PngFiles.write(
                            ExplanationPicture.render(
                                    explanation,
                                    List.of(ExplanationPicture.caption(explanation.prediction())),
                                    EXPLAIN_MAX_SIDE),
                            png);
                    writer.prediction(file, explanation.prediction());
                } catch (InvalidImageException e) {
                    writer.error(file, e.problem());
                    failed++;
                } catch (IOException e) {
                    writer.error(file, "explanation not written: " + e.getMessage());
                    failed++;
                }
            }
            return failed;
        }
    }

    // One model run per chunk; a bad image gets its error line, the others their predictions.
    private static int classifyChunk(
            ImageClassifier classifier, List<Path> chunk, ResultWriter writer) {
        List<Outcome> outcomes =
                classifier.classifyAll(chunk.stream().map(ImageInput::of).toList());
        int failed = 0;
        for (int i = 0; i < chunk.size(); i++) {
            Outcome outcome = outcomes.get(i);
            if (outcome.isSuccess()) {
                writer.prediction(chunk.get(i), outcome.prediction().orElseThrow());
            } else {
                writer.error(chunk.get(i), outcome.error().orElseThrow().problem());
                failed++;
            }
        }
        return failed;
    }

    /** {@code --version}: the version the inference module was built as (from its pom). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "catsdogs classify " + BuildInfo.version(),
                "ONNX Runtime " + BuildInfo.onnxRuntimeVersion()
            };
        }
    }
}
