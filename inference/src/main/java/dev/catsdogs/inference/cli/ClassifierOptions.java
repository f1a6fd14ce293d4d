package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of commands that run a model over images, {@code --model}, {@code --threads} and
 * {@code --batch}, with their checks: one definition for {@code classify} and {@code evaluate}.
 */
final class ClassifierOptions {

    /** Largest {@code --batch}: 1024 images of 224 x 224 are a 616 MB input tensor. */
    static final int MAX_BATCH = 1024;

    // A direct buffer (the batch's input tensor) holds at most this many bytes.
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "ONNX model to use (default: the shipped ${DEFAULT-VALUE}).")
    Path model = ClassifyCommand.defaultModel();

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "ONNX Runtime threads per model run; 0 = all cores, at most "
                            + ThreadLimit.FACTOR
                            + " x cores (default: ${DEFAULT-VALUE}).")
    int threads = 0;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description =
                    "Images per model run, 1 to " + MAX_BATCH + " (default: ${DEFAULT-VALUE}).")
    int batch = 16;

    /** Checks {@code --batch} and {@code --threads}, before any work. */
    void check() {
        if (batch < 1 || batch > MAX_BATCH) {
            throw usageError("Received --batch " + batch + "; expected 1.." + MAX_BATCH);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int maxThreads = ThreadLimit.max(cores);
        if (threads < 0 || threads > maxThreads) {
            throw usageError(
                    "Received --threads "
                            + threads
                            + "; expected 0 (all cores) .. "
                            + maxThreads
                            + " ("
                            + ThreadLimit.FACTOR
                            + " x "
                            + cores
                            + " cores)");
        }
    }

    /** Null when the model file can be opened; else why not, with what to do. */
    String modelProblem() {
        String where = Escapes.controls(model.toAbsolutePath().toString());
        if (Files.isDirectory(model)) {
            return "model " + where + " is a directory; pass --model FILE (an .onnx file).";
        }
        if (Files.exists(model) && !Files.isRegularFile(model)) {
            return "model " + where + " is not a regular file; pass --model FILE (an .onnx file).";
        }
        if (!Files.exists(model)) {
            return "model file not found: "
                    + where
                    + ". Train and export a model first (from the repository root), or pass"
                    + " --model FILE.";
        }
        return null;
    }

    /** The classifier for {@code --model} with {@code --threads}; the caller closes it. */
    ImageClassifier open() throws ModelLoadException {
        return ImageClassifier.builder(model).optIntraOpThreads(threads).build();
    }

    /** Checks that a {@code --batch} of this model's inputs fits one direct buffer. */
    void checkBatchFits(ModelMetadata metadata) {
        long tensorBytes = 4L * metadata.preprocessingSpec().tensorSize();
        if (batch * tensorBytes > MAX_TENSOR_BYTES) {
            throw usageError(
                    "Received --batch "
                            + batch
                            + "; expected at most "
                            + MAX_TENSOR_BYTES / tensorBytes
                            + " for this model's "
                            + metadata.inputWidth()
                            + " x "
                            + metadata.inputHeight()
                            + " input");
        }
    }

    private ParameterException usageError(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
