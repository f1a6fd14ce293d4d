package dev.catsdogs.trainer;

/**
 * A stop was requested (Ctrl-C, SIGTERM): training, an export or a calibration ends at its next
 * batch, having written nothing half-done. A top-level type so that every package can stop on it
 * without depending on the training loop.
 */
public final class TrainingInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingInterruptedException() {
        super("training interrupted");
    }
}
