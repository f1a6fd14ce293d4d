package dev.catsdogs.inference;

import java.util.List;

/** Turns one image's logits into a {@link Prediction} as the model's output kind prescribes. */
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
        return kind == ModelMetadata.OutputKind.SIGMOID ? sigmoid(logits) : softmax(logits);
    }

    private Prediction sigmoid(float[] logits) {
        float p = (float) (1.0 / (1.0 + Math.exp(-logits[0])));
        int index = p >= threshold ? 1 : 0;
        return new Prediction(classNames.get(index), index == 1 ? p : 1f - p, logits, index);
    }

    private Prediction softmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        double sum = 0; // subtract the max so exp() cannot overflow
        for (float logit : logits) {
            sum += Math.exp(logit - logits[best]);
        }
        return new Prediction(classNames.get(best), (float) (1.0 / sum), logits, best);
    }
}
