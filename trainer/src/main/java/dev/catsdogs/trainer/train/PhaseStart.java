package dev.catsdogs.trainer.train;

/**
 * A training phase about to run its epochs.
 *
 * @param phase which phase
 * @param firstEpoch first epoch number, 1-based and continuing across phases
 * @param lastEpoch last epoch number
 * @param learningRate the optimizer's rate in this phase
 * @param cachedFromLayer the feed's layer boundary: layers before it run once (0: none cached)
 * @param trainableVariables trainable parameter tensors
 * @param trainableParams trainable scalars
 * @param cacheSeconds time spent building the phase's caches before its first epoch
 */
public record PhaseStart(
        Phase phase,
        int firstEpoch,
        int lastEpoch,
        float learningRate,
        int cachedFromLayer,
        int trainableVariables,
        long trainableParams,
        double cacheSeconds) {}
