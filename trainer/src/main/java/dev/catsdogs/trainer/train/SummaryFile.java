package dev.catsdogs.trainer.train;

import com.google.gson.JsonObject;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.trainer.model.ModelSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** {@code summary.txt} of a completed run: the layer table and the results of each stage. */
public final class SummaryFile implements TrainingListener {

    // The report's stage sections, in the order the run reaches them.
    private static final String[] SECTIONS = {
        TrainingListener.Stage.INITIAL.key(),
        Phase.FEATURE_EXTRACTION.key(),
        Phase.FINE_TUNING.key(),
        TrainingListener.Stage.TEST.key()
    };

    private final Path file;
    private final RunReport report;
    private TrainingContext context;

    /**
     * @param report the run's report, whose stage sections the results table shows
     */
    public SummaryFile(Path file, RunReport report) {
        this.file = file;
        this.report = report;
    }

    @Override
    public void onTrainingBegin(TrainingContext context) {
        this.context = context;
    }

    @Override
    public void onTrainingEnd(TrainingOutcome outcome) throws IOException {
        if (outcome.status() == TrainingOutcome.Status.COMPLETED) {
            AtomicFiles.writeString(
                    file, ModelSummary.render(context.network()) + "\n" + resultsTable());
        }
    }

    private String resultsTable() {
        JsonObject r = report.snapshot();
        StringBuilder s = new StringBuilder("Results\n");
        for (String section : SECTIONS) {
            if (r.has(section)) {
                s.append(String.format(Locale.ROOT, "%-20s %s%n", section, r.get(section)));
            }
        }
        return s.toString();
    }
}
