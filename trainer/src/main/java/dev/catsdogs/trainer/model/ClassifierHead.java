package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * The seed's head: GlobalAveragePooling2D, then Dense giving logits. Two classes get one logit
 * (sigmoid, binary cross-entropy), as in the tutorial; more classes get one logit each (softmax).
 *
 * <p>With a dropout rate (the current tutorial's {@code Dropout(0.2)}), the pooled features are
 * dropped before the Dense layer in training only, as Keras does: each kept feature is scaled by
 * {@code 1 / (1 - rate)}, so evaluation and the exported model use the Dense layer alone. The mask
 * comes from the engine's random generator, which the run seeds.
 */
public final class ClassifierHead extends AbstractBlock {

    private final Linear dense;
    private final int units;
    private final float dropout;

    /**
     * The seed's head, without dropout.
     *
     * @param numClasses number of classes (2 or more)
     */
    public ClassifierHead(int numClasses) {
        this(numClasses, 0f);
    }

    /**
     * @param numClasses number of classes (2 or more)
     * @param dropout fraction of the pooled features dropped in training, {@code 0 <= dropout < 1}
     */
    public ClassifierHead(int numClasses, float dropout) {
        if (numClasses < 2) {
            throw new IllegalArgumentException(
                    "Received numClasses=" + numClasses + "; need at least 2");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(
                    "Received dropout=" + dropout + "; expected 0 <= dropout < 1");
        }
        this.dropout = dropout;
        units = numClasses == 2 ? 1 : numClasses;
        dense = addChildBlock("dense", Linear.builder().setUnits(units).build());
        // Keras' Dense default, glorot_uniform: U(+-sqrt(6 / (fan_in + fan_out))); bias starts at
        // 0.
        dense.setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3),
                Parameter.Type.WEIGHT);
    }

    /** Number of logits: 1 for two classes, else the number of classes. */
    public int units() {
        return units;
    }

    /** The Dense layer. */
    public Linear dense() {
        return dense;
    }

    /** Fraction of the pooled features dropped in training (0: no dropout). */
    public float dropout() {
        return dropout;
    }

    /** Logits from pooled features {@code (N, C)}: dropout (in training only), then Dense. */
    public NDArray logits(ParameterStore ps, NDArray pooled, boolean training) {
        NDArray x =
                training && dropout > 0
                        ? Dropout.dropout(pooled, dropout, true).singletonOrThrow()
                        : pooled;
        return dense.forward(ps, new NDList(x), training).head();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(logits(ps, globalAveragePool(inputs.singletonOrThrow()), training));
    }

    /** GlobalAveragePooling2D: NCHW {@code (N, C, H, W)} to {@code (N, C)}. */
    public static NDArray globalAveragePool(NDArray x) {
        // One flat axis: the PyTorch engine reduces a single axis per mean().
        return x.reshape(new Shape(x.getShape().get(0), x.getShape().get(1), -1))
                .mean(new int[] {2});
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), units)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        dense.initialize(
                manager, dataType, new Shape(inputShapes[0].get(0), inputShapes[0].get(1)));
    }
}
