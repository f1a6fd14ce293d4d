package dev.catsdogs.trainer.train;

import ai.djl.ndarray.NDList;
import dev.catsdogs.trainer.optimizer.OptimizerState;
import java.util.List;

/**
 * Where a run stands after an epoch: what a checkpoint holds besides the network's parameters, and
 * what {@code train --resume} continues from. Shuffling and augmentation need no state here: they
 * derive from the seed and the epoch ({@code Seeds}), and dropout's generator is reseeded from them
 * at every epoch.
 *
 * @param epochsDone epochs completed over both phases
 * @param phase the phase of the last completed epoch
 * @param phaseFinished whether that phase is over (its last epoch, or stopped early)
 * @param earlyStopping the phase's early-stopping state
 * @param history every completed epoch's record, in order
 * @param optimizer the phase's optimizer state, or null when the phase is finished
 * @param bestWeights the trainable parameters at the phase's best epoch (early stopping), or null
 */
public record TrainingState(
        int epochsDone,
        Phase phase,
        boolean phaseFinished,
        EarlyStopping.State earlyStopping,
        List<EpochRecord> history,
        OptimizerState optimizer,
        NDList bestWeights) {

    public TrainingState {
        history = List.copyOf(history);
    }

    /** Whether the phase {@code p} has nothing left to train. */
    public boolean finished(Phase p) {
        return p.ordinal() < phase.ordinal() || (p == phase && phaseFinished);
    }

    /** Whether epochs of {@code p} were done and more remain: it continues from here. */
    public boolean continues(Phase p) {
        return p == phase && !phaseFinished;
    }
}
