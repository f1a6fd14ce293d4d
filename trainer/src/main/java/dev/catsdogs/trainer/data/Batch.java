package dev.catsdogs.trainer.data;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A batch of decoded samples. The arrays are handed over, not copied: the loader never touches them
 * again, so the consumer may pass them on or modify them.
 *
 * @param data {@code size} tensors one after another ({@code N*C*H*W} for images), exactly {@code
 *     size * sampleSize()} floats
 * @param labels the label of each sample
 * @param files the file of each sample
 * @param size the number of samples, at least 1
 */
public record Batch(float[] data, int[] labels, List<Path> files, int size) {

    /** Checks that the lengths agree. */
    public Batch {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(labels, "labels");
        files = List.copyOf(files);
        if (size < 1 || labels.length != size || files.size() != size || data.length % size != 0) {
            throw new IllegalArgumentException(
                    "Inconsistent batch: size "
                            + size
                            + ", "
                            + labels.length
                            + " labels, "
                            + files.size()
                            + " files, "
                            + data.length
                            + " floats");
        }
    }

    /** Floats per sample. */
    public int sampleSize() {
        return data.length / size;
    }

    /** {@link #data()} wrapped in a buffer (no copy). */
    public FloatBuffer buffer() {
        return FloatBuffer.wrap(data);
    }

    @Override
    public String toString() {
        return "Batch[size="
                + size
                + ", sampleSize="
                + sampleSize()
                + ", first="
                + files.get(0)
                + "]";
    }
}
