package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.feed.CachedFeed;
import java.io.IOException;

/**
 * Observes a {@link TransferTrainer}: one concern per implementation (progress, history, curves,
 * checkpoints, report). Every method is optional. The trainer calls listeners in the order they
 * were added, on its own thread; an {@link IOException} from a listener (a checkpoint that cannot
 * be written) ends training as a failure rather than being swallowed.
 */
public interface TrainingListener {

    /** Training starts: the data is examined and the network built, nothing has run yet. */
    default void onTrainingBegin(TrainingContext context) throws IOException {}

    /** A feed's frozen-layer cache holds {@code done} of {@code total} images. */
    default void onCacheProgress(String split, int boundary, int done, int total) {}

    /**
     * A feed's cache is complete.
     *
     * @param location where it lives, e.g. {@code device (cpu()), 10.2 MB} ({@link
     *     CachedFeed#location()})
     */
    default void onCacheBuilt(
            String split, int boundary, int images, double seconds, String location) {}

    /** An evaluation outside the epochs: before training, or of the test split at the end. */
    default void onEvaluation(Stage stage, Evaluation evaluation) throws IOException {}

    /** A phase starts, its feeds (and caches) ready. */
    default void onPhaseBegin(PhaseStart start) throws IOException {}

    /** An epoch starts with {@code batches} planned batches. */
    default void onEpochStart(Phase phase, int epoch, int batches) {}

    /** A training batch is done; loss and accuracy are running means over the epoch so far. */
    default void onBatch(
            Phase phase,
            int epoch,
            int batch,
            double loss,
            double accuracy,
            double imagesPerSecond) {}

    /** An epoch is done, validation included. */
    default void onEpochEnd(EpochRecord record) throws IOException {}

    /**
     * A phase stopped early (see {@link EarlyStopping}) after epoch {@code stoppedEpoch}; the
     * weights of {@code keptEpoch}, with validation loss {@code bestValLoss}, were restored.
     */
    default void onEarlyStop(Phase phase, int stoppedEpoch, int keptEpoch, double bestValLoss)
            throws IOException {}

    /**
     * The state after an epoch (and after an early stop's restore) is final: what a checkpoint
     * saves. Its tensors are valid only during the call.
     */
    default void onCheckpoint(TrainingState state) throws IOException {}

    /**
     * The run continues an interrupted one from {@code state} ({@code train --resume}); fired right
     * after {@link #onTrainingBegin}, before any epoch.
     */
    default void onResume(TrainingState state) throws IOException {}

    /** A phase is done. */
    default void onPhaseEnd(Phase phase, double seconds) throws IOException {}

    /** Training ended: completed, interrupted or failed. Always the last event. */
    default void onTrainingEnd(TrainingOutcome outcome) throws IOException {}

    /** Evaluations outside the epochs, named as in report.json. */
    enum Stage {
        /** The untrained head on {@code evaluationSteps} validation batches. */
        INITIAL("initial"),
        /** The trained model on the test split. */
        TEST("test");

        private final String key;

        Stage(String key) {
            this.key = key;
        }

        /** The report.json section. */
        public String key() {
            return key;
        }
    }
}
