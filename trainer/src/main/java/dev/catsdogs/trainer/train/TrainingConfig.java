package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Every setting of a training run, in groups; the defaults are the seed's (TensorFlow's
 * transfer-learning tutorial). Written to {@code config.json} in the run directory with these
 * names. Start from {@link #of(Recipe, Path)} and change settings with the {@code with*} methods
 * that this record and each group get from {@code @RecordBuilder} (e.g. {@code
 * config.withData(config.data().withImageSize(96))}); every record checks its own ranges ({@link
 * InvalidSettingException}), this one the settings that span groups.
 *
 * @param seed the one seed every random choice derives from
 * @param recipe the named set of settings the run started from ({@link Recipe#SEED} by default);
 *     the groups hold what was finally used
 * @param data the images and how they are fed
 * @param model the network: weights, dropout, first layer fine-tuned
 * @param featureExtraction the first phase (base frozen)
 * @param fineTuning the second phase (base trainable from {@code model.fineTuneAt}); 0 epochs skips
 *     it
 * @param classWeighting how much each class's images count in the training loss
 * @param evaluationSteps validation batches of the evaluation before training
 * @param runtime where and how the run computes
 * @param outputs the run directory and what is written to it
 */
@RecordBuilder
public record TrainingConfig(
        long seed,
        Recipe recipe,
        DataSettings data,
        ModelSettings model,
        PhaseSettings featureExtraction,
        PhaseSettings fineTuning,
        ClassWeighting classWeighting,
        int evaluationSteps,
        RuntimeSettings runtime,
        OutputSettings outputs)
        implements TrainingConfigBuilder.With {

    /** The seed's seed. */
    public static final long DEFAULT_SEED = 42;

    /** The tutorial's {@code validation_steps=20} of the evaluation before training. */
    public static final int DEFAULT_EVALUATION_STEPS = 20;

    public TrainingConfig {
        recipe = recipe == null ? Recipe.SEED : recipe;
        classWeighting = classWeighting == null ? ClassWeighting.NONE : classWeighting;
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(featureExtraction, "featureExtraction");
        Objects.requireNonNull(fineTuning, "fineTuning");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(outputs, "outputs");
        Setting.EVALUATION_STEPS.require(evaluationSteps >= 0, evaluationSteps, ">= 0");
        Setting.AUGMENT_VIEWS.require(
                data.augmentViews() == 0 || runtime.cache(),
                data.augmentViews(),
                "0 without caching (views are a cache)");
    }

    /**
     * The seed's settings with {@code recipe}'s optimizers, dropout and augmentation, writing the
     * run to {@code outDir}.
     */
    public static TrainingConfig of(Recipe recipe, Path outDir) {
        return new TrainingConfig(
                DEFAULT_SEED,
                recipe,
                DataSettings.DEFAULT.withAugmentation(recipe.augmentation()),
                ModelSettings.DEFAULT.withDropout(recipe.dropout()),
                PhaseSettings.featureExtraction(recipe),
                PhaseSettings.fineTuning(recipe),
                ClassWeighting.NONE,
                DEFAULT_EVALUATION_STEPS,
                RuntimeSettings.defaults(),
                OutputSettings.in(outDir));
    }

    /** The phase's settings. */
    public PhaseSettings phase(Phase phase) {
        return phase == Phase.FEATURE_EXTRACTION ? featureExtraction : fineTuning;
    }

    /** Epochs of both phases. */
    public int totalEpochs() {
        return featureExtraction.epochs() + fineTuning.epochs();
    }

    /**
     * The preprocessing this run trains with (and its model is checked and served with): the
     * classifier's, at the data's image size, decoding JPEGs as {@link DataSettings#fastJpegDecode}
     * says.
     */
    public ImagePreprocessor preprocessor() {
        return ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(data.imageSize()))
                .optFastJpegDecode(data.fastJpegDecode())
                .build();
    }

    /**
     * Whether the training split's frozen-layer activations are cached: with caching on, always
     * without augmentation, and with augmentation only as {@code augmentViews} views (a single
     * cached draw would train every epoch on the same changed images). Validation, never augmented,
     * is cached whenever caching is on.
     */
    public boolean cachesTraining() {
        return runtime.cache() && (!data.augmentation().enabled() || data.augmentViews() > 0);
    }
}
