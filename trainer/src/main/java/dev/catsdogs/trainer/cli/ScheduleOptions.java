package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.optimizer.OptimizerType;
import dev.catsdogs.trainer.train.EarlyStopping;
import dev.catsdogs.trainer.train.LearningRateSchedule;
import dev.catsdogs.trainer.train.PhaseSettings;
import dev.catsdogs.trainer.train.Recipe;
import dev.catsdogs.trainer.train.Setting;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train}'s options of the two {@link PhaseSettings}: epochs, optimizer and learning rate of
 * each phase; the schedule and early stopping, the same for both.
 */
final class ScheduleOptions {

    // A phase's settings name their epochs and learning rate alike: each phase has its table.
    private static final Map<Setting, String> FEATURE_EXTRACTION =
            Map.of(
                    Setting.EPOCHS, "--epochs",
                    Setting.LEARNING_RATE, "--learning-rate");

    private static final Map<Setting, String> FINE_TUNING =
            Map.of(
                    Setting.EPOCHS, "--fine-tune-epochs",
                    Setting.LEARNING_RATE, "--fine-tune-learning-rate");

    private static final Map<Setting, String> BOTH =
            Map.of(
                    Setting.EARLY_STOPPING_PATIENCE, "--early-stopping",
                    Setting.EARLY_STOPPING_MIN_DELTA, "--early-stopping-min-delta",
                    Setting.WARMUP_EPOCHS, "--warmup-epochs");

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--epochs",
            description = "Feature-extraction epochs (default: ${DEFAULT-VALUE}).")
    private int epochs = PhaseSettings.DEFAULT_EPOCHS;

    @Option(
            names = "--fine-tune-epochs",
            description = "Fine-tuning epochs; 0 skips fine-tuning (default: ${DEFAULT-VALUE}).")
    private int fineTuneEpochs = PhaseSettings.DEFAULT_EPOCHS;

    @Option(
            names = "--learning-rate",
            description = "Learning rate, feature extraction (default: ${DEFAULT-VALUE}).")
    private float learningRate = PhaseSettings.DEFAULT_LEARNING_RATE;

    @Option(
            names = "--fine-tune-learning-rate",
            description = "Learning rate, fine-tuning (default: ${DEFAULT-VALUE}).")
    private float fineTuneLearningRate = PhaseSettings.DEFAULT_FINE_TUNE_LEARNING_RATE;

    @Option(
            names = "--optimizer",
            paramLabel = "rmsprop|adam",
            description =
                    "Optimizer of feature extraction, Keras' defaults (default: the recipe's;"
                            + " rmsprop for seed).")
    private String optimizer;

    @Option(
            names = "--fine-tune-optimizer",
            paramLabel = "rmsprop|adam",
            description = "Optimizer of fine-tuning (default: the recipe's; rmsprop for both).")
    private String fineTuneOptimizer;

    @Option(
            names = "--lr-schedule",
            paramLabel = "constant|cosine",
            description =
                    "Learning rate within each phase: constant, or cosine decay to 0 at the"
                            + " phase's last step (default: ${DEFAULT-VALUE}).")
    private String lrSchedule = LearningRateSchedule.Kind.CONSTANT.toString();

    @Option(
            names = "--warmup-epochs",
            paramLabel = "N",
            description =
                    "With --lr-schedule cosine: a linear warm-up from 0 over the first N epochs of"
                            + " each phase (default: ${DEFAULT-VALUE}).")
    private int warmupEpochs;

    @Option(
            names = "--early-stopping",
            paramLabel = "PATIENCE",
            description =
                    "Stop a phase after PATIENCE epochs without a lower validation loss and keep"
                            + " its best epoch's weights (Keras' EarlyStopping with"
                            + " restore_best_weights); 0: off (default: ${DEFAULT-VALUE}).")
    private int earlyStopping;

    @Option(
            names = "--early-stopping-min-delta",
            paramLabel = "DELTA",
            description =
                    "How much lower a validation loss must be to count as better (default:"
                            + " ${DEFAULT-VALUE}).")
    private float earlyStoppingMinDelta;

    /**
     * Feature extraction's settings, {@code recipe}'s optimizer unless {@code --optimizer} is
     * given.
     *
     * @throws picocli.CommandLine.ParameterException (a usage error) naming the option at fault
     */
    PhaseSettings featureExtraction(Recipe recipe) {
        return phase(
                "--optimizer",
                optimizer,
                recipe.optimizer(),
                epochs,
                learningRate,
                FEATURE_EXTRACTION);
    }

    /**
     * Fine-tuning's settings, {@code recipe}'s optimizer unless {@code --fine-tune-optimizer} is
     * given.
     *
     * @throws picocli.CommandLine.ParameterException (a usage error) naming the option at fault
     */
    PhaseSettings fineTuning(Recipe recipe) {
        return phase(
                "--fine-tune-optimizer",
                fineTuneOptimizer,
                recipe.fineTuneOptimizer(),
                fineTuneEpochs,
                fineTuneLearningRate,
                FINE_TUNING);
    }

    private PhaseSettings phase(
            String optimizerOption,
            String optimizerName,
            OptimizerType recipeOptimizer,
            int phaseEpochs,
            float rate,
            Map<Setting, String> options) {
        UsageErrors errors = new UsageErrors(command);
        OptimizerType type =
                optimizerName != null
                        ? errors.choice(optimizerOption, optimizerName, OptimizerType.values())
                        : recipeOptimizer;
        LearningRateSchedule.Kind kind =
                errors.choice("--lr-schedule", lrSchedule, LearningRateSchedule.Kind.values());
        LearningRateSchedule schedule =
                errors.build(() -> new LearningRateSchedule(kind, warmupEpochs), BOTH);
        EarlyStopping stopping =
                errors.build(() -> new EarlyStopping(earlyStopping, earlyStoppingMinDelta), BOTH);
        return errors.build(
                () -> new PhaseSettings(phaseEpochs, type, rate, schedule, stopping), options);
    }
}
