package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The transfer-learning model: the MobileNetV2 base followed by the classifier head, with the
 * freezing rules of the seed (whole base frozen, or unfrozen from a Keras layer index).
 */
public final class TransferNetwork extends AbstractBlock {

    private final MobileNetV2 base;
    private final ClassifierHead head;
    private Precision precision = Precision.FP32;

    public TransferNetwork(MobileNetV2 base, ClassifierHead head) {
        this.base = addChildBlock("mobilenetv2_1.00_" + base.inputSize(), base);
        this.head = addChildBlock("head", head);
    }

    /**
     * Convenience: Keras-padded MobileNetV2 at {@code inputSize} with a head for {@code
     * numClasses}, not initialized.
     */
    public static TransferNetwork create(int inputSize, int numClasses) {
        return new TransferNetwork(
                new MobileNetV2(inputSize, KerasPadding.Style.KERAS),
                new ClassifierHead(numClasses));
    }

    /**
     * The one way to build the network a run trains: MobileNetV2 at {@code size} x {@code size}
     * padded as {@code padding}, a head for {@code classes} with {@code dropout}, initialized on
     * {@code manager} (random head; the base's weights come from an ImageNet file, see {@code
     * MobileNetV2Weights#newTransferNetwork}, or from a run's parameters).
     */
    public static TransferNetwork initialized(
            int size, KerasPadding.Style padding, int classes, float dropout, NDManager manager) {
        TransferNetwork network =
                new TransferNetwork(
                        new MobileNetV2(size, padding), new ClassifierHead(classes, dropout));
        network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
        return network;
    }

    public MobileNetV2 base() {
        return base;
    }

    public ClassifierHead head() {
        return head;
    }

    /** Phase 1 of the seed: the whole base frozen, only the head trains. */
    public void freezeBase() {
        setTrainableFrom(base.layers().size());
    }

    /**
     * Phase 2 of the seed: base layers with Keras index {@code >= fineTuneAt} train, earlier ones
     * are frozen; the head always trains. BatchNorm moving statistics never train. The frozen
     * layers' BatchNorm is folded into their convolutions from the current weights (see {@link
     * MobileNetV2#foldBatchNormBefore}).
     */
    public void setTrainableFrom(int fineTuneAt) {
        int layerCount = base.layers().size();
        if (fineTuneAt < 0 || fineTuneAt > layerCount) {
            throw new IllegalArgumentException(
                    "Received fineTuneAt="
                            + fineTuneAt
                            + "; expected 0.."
                            + layerCount
                            + " (MobileNetV2 has "
                            + layerCount
                            + " layers)");
        }
        for (Layer layer : base.layers()) {
            for (Parameter p : layer.parameters()) {
                if (isLearnable(p)) {
                    p.freeze(layer.index() < fineTuneAt);
                }
            }
        }
        for (Parameter p : head.getParameters().values()) {
            p.freeze(false);
        }
        base.foldBatchNormBefore(fineTuneAt);
    }

    /** Parameters that currently receive gradients, in model order. */
    public List<Parameter> trainableParameters() {
        List<Parameter> trainable = new ArrayList<>();
        for (Parameter p : getParameters().values()) {
            if (p.requiresGradient()) {
                trainable.add(p);
            }
        }
        return trainable;
    }

    /**
     * The type the training forwards ({@link #activationBefore}, {@link #logitsFrom}) compute in;
     * default float32. With a smaller type they cast their input, run the convolutions and the
     * Dense layer on copies of the weights in that type ({@link CastingParameterStore}), and cast
     * their output back to float32: parameters, their gradients, the optimizer and the loss stay
     * float32. {@link #forward} (what the export traces and checks parity against) always runs in
     * float32.
     */
    public void setPrecision(Precision precision) {
        this.precision = Objects.requireNonNull(precision, "precision");
    }

    /** The type the training forwards compute in. */
    public Precision precision() {
        return precision;
    }

    /**
     * The activation the network produces before layer {@code boundary}: images for 0, the output
     * of base layer {@code boundary - 1}, or the pooled features when {@code boundary} is the
     * base's layer count. Computed in {@link #precision()}, returned in float32.
     */
    public NDArray activationBefore(
            ParameterStore ps, NDArray images, int boundary, boolean training) {
        if (!precision.reduced() || boundary == 0) {
            return activationBeforeAsGiven(ps, images, boundary, training);
        }
        return raise(activationBeforeAsGiven(reduced(ps), lower(images), boundary, training));
    }

    /**
     * Logits from the activation before layer {@code boundary} (see {@link #activationBefore}),
     * computed in {@link #precision()}, returned in float32. From the pooled features (the head
     * alone, feature extraction on a cache) they stay float32: one small Dense layer gains nothing
     * from a narrower type, and its casts cost more than it (phase 1's epochs took 4 times as
     * long).
     */
    public NDArray logitsFrom(ParameterStore ps, NDArray x, int boundary, boolean training) {
        if (!precision.reduced() || boundary == base.layers().size()) {
            return logitsFromAsGiven(ps, x, boundary, training);
        }
        return raise(logitsFromAsGiven(reduced(ps), lower(x), boundary, training));
    }

    private NDArray activationBeforeAsGiven(
            ParameterStore ps, NDArray images, int boundary, boolean training) {
        int layerCount = base.layers().size();
        if (boundary == 0) {
            return images;
        }
        NDArray x =
                base.forwardLayers(
                        ps, images, 0, Math.min(boundary, layerCount) - 1, training, precision);
        return boundary == layerCount ? ClassifierHead.globalAveragePool(x) : x;
    }

    private NDArray logitsFromAsGiven(
            ParameterStore ps, NDArray x, int boundary, boolean training) {
        int layerCount = base.layers().size();
        if (boundary == layerCount) {
            return head.logits(ps, x, training);
        }
        NDArray features = base.forwardLayers(ps, x, boundary, layerCount - 1, training, precision);
        return head.forward(ps, new NDList(features), training).head();
    }

    // The weights' reduced-precision copies belong to the caller's (batch) manager.
    private ParameterStore reduced(ParameterStore ps) {
        return new CastingParameterStore(ps.getManager(), precision, base.typeCast());
    }

    private NDArray lower(NDArray x) {
        return base.typeCast().to(x, precision);
    }

    private NDArray raise(NDArray x) {
        return base.typeCast().to(x, Precision.FP32);
    }

    /** Weights, gamma and beta can learn; BatchNorm's moving statistics never do. */
    static boolean isLearnable(Parameter p) {
        return p.getType() != Parameter.Type.RUNNING_MEAN
                && p.getType() != Parameter.Type.RUNNING_VAR;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return head.forward(ps, base.forward(ps, inputs, training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return head.getOutputShapes(base.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        base.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, base.getOutputShapes(inputShapes));
    }
}
