package dev.catsdogs.inference.eval;

import dev.catsdogs.inference.internal.Arguments;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An image file and the index of its true class among the model's labels.
 *
 * @param file the image
 * @param trueClass its class index, {@code >= 0}
 */
public record LabelledImage(Path file, int trueClass) {

    public LabelledImage {
        Objects.requireNonNull(file, "file");
        if (trueClass < 0) {
            throw Arguments.received("trueClass", trueClass, ">= 0");
        }
    }
}
