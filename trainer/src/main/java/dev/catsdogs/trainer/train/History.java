package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Every epoch's metrics, rewritten to {@code history.csv} atomically after each epoch. */
public final class History implements TrainingListener {

    private final Path csv;
    private final List<EpochRecord> records = new ArrayList<>();

    public History(Path csv) {
        this.csv = csv;
    }

    @Override
    public synchronized void onResume(TrainingState state) {
        records.addAll(state.history());
    }

    @Override
    public synchronized void onEpochEnd(EpochRecord record) throws IOException {
        records.add(record);
        AtomicFiles.writeString(csv, toCsv());
    }

    /** The records so far, in epoch order. */
    public synchronized List<EpochRecord> records() {
        return Collections.unmodifiableList(new ArrayList<>(records));
    }

    synchronized String toCsv() {
        StringBuilder out =
                new StringBuilder(
                        "epoch,phase,loss,accuracy,val_loss,val_accuracy,seconds,images_per_second\n");
        for (EpochRecord r : records) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%d,%s,%.6f,%.6f,%.6f,%.6f,%.2f,%.1f%n",
                            r.epoch(),
                            r.phase().key(),
                            r.loss(),
                            r.accuracy(),
                            r.valLoss(),
                            r.valAccuracy(),
                            r.seconds(),
                            r.imagesPerSecond()));
        }
        return out.toString();
    }
}
