package dev.catsdogs.trainer.data;

/** How {@link BatchLoader#epoch(int)} orders the samples. */
public enum ShuffleMode {
    /**
     * A full shuffle of all samples at the start of every epoch (not a shuffle buffer), with
     * randomness derived from the loader's seed and the epoch number only: epoch {@code e} has the
     * same order in every run with the same seed, whatever epochs ran before.
     */
    EACH_EPOCH,
    /** The samples' own order, every epoch (for validation and test). */
    NONE
}
