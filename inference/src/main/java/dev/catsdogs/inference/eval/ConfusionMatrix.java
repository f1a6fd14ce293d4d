package dev.catsdogs.inference.eval;

import java.util.Arrays;
import java.util.Objects;

/**
 * Counts of images by true class (rows) and predicted class (columns), and the figures that follow
 * from them alone: accuracy, and per class precision, recall, F1 and support, with their macro and
 * weighted averages. The one definition of these figures in the project: {@code catsdogs evaluate},
 * the run directory's {@code report.json} and the trainer's test evaluation all read them here.
 *
 * <p>A figure whose denominator is zero is 0, as scikit-learn's {@code zero_division=0}: precision
 * of a class never predicted, recall of a class with no images, F1 when precision and recall are
 * both 0. Immutable.
 */
public final class ConfusionMatrix {

    /**
     * Precision, recall and F1 averaged over the classes.
     *
     * @param precision the mean precision
     * @param recall the mean recall
     * @param f1 the mean of the per-class F1 scores (not the F1 of the mean precision and recall)
     */
    public record Average(double precision, double recall, double f1) {}

    private final long[][] counts;

    /**
     * @param counts {@code counts[true][predicted]}, square, at least 1 x 1, no negative count;
     *     copied
     * @throws IllegalArgumentException if it is not square or holds a negative count
     */
    public ConfusionMatrix(long[][] counts) {
        Objects.requireNonNull(counts, "counts");
        int n = counts.length;
        if (n == 0) {
            throw new IllegalArgumentException("a confusion matrix needs at least one class");
        }
        this.counts = new long[n][];
        for (int t = 0; t < n; t++) {
            if (counts[t].length != n) {
                throw new IllegalArgumentException(
                        "row " + t + " has " + counts[t].length + " counts, expected " + n);
            }
            for (long count : counts[t]) {
                if (count < 0) {
                    throw new IllegalArgumentException("negative count " + count + " in row " + t);
                }
            }
            this.counts[t] = counts[t].clone();
        }
    }

    /**
     * Counts the pairs {@code (trueClasses[i], predictedClasses[i])}.
     *
     * @throws IllegalArgumentException if the arrays differ in length or a class is outside {@code
     *     0 .. classes - 1}
     */
    public static ConfusionMatrix of(int classes, int[] trueClasses, int[] predictedClasses) {
        if (trueClasses.length != predictedClasses.length) {
            throw new IllegalArgumentException(
                    trueClasses.length
                            + " true classes but "
                            + predictedClasses.length
                            + " predicted ones");
        }
        long[][] counts = new long[classes][classes];
        for (int i = 0; i < trueClasses.length; i++) {
            counts[checkClass(trueClasses[i], classes)][checkClass(predictedClasses[i], classes)]++;
        }
        return new ConfusionMatrix(counts);
    }

    private static int checkClass(int k, int classes) {
        if (k < 0 || k >= classes) {
            throw new IllegalArgumentException("class " + k + " is outside 0.." + (classes - 1));
        }
        return k;
    }

    /** The number of classes: rows and columns. */
    public int classes() {
        return counts.length;
    }

    /** Images of true class {@code t} predicted as {@code p}. */
    public long count(int t, int p) {
        return counts[t][p];
    }

    /** A copy of the counts, {@code [true][predicted]}. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int t = 0; t < counts.length; t++) {
            copy[t] = counts[t].clone();
        }
        return copy;
    }

    /** All images counted. */
    public long images() {
        long images = 0;
        for (int k = 0; k < classes(); k++) {
            images += support(k);
        }
        return images;
    }

    /** Images predicted as their true class. */
    public long correct() {
        long correct = 0;
        for (int k = 0; k < classes(); k++) {
            correct += counts[k][k];
        }
        return correct;
    }

    /** The fraction predicted correctly; NaN when there are no images. */
    public double accuracy() {
        long images = images();
        return images == 0 ? Double.NaN : (double) correct() / images;
    }

    /** Images whose true class is {@code k}: the row sum. */
    public long support(int k) {
        return Arrays.stream(counts[k]).sum();
    }

    /** Images predicted as {@code k}: the column sum. */
    public long predicted(int k) {
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[k];
        }
        return predicted;
    }

    /** Of the images predicted as {@code k}, the fraction that are {@code k}. */
    public double precision(int k) {
        return ratio(counts[k][k], predicted(k));
    }

    /** Of the images of class {@code k}, the fraction predicted as {@code k}. */
    public double recall(int k) {
        return ratio(counts[k][k], support(k));
    }

    /** The harmonic mean of precision and recall of class {@code k}. */
    public double f1(int k) {
        double p = precision(k);
        double r = recall(k);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** The unweighted mean over all classes, those without images included. */
    public Average macro() {
        return average(false);
    }

    /** The mean over the classes weighted by their support; all 0 when there are no images. */
    public Average weighted() {
        return average(true);
    }

    private Average average(boolean bySupport) {
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        double total = 0;
        for (int k = 0; k < classes(); k++) {
            double weight = bySupport ? support(k) : 1;
            precision += weight * precision(k);
            recall += weight * recall(k);
            f1 += weight * f1(k);
            total += weight;
        }
        return total == 0
                ? new Average(0, 0, 0)
                : new Average(precision / total, recall / total, f1 / total);
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && Arrays.deepEquals(counts, m.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix" + Arrays.deepToString(counts);
    }
}
