package dev.catsdogs.trainer.data;

import dev.catsdogs.inference.internal.Arguments;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One labelled image file.
 *
 * @param file the image file
 * @param label the class index into {@link Dataset#classNames()}
 */
public record Sample(Path file, int label) {

    /** Checks the fields. */
    public Sample {
        Objects.requireNonNull(file, "file");
        if (label < 0) {
            throw Arguments.received("label", label + " for " + file, ">= 0");
        }
    }
}
