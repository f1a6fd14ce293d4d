package dev.catsdogs.spark;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ModelLoadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opencv.core.Core;

/**
 * The classifiers of this JVM (an executor, or the driver in local mode): one per model, keyed by
 * the model's SHA-256, built lazily by the first task that needs it and shared by every task after
 * it. Nothing here is serialized; tasks carry a {@link ModelFile} and look the classifier up.
 *
 * <p>Threads: ONNX Runtime gets {@code spark.task.cpus} intra-op threads (the value of the task
 * that builds the classifier), so N concurrent tasks use N x task-cpus cores, as Spark planned;
 * OpenCV gets one thread (process-wide), as every task preprocesses its own images.
 *
 * <p>The model arrives as a broadcast and is written once to a local temporary file named by its
 * SHA-256 (checked against the driver's), which ONNX Runtime loads.
 *
 * <p>Lifetime: the classifiers live as long as the JVM and are closed by a shutdown hook; {@link
 * #closeAll()} closes them earlier.
 */
public final class ExecutorClassifiers {

    private static final Map<String, ImageClassifier> BY_SHA256 = new ConcurrentHashMap<>();
    private static final Path DIR = ModelFile.createModelDir();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(ExecutorClassifiers::closeAll, "catsdogs-classifiers"));
    }

    private ExecutorClassifiers() {}

    /**
     * The classifier for {@code model}, built on first use from the executor's copy of the file.
     *
     * @param intraOpThreads ONNX Runtime threads, normally the task's {@code spark.task.cpus}
     * @throws IllegalStateException if the executor's copy cannot be loaded or differs from the
     *     model the driver checked
     */
    public static ImageClassifier get(ModelFile model, int intraOpThreads) {
        return BY_SHA256.computeIfAbsent(model.sha256(), sha -> build(model, intraOpThreads));
    }

    /** The SHA-256 of every model with a classifier in this JVM. */
    public static List<String> models() {
        return List.copyOf(BY_SHA256.keySet());
    }

    /** Closes and forgets every classifier of this JVM; the next task builds a new one. */
    public static void closeAll() {
        for (String sha : List.copyOf(BY_SHA256.keySet())) {
            ImageClassifier classifier = BY_SHA256.remove(sha);
            if (classifier != null) {
                classifier.close();
            }
        }
    }

    private static ImageClassifier build(ModelFile model, int intraOpThreads) {
        Path file = localFile(model);
        try {
            ImageClassifier classifier =
                    ImageClassifier.builder(file).optIntraOpThreads(intraOpThreads).build();
            Core.setNumThreads(1); // OpenCV is loaded now; each task preprocesses on its own thread
            return classifier;
        } catch (ModelLoadException e) {
            throw new IllegalStateException(
                    "executor could not load model " + model.location() + ": " + e.getMessage(), e);
        }
    }

    // The broadcast bytes as a local file named by their SHA-256 (checked), written once per JVM.
    private static Path localFile(ModelFile model) {
        try {
            Path file = DIR.resolve(model.sha256() + ".onnx");
            if (!Files.isRegularFile(file)) {
                byte[] data = model.bytes();
                String sha = ModelFile.sha256(data);
                if (!sha.equals(model.sha256())) {
                    throw new IllegalStateException(
                            "the executor received model "
                                    + model.location()
                                    + " with SHA-256 "
                                    + sha
                                    + ", the driver checked "
                                    + model.sha256());
                }
                Path tmp = Files.createTempFile(DIR, "model", ".tmp");
                Files.write(tmp, data);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                file.toFile().deleteOnExit();
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write model " + model.location(), e);
        }
    }
}
