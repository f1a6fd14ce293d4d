package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.eval.ClassificationMetrics;
import dev.catsdogs.inference.eval.ConfusionPicture;
import dev.catsdogs.inference.eval.LabelledImage;
import dev.catsdogs.inference.eval.MistakesPicture;
import dev.catsdogs.inference.eval.ModelEvaluation;
import dev.catsdogs.inference.internal.PngFiles;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The exported model measured as {@code catsdogs evaluate} measures it, into the run directory: the
 * validation split (and the test split, when there is one) classified with the ONNX file, their
 * per-class figures into {@code report.json} ({@link RunReport#putModelEvaluation}), and the
 * pictures of the test split (or validation, without one): {@value RunDirectory#ERRORS}, the first
 * {@value MistakesPicture#MAX_SHOWN} images the model gets wrong with their activation maps, and
 * {@value RunDirectory#CONFUSION}, the confusion matrix.
 *
 * <p>Made with the exported ONNX model through the inference library's {@link ModelEvaluation}, the
 * code behind {@code evaluate}: the figures and pictures show what a user of that file gets.
 */
public final class ErrorPictures {

    private static final int BATCH = 32;

    /**
     * What was found in the split the pictures show.
     *
     * @param split the split looked at ({@code test} or {@code validation})
     * @param images images classified (undecodable files are left out)
     * @param wrong images classified wrongly
     */
    public record Summary(String split, int images, int wrong) {

        /** The line the commands print. */
        public String line(RunDirectory run) {
            return String.format(
                    Locale.ROOT,
                    "mistakes: %d of %d %s images -> %s, %s",
                    wrong,
                    images,
                    split,
                    run.file(RunDirectory.ERRORS),
                    run.file(RunDirectory.CONFUSION));
        }
    }

    private ErrorPictures() {}

    /**
     * {@link #write(RunDirectory, RunReport, Path, Dataset, BooleanSupplier)} into the run's {@code
     * report.json} as written (for {@code export} after the run has ended).
     */
    public static Summary write(
            RunDirectory run, Path model, Dataset dataset, BooleanSupplier stopRequested)
            throws IOException {
        return write(run, run.existingReport(), model, dataset, stopRequested);
    }

    /**
     * Classifies the validation and test splits with {@code model}, records their figures in {@code
     * report} (and writes it), and writes the pictures.
     *
     * @param stopRequested polled between batches
     * @throws TrainingInterruptedException when a stop was requested; nothing is written then
     * @throws IOException if the model cannot be loaded or a picture cannot be written
     */
    public static Summary write(
            RunDirectory run,
            RunReport report,
            Path model,
            Dataset dataset,
            BooleanSupplier stopRequested)
            throws IOException {
        boolean test = !dataset.test().isEmpty();
        String split = test ? "test" : "validation";
        Map<String, ModelEvaluation> evaluations = new LinkedHashMap<>();
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            evaluations.put(
                    "validation", evaluate(classifier, dataset.validation(), stopRequested));
            if (test) {
                evaluations.put("test", evaluate(classifier, dataset.test(), stopRequested));
            }
            ModelEvaluation shown = evaluations.get(split);
            ClassificationMetrics metrics = shown.metrics();
            PngFiles.write(
                    MistakesPicture.render(classifier, split, shown),
                    run.file(RunDirectory.ERRORS));
            PngFiles.write(
                    ConfusionPicture.render(
                            split + ": " + metrics.images() + " images",
                            metrics.labels(),
                            metrics.confusion()),
                    run.file(RunDirectory.CONFUSION));
        } catch (ModelLoadException | InvalidImageException e) {
            throw new IOException("mistakes of " + model + ": " + e.getMessage(), e);
        }
        Map<String, ClassificationMetrics> figures = new LinkedHashMap<>();
        evaluations.forEach((name, evaluation) -> figures.put(name, evaluation.metrics()));
        report.putModelEvaluation(model, figures);
        report.write();
        ModelEvaluation shown = evaluations.get(split);
        return new Summary(split, (int) shown.metrics().images(), shown.mistakes().size());
    }

    // Undecodable files are left out of the figures: training skipped them too.
    private static ModelEvaluation evaluate(
            ImageClassifier classifier, List<Sample> samples, BooleanSupplier stopRequested) {
        checkStop(stopRequested);
        List<LabelledImage> images =
                samples.stream().map(s -> new LabelledImage(s.file(), s.label())).toList();
        return ModelEvaluation.run(classifier, images, BATCH, done -> checkStop(stopRequested));
    }

    private static void checkStop(BooleanSupplier stopRequested) {
        if (stopRequested.getAsBoolean()) {
            throw new TrainingInterruptedException();
        }
    }
}
