package dev.catsdogs.inference;

import java.util.Objects;

/**
 * One class and its probability, an entry of {@link Prediction#topK(int)}.
 *
 * @param label the class name
 * @param probability its probability in [0, 1]
 * @param classIndex its index in {@link ModelMetadata#classNames()}
 */
public record ClassProbability(String label, float probability, int classIndex) {

    public ClassProbability {
        Objects.requireNonNull(label, "label");
    }
}
