package dev.catsdogs.trainer.quantize;

import dev.catsdogs.inference.DecisionRule;

/**
 * Float and int8 outputs of the same images, accumulated: how often their labels agree, how often
 * each is right, and how far the int8 logits stray.
 */
final class LogitComparison {

    private final int units;
    private final float threshold;
    private int images;
    private int agreements;
    private int correctFloat;
    private int correctInt8;
    private double absLogitDiff;

    /**
     * @param units logits per image
     * @param threshold the sigmoid decision threshold (see {@link DecisionRule})
     */
    LogitComparison(int units, float threshold) {
        this.units = units;
        this.threshold = threshold;
    }

    /** Adds a batch: both models' logits for images whose true classes are {@code labels}. */
    void add(float[] floatLogits, float[] int8Logits, int[] labels, int labelOffset) {
        int n = floatLogits.length / units;
        for (int i = 0; i < n; i++) {
            int f = DecisionRule.classIndex(floatLogits, i * units, units, threshold);
            int q = DecisionRule.classIndex(int8Logits, i * units, units, threshold);
            int truth = labels[labelOffset + i];
            agreements += f == q ? 1 : 0;
            correctFloat += f == truth ? 1 : 0;
            correctInt8 += q == truth ? 1 : 0;
            for (int k = i * units; k < (i + 1) * units; k++) {
                absLogitDiff += Math.abs(floatLogits[k] - int8Logits[k]);
            }
        }
        images += n;
    }

    int images() {
        return images;
    }

    double agreement() {
        return images == 0 ? 0 : (double) agreements / images;
    }

    double accuracyFloat() {
        return images == 0 ? 0 : (double) correctFloat / images;
    }

    double accuracyInt8() {
        return images == 0 ? 0 : (double) correctInt8 / images;
    }

    /** Mean |float logit - int8 logit|: a finer measure than agreement between close candidates. */
    double meanAbsLogitDiff() {
        return images == 0 ? Double.NaN : absLogitDiff / ((double) images * units);
    }

    /**
     * Mean |logit diff| improvement a candidate needs in {@link #clearlyCloserThan}: smaller steps
     * are within what another slice of images would undo.
     */
    static final double CLEAR_IMPROVEMENT = 0.01;

    /**
     * Whether this candidate agrees with the float model on at least as many images as {@code
     * other} and its mean |logit diff| is lower by {@link #CLEAR_IMPROVEMENT} of it or more.
     */
    boolean clearlyCloserThan(LogitComparison other) {
        return agreements >= other.agreements
                && meanAbsLogitDiff() <= other.meanAbsLogitDiff() * (1 - CLEAR_IMPROVEMENT);
    }

    /** Whether this candidate is closer to the float model than {@code other}. */
    boolean closerThan(LogitComparison other) {
        if (agreements != other.agreements) {
            return agreements > other.agreements;
        }
        return meanAbsLogitDiff() < other.meanAbsLogitDiff();
    }
}
