package dev.catsdogs.trainer.train;

/** Observes training; one concern per implementation (progress, history, plots). All methods optional. */
public interface TrainingListener {

    /** A phase starts; epochs are numbered {@code firstEpoch..lastEpoch} (1-based). */
    default void onPhaseStart(Phase phase, int firstEpoch, int lastEpoch) {}

    /** An epoch starts with {@code batches} planned batches. */
    default void onEpochStart(Phase phase, int epoch, int batches) {}

    /** A training batch is done; loss and accuracy are running means over the epoch so far. */
    default void onBatch(Phase phase, int epoch, int batch, double loss, double accuracy, double imagesPerSecond) {}

    /** An epoch is done, validation included. */
    default void onEpochEnd(EpochRecord record) {}

    /** A phase is done. */
    default void onPhaseEnd(Phase phase, double seconds) {}
}
