package dev.catsdogs.inference;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The classifier's answer for one image.
 *
 * @param label the chosen class name
 * @param probability the probability of {@code label} (for sigmoid models {@code p} or {@code 1 -
 *     p}, for softmax models the largest softmax value)
 * @param logits the raw model outputs for this image (one for sigmoid, one per class for softmax);
 *     defensively copied
 * @param classIndex index of {@code label} in {@link ModelMetadata#classNames()}
 */
public record Prediction(String label, float probability, float[] logits, int classIndex) {

    public Prediction {
        Objects.requireNonNull(label, "label");
        logits = Objects.requireNonNull(logits, "logits").clone();
    }

    /** A copy of the raw model outputs. */
    @Override
    public float[] logits() {
        return logits.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prediction p
                && label.equals(p.label)
                && Float.compare(probability, p.probability) == 0
                && Arrays.equals(logits, p.logits)
                && classIndex == p.classIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, probability, Arrays.hashCode(logits), classIndex);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "Prediction[label=%s, probability=%.4f, logits=%s, classIndex=%d]",
                label,
                probability,
                Arrays.toString(logits),
                classIndex);
    }
}
