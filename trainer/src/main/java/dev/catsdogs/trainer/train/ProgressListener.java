package dev.catsdogs.trainer.train;

import java.io.PrintStream;
import java.util.Locale;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per epoch (running loss, accuracy, images/s) and a one-line summary per epoch. */
public final class ProgressListener implements TrainingListener {

    private final PrintStream out;
    private final int totalEpochs;
    private ProgressBar bar;

    /**
     * @param out where epoch summaries go (the bar itself draws on stderr)
     * @param totalEpochs epochs over both phases, for "Epoch 3/20"
     */
    public ProgressListener(PrintStream out, int totalEpochs) {
        this.out = out;
        this.totalEpochs = totalEpochs;
    }

    @Override
    public void onPhaseStart(Phase phase, int firstEpoch, int lastEpoch) {
        out.printf(Locale.ROOT, "%s: epochs %d to %d%n", phase.key(), firstEpoch, lastEpoch);
    }

    @Override
    public void onEpochStart(Phase phase, int epoch, int batches) {
        closeBar();
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "Epoch %d/%d", epoch, totalEpochs))
                .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                .continuousUpdate().clearDisplayOnFinish().build();
    }

    @Override
    public void onBatch(Phase phase, int epoch, int batch, double loss, double accuracy, double imagesPerSecond) {
        if (bar != null) {
            bar.stepTo(batch);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f acc %.4f %.0f img/s", loss, accuracy,
                    imagesPerSecond));
        }
    }

    @Override
    public void onEpochEnd(EpochRecord r) {
        closeBar();
        out.printf(Locale.ROOT, "Epoch %d/%d - %.1fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f"
                + " - %.0f img/s%n", r.epoch(), totalEpochs, r.seconds(), r.loss(), r.accuracy(), r.valLoss(),
                r.valAccuracy(), r.imagesPerSecond());
    }

    @Override
    public void onPhaseEnd(Phase phase, double seconds) {
        closeBar();
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
