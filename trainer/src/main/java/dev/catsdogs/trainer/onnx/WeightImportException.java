package dev.catsdogs.trainer.onnx;

import java.io.IOException;

/**
 * A weight file that cannot be read or does not fit the model; the message names the file and the
 * problem.
 */
public class WeightImportException extends IOException {

    private static final long serialVersionUID = 1L;

    public WeightImportException(String message) {
        super(message);
    }

    public WeightImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
