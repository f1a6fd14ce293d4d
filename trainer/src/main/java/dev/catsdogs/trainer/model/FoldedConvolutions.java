package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Copies of the frozen convolutions with the BatchNorm that follows each folded in: {@code conv(x,
 * W * s) + (beta - mean * s)} with {@code s = gamma / sqrt(var + eps)} per output channel, which is
 * the convolution followed by BatchNorm in inference mode, up to float rounding. One kernel instead
 * of two, and the way inference engines run the network.
 *
 * <p>Only pairs whose convolution and BatchNorm are both frozen are folded: their weights cannot
 * change while the copy is in use, so it never goes stale during training. Trainable layers keep
 * their BatchNorm (its gamma and beta train). The copy is taken from the weights at the time it is
 * made, so it is made again whenever the frozen set changes ({@link
 * TransferNetwork#setTrainableFrom}).
 *
 * <p>A forward in a smaller type ({@link Precision}) gets copies of the folded weights and bias in
 * that type, made on first use and kept: the frozen weights they come from cannot change.
 *
 * <p>The folded arrays and their copies belong to a sub-manager this object owns and frees on
 * {@link #close}.
 */
final class FoldedConvolutions implements AutoCloseable {

    private static final FoldedConvolutions NONE = new FoldedConvolutions(null, new Folded[0]);

    /** A folded convolution: the original block's geometry with new weight and bias. */
    private record Folded(Convolution conv, NDArray weight, NDArray bias) {}

    private final NDManager manager;
    // Indexed by the convolution's Keras layer index; null where nothing is folded.
    private final Folded[] byLayer;
    // The same in a smaller type, per type; filled on first use.
    private final Map<Precision, Folded[]> copies = new EnumMap<>(Precision.class);

    private FoldedConvolutions(NDManager manager, Folded[] byLayer) {
        this.manager = manager;
        this.byLayer = byLayer;
    }

    /** Nothing folded: every layer runs as built. */
    static FoldedConvolutions none() {
        return NONE;
    }

    /**
     * Folds every convolution of {@code layers} that is directly followed by a BatchNorm, when both
     * have an index below {@code end} (the frozen layers).
     *
     * @param parent the folded arrays go into a new sub-manager of it (and onto its device)
     * @param epsilon the BatchNorm epsilon
     * @param layout puts a folded weight into the memory layout the activations use
     */
    static FoldedConvolutions of(
            List<Layer> layers,
            int end,
            NDManager parent,
            float epsilon,
            UnaryOperator<NDArray> layout) {
        Folded[] byLayer = new Folded[layers.size()];
        NDManager manager = parent.newSubManager();
        boolean any = false;
        for (int i = 0; i + 1 < Math.min(end, layers.size()); i++) {
            Layer conv = layers.get(i);
            Layer bn = layers.get(i + 1);
            boolean convolution =
                    conv.kind() == LayerKind.CONV || conv.kind() == LayerKind.DEPTHWISE_CONV;
            if (convolution && bn.kind() == LayerKind.BATCH_NORM) {
                byLayer[i] = fold(conv, bn, manager, epsilon, layout);
                any = true;
            }
        }
        if (!any) {
            manager.close();
            return NONE;
        }
        return new FoldedConvolutions(manager, byLayer);
    }

    private static Folded fold(
            Layer convLayer,
            Layer bnLayer,
            NDManager manager,
            float epsilon,
            UnaryOperator<NDArray> layout) {
        Convolution conv = (Convolution) convLayer.block();
        if (conv.isIncludeBias()) {
            throw new IllegalStateException(
                    convLayer.name()
                            + " has a bias; folding expects MobileNetV2's bias-free convs");
        }
        NDArray weightArray = parameter(convLayer, Parameter.Type.WEIGHT);
        Shape shape = weightArray.getShape();
        float[] weight = weightArray.toFloatArray();
        float[] gamma = parameter(bnLayer, Parameter.Type.GAMMA).toFloatArray();
        float[] beta = parameter(bnLayer, Parameter.Type.BETA).toFloatArray();
        float[] mean = parameter(bnLayer, Parameter.Type.RUNNING_MEAN).toFloatArray();
        float[] var = parameter(bnLayer, Parameter.Type.RUNNING_VAR).toFloatArray();
        int outChannels = Math.toIntExact(shape.get(0));
        int perChannel = weight.length / outChannels;
        float[] bias = new float[outChannels];
        // In double, rounded once: as close to the unfolded pair as float allows.
        for (int c = 0; c < outChannels; c++) {
            double scale = gamma[c] / Math.sqrt((double) var[c] + epsilon);
            for (int k = c * perChannel; k < (c + 1) * perChannel; k++) {
                weight[k] = (float) (weight[k] * scale);
            }
            bias[c] = (float) (beta[c] - mean[c] * scale);
        }
        // The created array stays open until the manager closes: the laid-out one may be a second
        // handle to the same tensor (1x1 and depthwise weights already are channels-last), whose
        // memory DJL frees when the first handle closes.
        NDArray laidOut = layout.apply(manager.create(weight, shape));
        return new Folded(conv, laidOut, manager.create(bias));
    }

    private static NDArray parameter(Layer layer, Parameter.Type type) {
        for (Parameter p : layer.parameters()) {
            if (p.getType() == type) {
                return p.getArray();
            }
        }
        throw new IllegalStateException(layer.name() + " has no " + type + " parameter");
    }

    /** Whether the convolution at {@code layer} runs folded with the BatchNorm at layer + 1. */
    boolean folds(int layer) {
        return layer < byLayer.length && byLayer[layer] != null;
    }

    /**
     * The folded convolution at {@code layer}: its output is that of the BatchNorm after it.
     *
     * @param x the input, in {@code precision}'s type
     * @param cast makes the weights' copies in a reduced type
     */
    NDArray forward(int layer, NDArray x, Precision precision, TypeCast cast) {
        Folded f = byLayer[layer];
        if (f == null) {
            throw new IllegalArgumentException("Layer " + layer + " is not folded");
        }
        if (precision.reduced()) {
            f = inType(layer, precision, cast);
        }
        Convolution conv = f.conv();
        return Conv2d.conv2d(
                        x,
                        f.weight(),
                        f.bias(),
                        conv.getStride(),
                        conv.getPadding(),
                        conv.getDilation(),
                        conv.getGroups())
                .head();
    }

    private Folded inType(int layer, Precision precision, TypeCast cast) {
        Folded[] typed = copies.computeIfAbsent(precision, p -> new Folded[byLayer.length]);
        if (typed[layer] == null) {
            Folded f = byLayer[layer];
            // The cast keeps the memory layout; the copies join the folded arrays' manager.
            typed[layer] =
                    new Folded(
                            f.conv(), cast.to(f.weight(), precision), cast.to(f.bias(), precision));
        }
        return typed[layer];
    }

    /** Number of folded convolution + BatchNorm pairs. */
    int count() {
        int n = 0;
        for (Folded f : byLayer) {
            n += f == null ? 0 : 1;
        }
        return n;
    }

    /** Frees the folded arrays; idempotent. */
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
