package dev.catsdogs.trainer.train;

import com.google.gson.annotations.SerializedName;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.optimizer.OptimizerType;
import java.util.Locale;

/**
 * Named sets of training settings, chosen with {@code --recipe}; options given explicitly win over
 * the recipe's. Both keep the seed's learning rates (1e-4, then 1e-5 for fine-tuning), epochs and
 * fine-tuning layer.
 */
public enum Recipe {
    /** The seed: no augmentation, no dropout, RMSprop in both phases. The default. */
    @SerializedName("seed")
    SEED(Augmentation.NONE, 0f, OptimizerType.RMSPROP, OptimizerType.RMSPROP),

    /**
     * TensorFlow's transfer-learning tutorial as currently published: {@code RandomFlip
     * ("horizontal")} and {@code RandomRotation(0.2)}, {@code Dropout(0.2)} before the Dense layer,
     * Adam for feature extraction and RMSprop for fine-tuning.
     */
    @SerializedName("tutorial")
    TUTORIAL(new Augmentation(true, 0.2, 0, 0), 0.2f, OptimizerType.ADAM, OptimizerType.RMSPROP);

    private final Augmentation augmentation;
    private final float dropout;
    private final OptimizerType optimizer;
    private final OptimizerType fineTuneOptimizer;

    Recipe(
            Augmentation augmentation,
            float dropout,
            OptimizerType optimizer,
            OptimizerType fineTuneOptimizer) {
        this.augmentation = augmentation;
        this.dropout = dropout;
        this.optimizer = optimizer;
        this.fineTuneOptimizer = fineTuneOptimizer;
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    public float dropout() {
        return dropout;
    }

    /** The feature-extraction optimizer. */
    public OptimizerType optimizer() {
        return optimizer;
    }

    public OptimizerType fineTuneOptimizer() {
        return fineTuneOptimizer;
    }

    /** The name on the command line and in {@code config.json}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
