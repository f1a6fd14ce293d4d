package dev.catsdogs.inference;

import java.util.List;

/**
 * Turns one image's logits into a {@link Prediction}: the label by {@link DecisionRule}, the
 * probability as the model's output kind prescribes.
 */
final class LogitDecoder {

    private final ModelMetadata.OutputKind kind;
    private final List<String> classNames;
    private final float threshold;

    LogitDecoder(ModelMetadata metadata) {
        this.kind = metadata.outputKind();
        this.classNames = metadata.classNames();
        this.threshold = metadata.threshold();
    }

    /** Number of logits per image the model must produce. */
    int logitsPerImage() {
        return kind == ModelMetadata.OutputKind.SIGMOID ? 1 : classNames.size();
    }

    Prediction decode(float[] logits) {
        int index = DecisionRule.classIndex(logits, 0, logitsPerImage(), threshold);
        float[] probabilities = Prediction.probabilitiesOf(logits);
        return new Prediction(
                classNames.get(index), probabilities[index], logits, index, classNames);
    }
}
