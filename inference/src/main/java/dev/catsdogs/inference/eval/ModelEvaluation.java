package dev.catsdogs.inference.eval;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.Outcome;
import dev.catsdogs.inference.Prediction;
import dev.catsdogs.inference.internal.Arguments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A model run over labelled images: their {@link ClassificationMetrics}, the images it got wrong
 * (for {@link MistakesPicture}) and those it could not read. An unreadable image (missing, damaged,
 * too large...) is listed and left out of the metrics; it never stops the run. Labels are decided
 * as {@link ImageClassifier#classifyAll} decides them, so the metrics are those of what the
 * classifier serves.
 */
public final class ModelEvaluation {

    /**
     * An image that could not be classified.
     *
     * @param file the image
     * @param problem why, as {@link dev.catsdogs.inference.InvalidImageException#problem()} says
     */
    public record Unreadable(Path file, String problem) {}

    /**
     * An image classified wrongly.
     *
     * @param image the image and its true class
     * @param prediction what the model said
     */
    public record Mistake(LabelledImage image, Prediction prediction) {}

    private final ClassificationMetrics metrics;
    private final List<Mistake> mistakes;
    private final List<Unreadable> unreadable;

    private ModelEvaluation(
            ClassificationMetrics metrics, List<Mistake> mistakes, List<Unreadable> unreadable) {
        this.metrics = metrics;
        this.mistakes = List.copyOf(mistakes);
        this.unreadable = List.copyOf(unreadable);
    }

    /**
     * Classifies {@code images} in batches of {@code batch} (one model run each).
     *
     * @param progress told the number of images done after each batch; may throw an unchecked
     *     exception to stop the run (it propagates)
     * @throws IllegalArgumentException if a true class is not one of the model's classes
     * @throws dev.catsdogs.inference.InferenceException if ONNX Runtime fails or the model computes
     *     a non-finite logit
     */
    public static ModelEvaluation run(
            ImageClassifier classifier,
            List<LabelledImage> images,
            int batch,
            IntConsumer progress) {
        if (batch < 1) {
            throw Arguments.received("batch", batch, ">= 1");
        }
        List<String> labels = classifier.metadata().classNames();
        for (LabelledImage image : images) {
            if (image.trueClass() >= labels.size()) {
                throw new IllegalArgumentException(
                        image.file()
                                + ": true class "
                                + image.trueClass()
                                + " is not one of the model's "
                                + labels.size()
                                + " classes "
                                + labels);
            }
        }
        List<LabelledImage> classified = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        List<Mistake> mistakes = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        for (int start = 0; start < images.size(); start += batch) {
            List<LabelledImage> chunk =
                    images.subList(start, Math.min(images.size(), start + batch));
            List<Outcome> outcomes =
                    classifier.classifyAll(
                            chunk.stream().map(i -> ImageInput.of(i.file())).toList());
            for (int i = 0; i < chunk.size(); i++) {
                LabelledImage image = chunk.get(i);
                Outcome outcome = outcomes.get(i);
                if (!outcome.isSuccess()) {
                    unreadable.add(
                            new Unreadable(image.file(), outcome.error().orElseThrow().problem()));
                    continue;
                }
                Prediction prediction = outcome.prediction().orElseThrow();
                classified.add(image);
                predictions.add(prediction);
                if (prediction.classIndex() != image.trueClass()) {
                    mistakes.add(new Mistake(image, prediction));
                }
            }
            progress.accept(start + chunk.size());
        }
        int n = classified.size();
        int[] trueClasses = new int[n];
        int[] predicted = new int[n];
        double[][] probabilities = new double[n][];
        for (int i = 0; i < n; i++) {
            trueClasses[i] = classified.get(i).trueClass();
            predicted[i] = predictions.get(i).classIndex();
            float[] p = predictions.get(i).probabilities();
            probabilities[i] = new double[p.length];
            for (int k = 0; k < p.length; k++) {
                probabilities[i][k] = p[k];
            }
        }
        return new ModelEvaluation(
                ClassificationMetrics.compute(labels, trueClasses, predicted, probabilities),
                mistakes,
                unreadable);
    }

    /** The figures over the images that were read. */
    public ClassificationMetrics metrics() {
        return metrics;
    }

    /** The images classified wrongly, in input order. */
    public List<Mistake> mistakes() {
        return mistakes;
    }

    /** The images that could not be classified, in input order; not in the metrics. */
    public List<Unreadable> unreadable() {
        return unreadable;
    }
}
