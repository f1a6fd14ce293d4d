package dev.catsdogs.trainer.train;

/**
 * Metrics of one epoch, as Keras' {@code History} holds them.
 *
 * @param phase the training phase
 * @param epoch 1-based, continuing across phases (like {@code initial_epoch})
 * @param loss running mean of the training loss over the epoch
 * @param accuracy training accuracy over the epoch
 * @param valLoss validation loss after the epoch
 * @param valAccuracy validation accuracy after the epoch
 * @param seconds wall time of the epoch, validation included
 * @param imagesPerSecond training images per second
 */
public record EpochRecord(
        Phase phase,
        int epoch,
        double loss,
        double accuracy,
        double valLoss,
        double valAccuracy,
        double seconds,
        double imagesPerSecond) {}
