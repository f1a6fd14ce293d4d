package dev.catsdogs.spark;

/**
 * An input or output of {@code score} that cannot be used as given: missing, overlapping, or an
 * output that {@code --overwrite} may not replace. Thrown before any image is read and before
 * anything is written; the message is one line naming the path and the problem, and the CLI exits 2
 * with it.
 */
public final class ScoreArgumentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ScoreArgumentException(String message) {
        super(message);
    }
}
