/**
 * Measuring a model on labelled images: {@link dev.catsdogs.inference.eval.ModelEvaluation} runs an
 * {@link dev.catsdogs.inference.ImageClassifier} over them, {@link
 * dev.catsdogs.inference.eval.ClassificationMetrics} and {@link
 * dev.catsdogs.inference.eval.ConfusionMatrix} hold the figures (accuracy, per-class precision,
 * recall, F1, ROC AUC, top-5 accuracy), {@link dev.catsdogs.inference.eval.MetricsJson} writes them
 * as JSON, {@link dev.catsdogs.inference.eval.ConfusionPicture} and {@link
 * dev.catsdogs.inference.eval.MistakesPicture} draw {@code confusion.png} and {@code errors.png}.
 * Used by {@code catsdogs evaluate} and by the trainer's run directory, so both report the same
 * figures from the same code. {@code MetricsJson} needs gson, an optional dependency of this module
 * (as for the command line).
 */
package dev.catsdogs.inference.eval;
