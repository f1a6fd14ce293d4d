package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code classify [--model FILE] [--json] [--threads N] [--batch N] [--top K] PATH...}: classifies
 * image files, and the .jpg/.jpeg/.png/.bmp files under directories, with an exported model.
 *
 * <p>Exit codes: 0 every input classified, 1 some inputs failed (the others are still printed), 2
 * usage error (bad option, nonexistent PATH, missing or unusable model). Results go to stdout;
 * messages and the progress bar (more than {@value #PROGRESS_ABOVE} inputs) go to stderr.
 *
 * <p>A plain picocli command with a public no-arg constructor, so the trainer's CLI can register it
 * as a subcommand; {@link #main} runs it standalone.
 */
@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        versionProvider = ClassifyCommand.Version.class,
        description = "Classify images with an ONNX model exported by the catsdogs trainer.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input was classified",
            "1:some inputs could not be classified (the others were)",
            "2:usage error: bad option, nonexistent PATH, missing or unusable model"
        },
        footer = {
            "%nExamples:",
            "  classify photos/                       table of path, label, probability",
            "  classify --json --batch 32 a.jpg dir/  one JSON object per line",
            "  classify --top 2 photos/               also the two most probable classes"
        })
public class ClassifyCommand implements Callable<Integer> {

    /**
     * The shipped model, under the installation the {@code catsdogs} launcher passes as {@code
     * -Dcatsdogs.home} (else relative to the current directory).
     */
    public static final Path DEFAULT_MODEL =
            Path.of(System.getProperty("catsdogs.home", ""))
                    .resolve(Path.of("models", "catsdogs-mobilenetv2.onnx"));

    static final int PROGRESS_ABOVE = 50;

    @Spec private CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "ONNX model to use (default: the shipped ${DEFAULT-VALUE}).")
    private Path model = DEFAULT_MODEL;

    @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
    private boolean json;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "ONNX Runtime threads per model run; 0 = all cores (default:"
                            + " ${DEFAULT-VALUE}).")
    private int threads = 0;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Images per model run (default: ${DEFAULT-VALUE}).")
    private int batch = 16;

    @Option(
            names = "--top",
            paramLabel = "K",
            description =
                    "Also print the K most probable classes with their probabilities (a TOP"
                            + " column, or a \"top\" array in JSON).")
    private Integer top;

    @Parameters(
            arity = "1..*",
            paramLabel = "PATH",
            description =
                    "Image files, or directories to search recursively for "
                            + "*.jpg, *.jpeg, *.png and *.bmp.")
    private List<Path> paths;

    public ClassifyCommand() {}

    /** Runs {@code classify} standalone and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ClassifyCommand()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        PrintWriter out = commandLine.getOut();
        PrintWriter err = commandLine.getErr();
        if (batch < 1) {
            throw new ParameterException(commandLine, "--batch must be >= 1, got " + batch);
        }
        if (threads < 0) {
            throw new ParameterException(commandLine, "--threads must be >= 0, got " + threads);
        }
        if (top != null && top < 1) {
            throw new ParameterException(commandLine, "--top must be >= 1, got " + top);
        }
        int topK = top == null ? 0 : top;
        List<Path> files = collectInputs(commandLine);
        if (!Files.isRegularFile(model)) {
            err.println(
                    "classify: model file not found: "
                            + model.toAbsolutePath()
                            + ". Train and export a model first (from the repository root), or pass"
                            + " --model FILE.");
            return CommandLine.ExitCode.USAGE;
        }
        try (ImageClassifier classifier =
                ImageClassifier.builder(model).optIntraOpThreads(threads).build()) {
            ModelMetadata metadata = classifier.metadata();
            ResultWriter writer =
                    json
                            ? new JsonLinesWriter(
                                    out,
                                    metadata.outputKind() == ModelMetadata.OutputKind.SIGMOID,
                                    topK)
                            : new TableWriter(out, files, metadata.classNames(), topK);
            int failed = 0;
            try (ProgressBar progress =
                    files.size() > PROGRESS_ABOVE ? progress(err, files.size()) : null) {
                for (int start = 0; start < files.size(); start += batch) {
                    List<Path> chunk = files.subList(start, Math.min(files.size(), start + batch));
                    failed += classifyChunk(classifier, chunk, writer);
                    out.flush();
                    if (progress != null) {
                        progress.stepBy(chunk.size());
                    }
                }
            }
            if (files.size() > PROGRESS_ABOVE) {
                err.println();
            }
            if (failed > 0) {
                err.println(
                        "classify: "
                                + failed
                                + " of "
                                + files.size()
                                + " inputs could not be "
                                + "classified");
            }
            out.flush();
            err.flush();
            return failed > 0 ? 1 : CommandLine.ExitCode.OK;
        } catch (ModelLoadException e) {
            err.println("classify: cannot use model " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
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

    // Rendered into the command's stderr writer (not System.err) so it never mixes with results.
    private static ProgressBar progress(PrintWriter err, int total) {
        return new ProgressBarBuilder()
                .setTaskName("classify")
                .setInitialMax(total)
                .setUpdateIntervalMillis(250)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK) // no colour escapes in redirected stderr
                .setConsumer(
                        new DelegatingProgressBarConsumer(
                                line -> {
                                    err.print('\r');
                                    err.print(line);
                                    err.flush();
                                },
                                80))
                .build();
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
