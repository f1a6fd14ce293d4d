package dev.catsdogs.trainer.train;

import java.io.IOException;

/**
 * Saves the network's parameters ({@code model.params}, what {@code export} reads) after the
 * evaluation before training and after every epoch, and with them the whole state a resumed run
 * needs ({@link CheckpointFile}): an interruption loses at most one epoch.
 */
public final class Checkpoint implements TrainingListener {

    private final RunDirectory run;
    private final CheckpointFile.Origin origin;
    private TrainingContext context;

    /**
     * @param origin the version and data the run trains with, refused on resume when changed
     */
    public Checkpoint(RunDirectory run, CheckpointFile.Origin origin) {
        this.run = run;
        this.origin = origin;
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
    public void onCheckpoint(TrainingState state) throws IOException {
        run.saveParameters(context.network());
        CheckpointFile.write(run.file(RunDirectory.CHECKPOINT), origin, context.network(), state);
    }
}
