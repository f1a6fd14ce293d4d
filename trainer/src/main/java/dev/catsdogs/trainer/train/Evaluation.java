package dev.catsdogs.trainer.train;

/**
 * Loss, accuracy and confusion counts over some batches.
 *
 * @param loss mean loss per image
 * @param accuracy fraction correct
 * @param images number of images seen
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record Evaluation(double loss, double accuracy, int images, long[][] confusion) {

    /** Precision of class {@code k}: correct predictions of k over all predictions of k. */
    public double precision(int k) {
        long predicted = 0;
        for (long[] row : confusion) {
            predicted += row[k];
        }
        return predicted == 0 ? 0 : (double) confusion[k][k] / predicted;
    }

    /** Recall of class {@code k}: correct predictions of k over all images of k. */
    public double recall(int k) {
        long actual = 0;
        for (long v : confusion[k]) {
            actual += v;
        }
        return actual == 0 ? 0 : (double) confusion[k][k] / actual;
    }
}
