package dev.catsdogs.inference;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ImageClassifier#classifyAll} made of one input: its prediction, or the error that
 * names it. Exactly one of the two is present.
 */
public final class Outcome {

    private final ImageInput input;
    private final Prediction prediction;
    private final InvalidImageException error;

    private Outcome(ImageInput input, Prediction prediction, InvalidImageException error) {
        this.input = Objects.requireNonNull(input, "input");
        this.prediction = prediction;
        this.error = error;
    }

    static Outcome success(ImageInput input, Prediction prediction) {
        return new Outcome(input, Objects.requireNonNull(prediction, "prediction"), null);
    }

    static Outcome failure(ImageInput input, InvalidImageException error) {
        return new Outcome(input, null, Objects.requireNonNull(error, "error"));
    }

    /** The input this outcome is for. */
    public ImageInput input() {
        return input;
    }

    /** Whether the input was classified. */
    public boolean isSuccess() {
        return prediction != null;
    }

    /** The prediction; empty when the input failed. */
    public Optional<Prediction> prediction() {
        return Optional.ofNullable(prediction);
    }

    /** Why the input could not be classified (naming it); empty on success. */
    public Optional<InvalidImageException> error() {
        return Optional.ofNullable(error);
    }

    /**
     * The prediction, or the input's error thrown.
     *
     * @throws InvalidImageException naming the input, when it could not be classified
     */
    public Prediction predictionOrThrow() throws InvalidImageException {
        if (error != null) {
            throw error;
        }
        return prediction;
    }

    @Override
    public String toString() {
        return "Outcome["
                + input.name()
                + ": "
                + (prediction != null ? prediction : "error " + error.problem())
                + "]";
    }
}
