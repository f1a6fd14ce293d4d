package dev.catsdogs.inference;

import dev.catsdogs.inference.internal.Arguments;
import java.util.Objects;

/**
 * The one rule that turns a model's logits into a class index. The classifier and the trainer
 * (evaluation and export parity) both call it, so a served label and a measured accuracy can never
 * disagree on how a borderline image is decided.
 *
 * <ul>
 *   <li>One logit (sigmoid): class 1 iff {@code sigmoid(logit) >= threshold}, decided in logit
 *       space as {@code logit >= ln(threshold / (1 - threshold))}, so no rounding of the
 *       probability can flip it. For the default threshold 0.5 that is exactly {@code logit >= 0}.
 *   <li>Several logits (softmax): the argmax; the first maximum wins, NaN never wins.
 * </ul>
 */
public final class DecisionRule {

    private DecisionRule() {}

    /**
     * The class index of one image's logits {@code logits[offset .. offset + units)}.
     *
     * @param logits the model outputs, e.g. a whole batch
     * @param offset where this image's logits start
     * @param units logits per image: 1 for a sigmoid model, the number of classes otherwise
     * @param threshold sigmoid decision threshold in [0, 1]; not used when {@code units > 1}
     * @return 0 or 1 for one logit, else the index in {@code 0 .. units - 1}
     * @throws IllegalArgumentException if {@code units < 1} or the threshold is not in [0, 1]
     * @throws IndexOutOfBoundsException if the range is outside {@code logits}
     */
    public static int classIndex(float[] logits, int offset, int units, float threshold) {
        Objects.requireNonNull(logits, "logits");
        if (units < 1) {
            throw Arguments.received("units", units, ">= 1");
        }
        Objects.checkFromIndexSize(offset, units, logits.length);
        double boundary = logitOf(threshold); // also checks the threshold, whatever units is
        if (units == 1) {
            return logits[offset] >= boundary ? 1 : 0;
        }
        int best = 0;
        for (int k = 1; k < units; k++) {
            if (logits[offset + k] > logits[offset + best]) {
                best = k;
            }
        }
        return best;
    }

    /** {@link #classIndex(float[], int, int, float)} for one image's logits. */
    public static int classIndex(float[] logits, float threshold) {
        return classIndex(logits, 0, Objects.requireNonNull(logits, "logits").length, threshold);
    }

    /**
     * The logit at which {@code sigmoid(logit) == threshold}: {@code ln(t / (1 - t))}; {@code -inf}
     * for 0 (everything is class 1), {@code +inf} for 1 (only a {@code +inf} logit is).
     */
    static double logitOf(float threshold) {
        if (!(threshold >= 0f && threshold <= 1f)) {
            throw Arguments.received("threshold", threshold, "0 <= threshold <= 1");
        }
        if (threshold == 0.5f) {
            return 0.0; // ln(1) is 0 anyway; spelled out because the default must be exact
        }
        return Math.log(threshold) - Math.log1p(-threshold);
    }
}
