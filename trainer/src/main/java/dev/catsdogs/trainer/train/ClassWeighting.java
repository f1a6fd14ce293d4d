package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.data.Sample;
import java.util.List;
import java.util.Locale;

/**
 * How much each class's images count in the training loss: all alike (the tutorial), or Keras' and
 * scikit-learn's "balanced", {@code n_samples / (n_classes * count_of_class)}, so that a class with
 * a tenth of the images weighs ten times as much and both count alike in total. Validation loss is
 * never weighted.
 */
public enum ClassWeighting {
    NONE,
    BALANCED;

    /**
     * The weight of each class over the training samples, or null for {@link #NONE} (the loss is
     * then the plain mean, bit for bit as before weights existed).
     */
    public float[] weights(List<Sample> train, int classes) {
        if (this == NONE) {
            return null;
        }
        long[] counts = new long[classes];
        for (Sample s : train) {
            counts[s.label()]++;
        }
        float[] weights = new float[classes];
        for (int k = 0; k < classes; k++) {
            // A class without training images has nothing to weigh; DataCheck refuses it anyway.
            weights[k] =
                    counts[k] == 0 ? 0f : (float) ((double) train.size() / (classes * counts[k]));
        }
        return weights;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
