package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.optimizer.OptimizerType;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * How one phase trains (feature extraction or fine-tuning): its epochs, optimizer and learning
 * rate, how the rate moves within the phase and when the phase stops early.
 *
 * @param epochs epochs of the phase (0 skips it)
 * @param optimizer the phase's optimizer, with Keras' defaults
 * @param learningRate the phase's base learning rate
 * @param learningRateSchedule how the learning rate moves within the phase
 * @param earlyStopping when the phase stops before its last epoch ({@link EarlyStopping#OFF}:
 *     never)
 */
@RecordBuilder
public record PhaseSettings(
        int epochs,
        OptimizerType optimizer,
        float learningRate,
        LearningRateSchedule learningRateSchedule,
        EarlyStopping earlyStopping)
        implements PhaseSettingsBuilder.With {

    /** The tutorial's epochs of each phase. */
    public static final int DEFAULT_EPOCHS = 10;

    /** The tutorial's feature-extraction learning rate. */
    public static final float DEFAULT_LEARNING_RATE = 1e-4f;

    /** The tutorial's fine-tuning learning rate (a tenth of the first). */
    public static final float DEFAULT_FINE_TUNE_LEARNING_RATE = 1e-5f;

    public PhaseSettings {
        optimizer = optimizer == null ? OptimizerType.RMSPROP : optimizer;
        learningRateSchedule =
                learningRateSchedule == null ? LearningRateSchedule.CONSTANT : learningRateSchedule;
        earlyStopping = earlyStopping == null ? EarlyStopping.OFF : earlyStopping;
        Setting.EPOCHS.require(epochs >= 0, epochs, ">= 0");
        Setting.LEARNING_RATE.require(
                learningRate > 0 && Float.isFinite(learningRate), learningRate, "> 0");
    }

    /** The tutorial's feature extraction with {@code recipe}'s optimizer. */
    public static PhaseSettings featureExtraction(Recipe recipe) {
        return new PhaseSettings(
                DEFAULT_EPOCHS,
                recipe.optimizer(),
                DEFAULT_LEARNING_RATE,
                LearningRateSchedule.CONSTANT,
                EarlyStopping.OFF);
    }

    /** The tutorial's fine-tuning with {@code recipe}'s optimizer. */
    public static PhaseSettings fineTuning(Recipe recipe) {
        return new PhaseSettings(
                DEFAULT_EPOCHS,
                recipe.fineTuneOptimizer(),
                DEFAULT_FINE_TUNE_LEARNING_RATE,
                LearningRateSchedule.CONSTANT,
                EarlyStopping.OFF);
    }
}
