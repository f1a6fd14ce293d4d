package dev.catsdogs.trainer.train;

/**
 * Keras' {@code EarlyStopping(monitor="val_loss", patience=PATIENCE, min_delta=MIN_DELTA,
 * restore_best_weights=True)}, per phase: an epoch improves when its validation loss is below the
 * best so far by more than {@code minDelta}; after {@code patience} epochs without an improvement
 * the phase stops and the best epoch's weights are restored. A phase that runs all its epochs keeps
 * its last weights, as in Keras.
 *
 * @param patience epochs without improvement before a phase stops; 0: off
 * @param minDelta how much lower a validation loss must be to count as an improvement
 */
public record EarlyStopping(int patience, float minDelta) {

    /** Off: every phase runs all its epochs (the tutorial's behaviour). */
    public static final EarlyStopping OFF = new EarlyStopping(0, 0f);

    public EarlyStopping {
        Setting.EARLY_STOPPING_PATIENCE.require(patience >= 0, patience, ">= 0 (0: off)");
        Setting.EARLY_STOPPING_MIN_DELTA.require(
                minDelta >= 0 && Float.isFinite(minDelta), minDelta, "a number >= 0");
    }

    /** Whether phases may stop early. */
    public boolean enabled() {
        return patience > 0;
    }

    /**
     * Where one phase stands: the best validation loss so far, its epoch, and the epochs since.
     * Saved in checkpoints so that a resumed run stops where the uninterrupted one would.
     *
     * @param best the lowest validation loss so far ({@code Infinity} before the first epoch)
     * @param bestEpoch the 1-based epoch that had it (0 before the first epoch)
     * @param epochsWithoutImprovement epochs since the last improvement
     */
    public record State(double best, int bestEpoch, int epochsWithoutImprovement) {

        /** A phase before its first epoch. */
        public static final State START = new State(Double.POSITIVE_INFINITY, 0, 0);

        /** This state after {@code epoch} ended with validation loss {@code valLoss}. */
        public State after(int epoch, double valLoss, float minDelta) {
            // Keras (mode "min"): improved when current + min_delta < best; NaN never improves.
            if (valLoss + minDelta < best) {
                return new State(valLoss, epoch, 0);
            }
            return new State(best, bestEpoch, epochsWithoutImprovement + 1);
        }

        /** Whether the epoch that produced this state set a new best. */
        public boolean improvedAt(int epoch) {
            return bestEpoch == epoch;
        }
    }

    /** Whether a phase in {@code state} stops now. */
    public boolean stops(State state) {
        return enabled() && state.epochsWithoutImprovement() >= patience;
    }
}
