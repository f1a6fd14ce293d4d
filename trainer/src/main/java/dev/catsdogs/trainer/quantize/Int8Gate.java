package dev.catsdogs.trainer.quantize;

import java.util.Locale;

/**
 * The condition an int8 model must meet on the validation split to be kept: its labels agree with
 * the float model's on at least 99.5% of the images, and its accuracy is at most 0.3 points lower.
 * Logits are not compared: int8 moves them by design.
 *
 * @param agreement fraction of images where both models give the same label
 * @param accuracyFloat accuracy of the float model
 * @param accuracyInt8 accuracy of the int8 model
 * @param images validation images compared
 */
public record Int8Gate(double agreement, double accuracyFloat, double accuracyInt8, int images) {

    public static final double MIN_AGREEMENT = 0.995;
    public static final double MAX_ACCURACY_DROP = 0.003;

    // Accuracies are counts over the same images; a tiny slack keeps 0.3 points exactly allowed.
    private static final double SLACK = 1e-9;

    static Int8Gate of(LogitComparison c) {
        return new Int8Gate(c.agreement(), c.accuracyFloat(), c.accuracyInt8(), c.images());
    }

    public boolean passed() {
        return images > 0
                && agreement >= MIN_AGREEMENT - SLACK
                && accuracyFloat - accuracyInt8 <= MAX_ACCURACY_DROP + SLACK;
    }

    /** {@code int8: agreement=<a> accuracy_fp32=<b> accuracy_int8=<c> images=<n>}. */
    public String line() {
        return String.format(
                Locale.ROOT,
                "int8: agreement=%.4f accuracy_fp32=%.4f accuracy_int8=%.4f images=%d",
                agreement,
                accuracyFloat,
                accuracyInt8,
                images);
    }

    /** Why the model was refused, or null when it passed. */
    public String failure() {
        if (passed()) {
            return null;
        }
        if (images == 0) {
            return "no validation image could be compared";
        }
        return String.format(
                Locale.ROOT,
                "agreement %.4f (needs >= %.3f), accuracy drop %.2f points (allowed %.1f)",
                agreement,
                MIN_AGREEMENT,
                (accuracyFloat - accuracyInt8) * 100,
                MAX_ACCURACY_DROP * 100);
    }
}
