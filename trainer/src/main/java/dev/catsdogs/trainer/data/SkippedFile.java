package dev.catsdogs.trainer.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A file that was left out of training or evaluation, and why (e.g. "unsupported extension", or the
 * decoder's error message).
 *
 * @param path the file
 * @param reason a short human-readable reason
 */
public record SkippedFile(Path path, String reason) {

    /** Checks the fields. */
    public SkippedFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
