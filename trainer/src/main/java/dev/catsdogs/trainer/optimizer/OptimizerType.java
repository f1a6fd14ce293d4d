package dev.catsdogs.trainer.optimizer;

import com.google.gson.annotations.SerializedName;
import java.util.Locale;

/** The optimizers a phase can use, named as {@code --optimizer} takes them. */
public enum OptimizerType {
    /** Keras' RMSprop (the seed's): {@link KerasRmsProp}, fused as {@link FusedRmsProp}. */
    @SerializedName("rmsprop")
    RMSPROP,
    /**
     * Keras' Adam (the current tutorial's first phase): {@link KerasAdam}, fused {@link FusedAdam}.
     */
    @SerializedName("adam")
    ADAM;

    /** The name on the command line and in {@code config.json}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A new optimizer of this type with Keras' defaults: the fused update on the PyTorch engine,
     * else the reference.
     */
    public Optimizer create(float learningRate) {
        return switch (this) {
            case RMSPROP -> Optimizer.rmsProp(learningRate);
            case ADAM -> Optimizer.adam(learningRate);
        };
    }
}
