package dev.catsdogs.trainer.train;

import ai.djl.ndarray.NDArray;
import dev.catsdogs.inference.DecisionRule;

/**
 * Loss and accuracy on logits. One logit: binary cross-entropy from logits and a 0.5 threshold (the
 * seed's {@code BinaryCrossentropy(from_logits=True)}); several: softmax cross-entropy and argmax.
 */
public final class Objective {

    /**
     * The sigmoid decision threshold the trainer measures accuracy with and exports into the
     * model's metadata, so served labels follow the same {@link DecisionRule}.
     */
    public static final float THRESHOLD = 0.5f;

    private Objective() {}

    /**
     * Mean loss of a batch.
     *
     * @param logits {@code (N, 1)} or {@code (N, K)}
     * @param labels {@code (N)} class indices as float
     */
    public static NDArray loss(NDArray logits, NDArray labels) {
        return loss(logits, labels, null);
    }

    /**
     * Mean loss of a batch with each image's loss multiplied by its weight (Keras' {@code
     * class_weight}: the sum of weighted losses over the batch size).
     *
     * @param weights {@code (N)} per-image weights, or null for the plain mean
     */
    public static NDArray loss(NDArray logits, NDArray labels, NDArray weights) {
        NDArray perImage;
        if (logits.getShape().get(1) == 1) {
            NDArray x = logits.reshape(-1);
            // Numerically stable: max(x, 0) - x * y + log(1 + exp(-|x|)).
            perImage = x.maximum(0).sub(x.mul(labels)).add(x.abs().neg().exp().add(1f).log());
        } else {
            NDArray logProbabilities = logits.logSoftmax(1);
            NDArray picked =
                    logProbabilities.gather(
                            labels.toType(ai.djl.ndarray.types.DataType.INT64, false)
                                    .reshape(-1, 1),
                            1);
            perImage = picked.neg().reshape(-1);
        }
        return weights == null ? perImage.mean() : perImage.mul(weights).mean();
    }

    /** Each image's predicted class, by the served models' decision rule. */
    public static int[] predictions(NDArray logits) {
        long units = logits.getShape().get(1);
        float[] values = logits.toFloatArray();
        int[] out = new int[values.length / (int) units];
        for (int i = 0; i < out.length; i++) {
            out[i] = DecisionRule.classIndex(values, i * (int) units, (int) units, THRESHOLD);
        }
        return out;
    }

    /** Number of predictions equal to their label. */
    public static long correct(int[] predicted, int[] labels) {
        long n = 0;
        for (int i = 0; i < predicted.length; i++) {
            n += predicted[i] == labels[i] ? 1 : 0;
        }
        return n;
    }
}
