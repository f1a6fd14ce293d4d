package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SkippedFile;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses to train on data that cannot teach the model: once every training and validation image
 * has been decoded (when the caches are built, or after the first epoch without caching), each
 * class must have at least one usable image in both splits. Warns when decoding removed more than
 * {@value #WARN_FRACTION} of a class. Without it, all-unreadable data trains to a NaN loss, and a
 * class that is all unreadable trains a one-class model, both "completed".
 */
public final class DataCheck implements TrainingListener {

    /** Above this fraction of a class skipped, the run says so. */
    static final double WARN_FRACTION = 0.10;

    private final PrintStream out;
    private TrainingContext context;
    private boolean checked;

    /**
     * @param out where warnings go
     */
    public DataCheck(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onTrainingBegin(TrainingContext context) {
        this.context = context;
    }

    @Override
    public void onCacheBuilt(
            String split, int boundary, int images, double seconds, String location) {
        if (split.equals("validation")) { // the train cache is built first
            check();
        }
    }

    @Override
    public void onEpochEnd(EpochRecord record) {
        check();
    }

    private void check() {
        if (checked) {
            return;
        }
        checked = true;
        checkSplit("training", context.dataset().train(), context.train());
        checkSplit("validation", context.dataset().validation(), context.validation());
    }

    private void checkSplit(String split, List<Sample> samples, BatchLoader loader) {
        List<String> classes = context.dataset().classNames();
        Set<Path> skipped =
                loader.skipped().stream().map(SkippedFile::path).collect(Collectors.toSet());
        int[] total = new int[classes.size()];
        int[] unusable = new int[classes.size()];
        Map<Integer, SkippedFile> firstSkip = new HashMap<>();
        for (Sample s : samples) {
            total[s.label()]++;
            if (skipped.contains(s.file())) {
                unusable[s.label()]++;
            }
        }
        for (SkippedFile f : loader.skipped()) {
            for (Sample s : samples) {
                if (s.file().equals(f.path())) {
                    firstSkip.putIfAbsent(s.label(), f);
                    break;
                }
            }
        }
        for (int k = 0; k < classes.size(); k++) {
            if (total[k] - unusable[k] == 0) {
                SkippedFile example = firstSkip.get(k);
                throw new TrainingDataException(
                        String.format(
                                Locale.ROOT,
                                "class '%s' has no usable %s image: %s%s",
                                classes.get(k),
                                split,
                                total[k] == 0
                                        ? "its folder holds none"
                                        : "all " + total[k] + " could not be decoded",
                                example == null
                                        ? ""
                                        : " (e.g. "
                                                + example.path()
                                                + ": "
                                                + example.reason()
                                                + ")"));
            }
            if (unusable[k] > WARN_FRACTION * total[k]) {
                out.printf(
                        Locale.ROOT,
                        "warning: %d of %d '%s' %s images (%.0f%%) could not be decoded and are"
                                + " left out; report.json lists them under data.skipped%n",
                        unusable[k],
                        total[k],
                        classes.get(k),
                        split,
                        100.0 * unusable[k] / total[k]);
            }
        }
    }

    /** The data cannot train the model; the message says which class and split, and why. */
    public static final class TrainingDataException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TrainingDataException(String message) {
            super(message);
        }
    }
}
