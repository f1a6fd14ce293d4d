package dev.catsdogs.trainer.train;

import ai.djl.ndarray.NDArray;

/**
 * Loss and accuracy on logits. One logit: binary cross-entropy from logits and a 0.5 threshold
 * (the seed's {@code BinaryCrossentropy(from_logits=True)}); several: softmax cross-entropy and
 * argmax.
 */
public final class Objective {

    private Objective() {}

    /**
     * Mean loss of a batch.
     *
     * @param logits {@code (N, 1)} or {@code (N, K)}
     * @param labels {@code (N)} class indices as float
     */
    public static NDArray loss(NDArray logits, NDArray labels) {
        if (logits.getShape().get(1) == 1) {
            NDArray x = logits.reshape(-1);
            // Numerically stable: max(x, 0) - x * y + log(1 + exp(-|x|)).
            return x.maximum(0).sub(x.mul(labels)).add(x.abs().neg().exp().add(1f).log()).mean();
        }
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray picked = logProbabilities.gather(labels.toType(ai.djl.ndarray.types.DataType.INT64, false)
                .reshape(-1, 1), 1);
        return picked.neg().mean();
    }

    /** Number of correct predictions in a batch. */
    public static long correct(NDArray logits, NDArray labels) {
        NDArray predicted = logits.getShape().get(1) == 1
                ? logits.reshape(-1).gte(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                : logits.argMax(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        return predicted.eq(labels).sum().getLong();
    }
}
