package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Split;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What the user sees while training: the data counts, a progress bar per cache build and per epoch
 * (running loss, accuracy, images/s), and one line per evaluation, cache and epoch. When the output
 * is not a terminal (a log file, a pipe), bars would be carriage-return redraws that pile up into
 * megabyte-long lines, so it prints plain lines instead: one per quarter of a cache build, and the
 * per-epoch lines.
 */
public final class ProgressListener implements TrainingListener {

    private static final int PLAIN_STEPS = 4;

    private final PrintStream out;
    private final boolean terminal;
    private int totalEpochs;
    private ProgressBar bar;
    private int plainStepsShown;

    /**
     * Draws bars when this process has a terminal.
     *
     * @param out where lines go (the bars themselves draw on stderr)
     */
    public ProgressListener(PrintStream out) {
        this(out, System.console() != null);
    }

    /**
     * @param terminal whether to draw bars (true) or print plain lines
     */
    public ProgressListener(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void onTrainingBegin(TrainingContext context) {
        totalEpochs = context.totalEpochs();
        Dataset dataset = context.dataset();
        for (Split split : Split.values()) {
            Map<String, Integer> counts = dataset.counts().get(split);
            if (counts != null && !counts.isEmpty()) {
                out.printf(Locale.ROOT, "%-10s %s%n", split.dirName(), counts);
            }
        }
        TrainingConfig config = context.config();
        if (config.data().augmentation().enabled()) {
            out.println("augmentation " + config.data().augmentation() + ": " + cacheMode(config));
        }
    }

    /** How augmented training images are fed: said aloud, since caching changes with it. */
    static String cacheMode(TrainingConfig config) {
        if (!config.runtime().cache()) {
            return "a new draw of every training image every epoch";
        }
        if (config.data().augmentViews() == 0) {
            return "a new draw of every training image every epoch, so the training split is not"
                    + " cached (validation is); --augment-views K caches K draws instead";
        }
        return config.data().augmentViews()
                + " augmented views of every training image cached per phase, one drawn per"
                + " epoch";
    }

    @Override
    public void onCacheProgress(String split, int boundary, int done, int total) {
        if (!terminal) {
            int step = total == 0 ? PLAIN_STEPS : (int) ((long) done * PLAIN_STEPS / total);
            if (step > plainStepsShown && done < total) {
                plainStepsShown = step;
                out.printf(
                        Locale.ROOT,
                        "caching %s @%d: %d/%d images%n",
                        split,
                        boundary,
                        done,
                        total);
            }
            return;
        }
        if (bar == null) {
            bar =
                    new ProgressBarBuilder()
                            .setTaskName("Caching " + split + " @" + boundary)
                            .setInitialMax(total)
                            .setStyle(ProgressBarStyle.ASCII)
                            .clearDisplayOnFinish()
                            .build();
        }
        bar.stepTo(done);
    }

    @Override
    public void onCacheBuilt(
            String split, int boundary, int images, double seconds, String location) {
        closeBar();
        plainStepsShown = 0;
        out.printf(
                Locale.ROOT,
                "cached %s %s: %d images in %.1fs; cache: %s%n",
                split,
                boundary == 0 ? "decoded images" : "activations before layer " + boundary,
                images,
                seconds,
                location);
    }

    @Override
    public void onEvaluation(Stage stage, Evaluation e) {
        String what =
                stage == Stage.INITIAL
                        ? "before training (%d validation images)"
                        : "test (%d images)";
        out.printf(
                Locale.ROOT,
                what + ": loss %.4f, accuracy %.4f%n",
                e.images(),
                e.loss(),
                e.accuracy());
    }

    @Override
    public void onPhaseBegin(PhaseStart start) {
        out.printf(
                Locale.ROOT,
                "%s: epochs %d to %d%n",
                start.phase().key(),
                start.firstEpoch(),
                start.lastEpoch());
    }

    @Override
    public void onEpochStart(Phase phase, int epoch, int batches) {
        closeBar();
        if (!terminal) {
            return;
        }
        bar =
                new ProgressBarBuilder()
                        .setTaskName(String.format(Locale.ROOT, "Epoch %d/%d", epoch, totalEpochs))
                        .setInitialMax(batches)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(500)
                        .continuousUpdate()
                        .clearDisplayOnFinish()
                        .build();
    }

    @Override
    public void onBatch(
            Phase phase,
            int epoch,
            int batch,
            double loss,
            double accuracy,
            double imagesPerSecond) {
        if (bar != null) {
            bar.stepTo(batch);
            bar.setExtraMessage(
                    String.format(
                            Locale.ROOT,
                            " loss %.4f acc %.4f %.0f img/s",
                            loss,
                            accuracy,
                            imagesPerSecond));
        }
    }

    @Override
    public void onEpochEnd(EpochRecord r) {
        closeBar();
        out.printf(
                Locale.ROOT,
                "Epoch %d/%d - %.1fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f"
                        + " - val_accuracy: %.4f - %.0f img/s%n",
                r.epoch(),
                totalEpochs,
                r.seconds(),
                r.loss(),
                r.accuracy(),
                r.valLoss(),
                r.valAccuracy(),
                r.imagesPerSecond());
    }

    @Override
    public void onResume(TrainingState state) {
        out.printf(
                Locale.ROOT,
                "resuming after epoch %d/%d (%s%s)%n",
                state.epochsDone(),
                totalEpochs,
                state.phase().key(),
                state.phaseFinished() ? ", phase finished" : "");
    }

    @Override
    public void onEarlyStop(Phase phase, int stoppedEpoch, int keptEpoch, double bestValLoss) {
        closeBar();
        out.printf(
                Locale.ROOT,
                "early stopping: %s stopped after epoch %d; kept the weights of epoch %d"
                        + " (val_loss %.4f)%n",
                phase.key(),
                stoppedEpoch,
                keptEpoch,
                bestValLoss);
    }

    @Override
    public void onPhaseEnd(Phase phase, double seconds) {
        closeBar();
    }

    @Override
    public void onTrainingEnd(TrainingOutcome outcome) {
        closeBar();
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
