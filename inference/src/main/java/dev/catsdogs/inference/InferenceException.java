package dev.catsdogs.inference;

/**
 * ONNX Runtime failed while running a model that loaded and validated fine (for example out of
 * memory). Unchecked: it signals an environment problem, not a bad input or a misuse.
 */
public class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
