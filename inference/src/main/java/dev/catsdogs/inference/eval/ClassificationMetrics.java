package dev.catsdogs.inference.eval;

import dev.catsdogs.inference.internal.Arguments;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How well a model classified a labelled set of images: the {@link ConfusionMatrix} (accuracy, per
 * class precision, recall, F1, support, their averages), and the figures that need the
 * probabilities: ROC AUC for two classes, top-{@value #TOP_K} accuracy for {@value #TOP_K} classes
 * or more. A pure computation from true classes, predicted classes and probabilities; {@code
 * catsdogs evaluate} and the run directory's {@code report.json} both use it. Immutable.
 */
public final class ClassificationMetrics {

    /** The k of top-k accuracy, reported when the model has at least this many classes. */
    public static final int TOP_K = 5;

    private final List<String> labels;
    private final ConfusionMatrix confusion;
    private final OptionalDouble rocAuc;
    private final OptionalDouble topKAccuracy;

    private ClassificationMetrics(
            List<String> labels,
            ConfusionMatrix confusion,
            OptionalDouble rocAuc,
            OptionalDouble topKAccuracy) {
        this.labels = labels;
        this.confusion = confusion;
        this.rocAuc = rocAuc;
        this.topKAccuracy = topKAccuracy;
    }

    /**
     * The metrics of {@code n} classified images.
     *
     * @param labels the class names in class order (the model's)
     * @param trueClasses each image's true class index
     * @param predictedClasses each image's predicted class index, as the model decided it ({@link
     *     dev.catsdogs.inference.DecisionRule}: a sigmoid threshold need not be 0.5)
     * @param probabilities each image's probability per class, in class order
     * @throws IllegalArgumentException if the lengths disagree, a class index is out of range or a
     *     probability is NaN
     */
    public static ClassificationMetrics compute(
            List<String> labels,
            int[] trueClasses,
            int[] predictedClasses,
            double[][] probabilities) {
        List<String> names = List.copyOf(labels);
        int classes = names.size();
        if (probabilities.length != trueClasses.length) {
            throw new IllegalArgumentException(
                    probabilities.length
                            + " probability rows for "
                            + trueClasses.length
                            + " images");
        }
        for (double[] row : probabilities) {
            if (row.length != classes) {
                throw new IllegalArgumentException(
                        "a probability row has "
                                + row.length
                                + " values for the "
                                + classes
                                + " classes "
                                + names);
            }
            for (double p : row) {
                if (Double.isNaN(p)) {
                    throw new IllegalArgumentException("a probability is NaN");
                }
            }
        }
        ConfusionMatrix confusion = ConfusionMatrix.of(classes, trueClasses, predictedClasses);
        OptionalDouble auc = OptionalDouble.empty();
        if (classes == 2) {
            boolean[] positive = new boolean[trueClasses.length];
            double[] scores = new double[trueClasses.length];
            for (int i = 0; i < scores.length; i++) {
                positive[i] = trueClasses[i] == 1;
                scores[i] = probabilities[i][1];
            }
            auc = rocAuc(positive, scores);
        }
        OptionalDouble topK =
                classes >= TOP_K && trueClasses.length > 0
                        ? OptionalDouble.of(topKAccuracy(TOP_K, trueClasses, probabilities))
                        : OptionalDouble.empty();
        return new ClassificationMetrics(names, confusion, auc, topK);
    }

    /**
     * The area under the ROC curve by the Mann-Whitney formula: the probability that a random
     * positive scores higher than a random negative, a tie counting one half. With {@code R} the
     * sum of the positives' ranks among all scores (tied scores share their mean rank): {@code (R -
     * P(P + 1)/2) / (P N)}. Empty when there are no positives or no negatives.
     *
     * @param positive whether each image is of the positive class
     * @param scores each image's score for the positive class (higher: more likely positive)
     */
    public static OptionalDouble rocAuc(boolean[] positive, double[] scores) {
        int n = scores.length;
        if (positive.length != n) {
            throw new IllegalArgumentException(positive.length + " labels for " + n + " scores");
        }
        long positives = 0;
        for (boolean p : positive) {
            positives += p ? 1 : 0;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return OptionalDouble.empty();
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRanks = 0;
        for (int start = 0; start < n; ) {
            int end = start; // [start, end] is one group of equal scores
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) {
                end++;
            }
            double meanRank = (start + end) / 2.0 + 1; // ranks are 1-based
            for (int i = start; i <= end; i++) {
                if (positive[order[i]]) {
                    positiveRanks += meanRank;
                }
            }
            start = end + 1;
        }
        double u = positiveRanks - positives * (positives + 1) / 2.0;
        return OptionalDouble.of(u / ((double) positives * negatives));
    }

    /**
     * The fraction of images whose true class is among the {@code k} most probable. Classes are
     * ranked as {@link dev.catsdogs.inference.Prediction#topK} ranks them: by probability, equal
     * probabilities in class order.
     */
    public static double topKAccuracy(int k, int[] trueClasses, double[][] probabilities) {
        if (k < 1) {
            throw Arguments.received("k", k, ">= 1");
        }
        if (trueClasses.length == 0) {
            return Double.NaN;
        }
        int hits = 0;
        for (int i = 0; i < trueClasses.length; i++) {
            double[] row = probabilities[i];
            int t = trueClasses[i];
            int ahead = 0; // classes ranked before the true one
            for (int j = 0; j < row.length; j++) {
                if (row[j] > row[t] || (row[j] == row[t] && j < t)) {
                    ahead++;
                }
            }
            hits += ahead < k ? 1 : 0;
        }
        return (double) hits / trueClasses.length;
    }

    /** The class names, in class order: the confusion matrix's rows and columns. */
    public List<String> labels() {
        return labels;
    }

    /** The counts and the figures that follow from them. */
    public ConfusionMatrix confusion() {
        return confusion;
    }

    /** Images counted. */
    public long images() {
        return confusion.images();
    }

    /** The fraction classified correctly; NaN without images. */
    public double accuracy() {
        return confusion.accuracy();
    }

    /**
     * ROC AUC of class 1 ({@code labels().get(1)}) against class 0, scored by its probability; only
     * for two classes, and only when both have images.
     */
    public OptionalDouble rocAuc() {
        return rocAuc;
    }

    /** Top-{@value #TOP_K} accuracy; only for models with at least {@value #TOP_K} classes. */
    public OptionalDouble topKAccuracy() {
        return topKAccuracy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassificationMetrics m
                && labels.equals(m.labels)
                && confusion.equals(m.confusion)
                && rocAuc.equals(m.rocAuc)
                && topKAccuracy.equals(m.topKAccuracy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(labels, confusion, rocAuc, topKAccuracy);
    }

    @Override
    public String toString() {
        return "ClassificationMetrics[labels="
                + labels
                + ", "
                + confusion
                + ", accuracy="
                + accuracy()
                + ", rocAuc="
                + rocAuc
                + ", topKAccuracy="
                + topKAccuracy
                + "]";
    }
}
