package dev.catsdogs.inference;

/**
 * A model that cannot be used: missing file, a file ONNX Runtime cannot load, missing or invalid
 * {@code catsdogs.*} metadata, inputs/outputs that do not match the metadata, or an execution
 * provider this ONNX Runtime build lacks.
 *
 * <p>The message is {@code "<model>: <problem>"}.
 */
public class ModelLoadException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String model;
    private final String problem;

    public ModelLoadException(String model, String problem) {
        this(model, problem, null);
    }

    public ModelLoadException(String model, String problem, Throwable cause) {
        super(model + ": " + problem, cause);
        this.model = model;
        this.problem = problem;
    }

    /** The model file (or name) that was refused. */
    public String model() {
        return model;
    }

    /** What is wrong with it, without the model name. */
    public String problem() {
        return problem;
    }
}
