package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.eval.ConfusionMatrix;

/**
 * Loss, accuracy and confusion counts over some batches.
 *
 * @param loss mean loss per image
 * @param accuracy fraction correct
 * @param images number of images seen
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record Evaluation(double loss, double accuracy, int images, long[][] confusion) {

    /** Precision of class {@code k}, as {@link ConfusionMatrix#precision} defines it. */
    public double precision(int k) {
        return new ConfusionMatrix(confusion).precision(k);
    }

    /** Recall of class {@code k}, as {@link ConfusionMatrix#recall} defines it. */
    public double recall(int k) {
        return new ConfusionMatrix(confusion).recall(k);
    }
}
