package dev.catsdogs.trainer.train;

import java.io.IOException;

/**
 * Saves the network's parameters to the run directory after the evaluation before training and
 * after every epoch: an interruption loses at most one epoch.
 */
public final class Checkpoint implements TrainingListener {

    private final RunDirectory run;
    private TrainingContext context;

    public Checkpoint(RunDirectory run) {
        this.run = run;
    }

    @Override
    public void onTrainingBegin(TrainingContext context) {
        this.context = context;
    }

    @Override
    public void onEvaluation(Stage stage, Evaluation evaluation) throws IOException {
        if (stage == Stage.INITIAL) {
            run.saveParameters(context.network());
        }
    }

    @Override
    public void onEpochEnd(EpochRecord record) throws IOException {
        run.saveParameters(context.network());
    }
}
