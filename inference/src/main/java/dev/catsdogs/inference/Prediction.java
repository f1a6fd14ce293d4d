package dev.catsdogs.inference;

import dev.catsdogs.inference.internal.Arguments;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
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
 * @param classIndex index of {@code label} in {@code classNames}
 * @param classNames all class names of the model, in output order ({@link
 *     ModelMetadata#classNames()})
 */
public record Prediction(
        String label, float probability, float[] logits, int classIndex, List<String> classNames) {

    public Prediction {
        Objects.requireNonNull(label, "label");
        logits = Objects.requireNonNull(logits, "logits").clone();
        classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        boolean sigmoid = logits.length == 1 && classNames.size() == 2;
        if (!sigmoid && logits.length != classNames.size()) {
            throw new IllegalArgumentException(
                    logits.length
                            + " logit(s) for "
                            + classNames.size()
                            + " classes "
                            + classNames
                            + "; expected 1 (sigmoid, 2 classes) or one per class");
        }
        Objects.checkIndex(classIndex, classNames.size());
        if (!classNames.get(classIndex).equals(label)) {
            throw new IllegalArgumentException(
                    "label " + label + " is not class " + classIndex + " of " + classNames);
        }
    }

    /** A copy of the raw model outputs. */
    @Override
    public float[] logits() {
        return logits.clone();
    }

    /**
     * The probability of every class, in class order (a new array each call). Softmax models: the
     * softmax of the logits. Sigmoid models: {@code [1 - p, p]} with {@code p = sigmoid(logit)}.
     */
    public float[] probabilities() {
        return probabilitiesOf(logits);
    }

    // The one formula for probabilities from logits; LogitDecoder uses it too.
    static float[] probabilitiesOf(float[] logits) {
        if (logits.length == 1) {
            float p = (float) (1.0 / (1.0 + Math.exp(-logits[0])));
            return new float[] {1f - p, p};
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] exp = new double[logits.length];
        double sum = 0; // subtract the max so exp() cannot overflow
        for (int i = 0; i < logits.length; i++) {
            exp[i] = Math.exp(logits[i] - max);
            sum += exp[i];
        }
        float[] probabilities = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = (float) (exp[i] / sum);
        }
        return probabilities;
    }

    /**
     * The {@code k} most probable classes, most probable first; ties keep class order. Asking for
     * more classes than the model has returns all of them.
     *
     * @throws IllegalArgumentException if {@code k < 1}
     */
    public List<ClassProbability> topK(int k) {
        if (k < 1) {
            throw Arguments.received("k", k, ">= 1");
        }
        float[] probabilities = probabilities();
        List<ClassProbability> all = new ArrayList<>(probabilities.length);
        for (int i = 0; i < probabilities.length; i++) {
            all.add(new ClassProbability(classNames.get(i), probabilities[i], i));
        }
        // Stable sort: equal probabilities stay in class order.
        all.sort(Comparator.comparingDouble(ClassProbability::probability).reversed());
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prediction p
                && label.equals(p.label)
                && Float.compare(probability, p.probability) == 0
                && Arrays.equals(logits, p.logits)
                && classIndex == p.classIndex
                && classNames.equals(p.classNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, probability, Arrays.hashCode(logits), classIndex, classNames);
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
