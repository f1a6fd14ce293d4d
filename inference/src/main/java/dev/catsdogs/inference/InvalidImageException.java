package dev.catsdogs.inference;

/**
 * An input that is not a usable image: missing, unreadable or not a regular file, too large, empty,
 * truncated, corrupt, not JPEG/PNG/BMP, over the pixel limit or OpenCV's size limits, an
 * unsupported in-memory image type, or anything else that failed while preprocessing it (the cause
 * is then attached).
 *
 * <p>The message is {@code "<input>: <problem>"}, where the input is the file path, the name the
 * caller gave to encoded bytes, or a placeholder such as {@code "<Mat>"}.
 */
public class InvalidImageException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String input;
    private final String problem;

    public InvalidImageException(String input, String problem) {
        this(input, problem, null);
    }

    public InvalidImageException(String input, String problem, Throwable cause) {
        super(input + ": " + problem, cause);
        this.input = input;
        this.problem = problem;
    }

    /** The file path, caller-given name or placeholder of the rejected input. */
    public String input() {
        return input;
    }

    /** What is wrong with it, without the input name. */
    public String problem() {
        return problem;
    }
}
