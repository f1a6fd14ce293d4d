package dev.catsdogs.trainer.train;

import java.util.Locale;

/**
 * How training ended.
 *
 * @param status completed, interrupted or failed
 * @param error what went wrong, or null
 * @param seconds wall time from the start of training
 */
public record TrainingOutcome(Status status, String error, double seconds) {

    /** The end states, as report.json's {@code status} names them. */
    public enum Status {
        COMPLETED,
        INTERRUPTED,
        FAILED;

        /** The lower-case name written to report.json. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
