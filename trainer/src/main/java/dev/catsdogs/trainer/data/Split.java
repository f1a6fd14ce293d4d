package dev.catsdogs.trainer.data;

/** The three parts of a dataset, with the folder names of the split layout. */
public enum Split {
    /** Fitted on; {@code train/}. */
    TRAIN("train"),
    /** Monitored during training; {@code validation/}. */
    VALIDATION("validation"),
    /** Held out for the final evaluation; {@code test/} (optional in the split layout). */
    TEST("test");

    private final String dirName;

    Split(String dirName) {
        this.dirName = dirName;
    }

    /** The folder name of this split in the split layout. */
    public String dirName() {
        return dirName;
    }
}
