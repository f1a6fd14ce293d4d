package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * MobileNetV2 (width 1.0) without its classifier, laid out exactly as Keras' {@code
 * applications/mobilenet_v2.py} with {@code include_top=False}: same layer names, same layer
 * indices (TF 2.0 list, {@code Conv1_pad} included), so "fine-tune from layer 100" means what it
 * means in Keras.
 *
 * <p>Input NCHW float32 scaled to [-1, 1]; output NCHW {@code (N, 1280, H/32, W/32)}.
 *
 * <p>Every BatchNormalization runs in inference mode, always (moving statistics used, never
 * updated): frozen layers must not drift, and the current Keras advice for fine-tuning is to keep
 * BatchNorm in inference mode for trainable layers too. Gamma and beta still receive gradients when
 * their layer is trainable.
 *
 * <p>Frozen convolutions run with their BatchNorm folded in (see {@link FoldedConvolutions} and
 * {@link #foldBatchNormBefore}): the same function in one kernel instead of two. On the CPU the
 * activations are laid out channels-last in memory (see {@link ChannelsLast}); shapes stay NCHW.
 */
public final class MobileNetV2 extends AbstractBlock {

    /** Keras' BatchNormalization epsilon in MobileNetV2. */
    public static final float BN_EPSILON = 1e-3f;

    private static final int LAST_CHANNELS = 1280;

    private final KerasPadding.Style paddingStyle;
    private final int inputSize;
    private final List<Layer> layers = new ArrayList<>();
    private int height;
    private int width;
    private int channels;
    private FusedRelu6 fusedRelu6;
    private ChannelsLast channelsLast;
    private TypeCast typeCast;
    private NDManager manager; // the one the parameters were initialized in
    private FoldedConvolutions folded = FoldedConvolutions.none();

    /**
     * Builds the architecture for a square input.
     *
     * @param inputSize input height and width (160 for this product, 224 for the ImageNet check)
     * @param paddingStyle how stride-2 convolutions are padded (Keras for the shipped weights)
     */
    public MobileNetV2(int inputSize, KerasPadding.Style paddingStyle) {
        if (inputSize < 32) {
            throw new IllegalArgumentException(
                    "Received inputSize=" + inputSize + "; MobileNetV2 needs >= 32");
        }
        this.inputSize = inputSize;
        this.paddingStyle = paddingStyle;
        height = inputSize;
        width = inputSize;
        channels = 3;
        add("input_1", LayerKind.INPUT, null);

        // Stem.
        zeroPad("Conv1_pad", 3);
        conv("Conv1", 32, 3, 2);
        batchNorm("bn_Conv1");
        relu6("Conv1_relu");

        invertedResidual(16, 1, 1, 0);

        invertedResidual(24, 2, 6, 1);
        invertedResidual(24, 1, 6, 2);

        invertedResidual(32, 2, 6, 3);
        invertedResidual(32, 1, 6, 4);
        invertedResidual(32, 1, 6, 5);

        invertedResidual(64, 2, 6, 6);
        invertedResidual(64, 1, 6, 7);
        invertedResidual(64, 1, 6, 8);
        invertedResidual(64, 1, 6, 9);

        invertedResidual(96, 1, 6, 10);
        invertedResidual(96, 1, 6, 11);
        invertedResidual(96, 1, 6, 12);

        invertedResidual(160, 2, 6, 13);
        invertedResidual(160, 1, 6, 14);
        invertedResidual(160, 1, 6, 15);

        invertedResidual(320, 1, 6, 16);

        // Top convolution (the classifier itself is not part of the base).
        conv("Conv_1", LAST_CHANNELS, 1, 1);
        batchNorm("Conv_1_bn");
        relu6("out_relu");
    }

    /** One inverted residual block: expand (1x1), depthwise (3x3), project (1x1), optional add. */
    private void invertedResidual(int filters, int stride, int expansion, int blockId) {
        int blockInput = layers.size() - 1;
        int inChannels = channels;
        String prefix = blockId == 0 ? "expanded_conv_" : "block_" + blockId + "_";

        // Expand (block 0 has none).
        if (blockId > 0) {
            conv(prefix + "expand", expansion * inChannels, 1, 1);
            batchNorm(prefix + "expand_BN");
            relu6(prefix + "expand_relu");
        }

        // Depthwise.
        if (stride == 2) {
            zeroPad(prefix + "pad", 3);
        }
        depthwise(prefix + "depthwise", stride);
        batchNorm(prefix + "depthwise_BN");
        relu6(prefix + "depthwise_relu");

        // Project (linear bottleneck: no activation).
        conv(prefix + "project", filters, 1, 1);
        batchNorm(prefix + "project_BN");

        if (stride == 1 && inChannels == filters) {
            add(prefix + "add", LayerKind.ADD, null, null, blockInput);
        }
    }

    private void zeroPad(String name, int kernel) {
        int[] rows = KerasPadding.correctPad(paddingStyle, height, kernel);
        int[] cols = KerasPadding.correctPad(paddingStyle, width, kernel);
        height += rows[0] + rows[1];
        width += cols[0] + cols[1];
        add(
                name,
                LayerKind.ZERO_PADDING,
                null,
                new Padding(rows[0], rows[1], cols[0], cols[1]),
                -1);
    }

    private void conv(String name, int filters, int kernel, int stride) {
        Layer previous = layers.get(layers.size() - 1);
        // After an explicit ZeroPadding2D the conv is "valid"; otherwise "same" (odd kernels,
        // stride 1).
        int padding = previous.kind() == LayerKind.ZERO_PADDING ? 0 : kernel / 2;
        Conv2d block =
                Conv2d.builder()
                        .setKernelShape(new Shape(kernel, kernel))
                        .optStride(new Shape(stride, stride))
                        .optPadding(new Shape(padding, padding))
                        .setFilters(filters)
                        .optBias(false)
                        .build();
        height = KerasPadding.convOutputSize(height + 2 * padding, kernel, stride);
        width = KerasPadding.convOutputSize(width + 2 * padding, kernel, stride);
        channels = filters;
        add(name, LayerKind.CONV, block);
    }

    private void depthwise(String name, int stride) {
        Layer previous = layers.get(layers.size() - 1);
        int padding = previous.kind() == LayerKind.ZERO_PADDING ? 0 : 1;
        Conv2d block =
                Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optStride(new Shape(stride, stride))
                        .optPadding(new Shape(padding, padding))
                        .setFilters(channels)
                        .optGroups(channels)
                        .optBias(false)
                        .build();
        height = KerasPadding.convOutputSize(height + 2 * padding, 3, stride);
        width = KerasPadding.convOutputSize(width + 2 * padding, 3, stride);
        add(name, LayerKind.DEPTHWISE_CONV, block);
    }

    private void batchNorm(String name) {
        BatchNorm block = BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(0.999f).build();
        add(name, LayerKind.BATCH_NORM, block);
    }

    private void relu6(String name) {
        add(name, LayerKind.RELU6, null);
    }

    private void add(String name, LayerKind kind, Block block) {
        add(name, kind, block, null, -1);
    }

    private void add(String name, LayerKind kind, Block block, Padding pad, int residualFrom) {
        if (block != null) {
            addChildBlock(name, block);
        }
        layers.add(
                new Layer(
                        layers.size(),
                        name,
                        kind,
                        height,
                        width,
                        channels,
                        block,
                        pad,
                        residualFrom));
    }

    /** The Keras layer list, index = Keras index. */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** The layer with the given Keras name. */
    public Layer layer(String name) {
        for (Layer layer : layers) {
            if (layer.name().equals(name)) {
                return layer;
            }
        }
        throw new IllegalArgumentException(
                "Received layer name '" + name + "'; MobileNetV2 has no such layer");
    }

    /** Input height and width this instance was built for. */
    public int inputSize() {
        return inputSize;
    }

    /** Padding style of the stride-2 convolutions. */
    public KerasPadding.Style paddingStyle() {
        return paddingStyle;
    }

    /** Number of output channels (1280). */
    public int outputChannels() {
        return LAST_CHANNELS;
    }

    /**
     * The largest index {@code b <= layer} where the network can be cut: running layers {@code b..}
     * needs only the output of layer {@code b - 1} (no residual reaches further back). The trainer
     * caches that activation for the frozen layers below {@code layer}.
     */
    public int cutPointAtOrBefore(int layer) {
        for (int b = Math.min(layer, layers.size()); b > 0; b--) {
            boolean cut = true;
            for (Layer l : layers.subList(b, layers.size())) {
                if (l.kind() == LayerKind.ADD && l.residualFrom() < b - 1) {
                    cut = false;
                    break;
                }
            }
            if (cut) {
                return b;
            }
        }
        return 0;
    }

    /**
     * From now on, every convolution + BatchNorm pair with both layers below {@code end} runs as
     * one convolution with the BatchNorm folded into its weights and bias, taken from the weights
     * as they are now; pairs at or above {@code end} run as built. {@code 0} folds nothing. The
     * previous fold is freed. Call it again after loading weights into folded layers; {@link
     * TransferNetwork#setTrainableFrom} calls it with the first trainable layer, so only frozen
     * layers (whose weights cannot change) are folded.
     *
     * @return the number of pairs folded
     * @throws IllegalStateException when the network is not initialized
     */
    public int foldBatchNormBefore(int end) {
        if (manager == null) {
            throw new IllegalStateException(
                    "MobileNetV2 must be initialized before its BatchNorm can be folded");
        }
        FoldedConvolutions next =
                end <= 0
                        ? FoldedConvolutions.none()
                        : FoldedConvolutions.of(
                                layers, end, manager, BN_EPSILON, channelsLast::apply);
        folded.close();
        folded = next;
        return folded.count();
    }

    /**
     * Runs layers {@code from} to {@code to} (inclusive) on {@code x}, the output of layer {@code
     * from - 1}. Residual additions that reach back before {@code from} are not supported, so
     * {@code from} must be a block boundary (any index the trainer uses as a cache boundary is).
     * Folded convolutions (see {@link #foldBatchNormBefore}) also produce their BatchNorm's output
     * when the BatchNorm is in range.
     */
    public NDArray forwardLayers(ParameterStore ps, NDArray x, int from, int to, boolean training) {
        return forwardLayers(ps, x, from, to, training, Precision.FP32);
    }

    /**
     * {@link #forwardLayers(ParameterStore, NDArray, int, int, boolean)} in a given type: {@code x}
     * is in {@code precision}'s type, and so are the weights {@code ps} hands out; folded
     * convolutions use copies of their weights in that type.
     */
    NDArray forwardLayers(
            ParameterStore ps, NDArray x, int from, int to, boolean training, Precision precision) {
        NDArray[] kept = new NDArray[layers.size()];
        NDArray input = channelsLast.apply(x);
        NDArray current = input;
        if (from > 0) {
            kept[from - 1] = current;
        }
        for (int i = Math.max(from, 1); i <= to; i++) {
            if (i < to && folded.folds(i)) {
                // The convolution and the BatchNorm after it, as one.
                current = folded.forward(i, current, precision, typeCast);
                kept[++i] = current;
                continue;
            }
            Layer layer = layers.get(i);
            if (layer.kind() == LayerKind.RELU6
                    && i < to
                    && layers.get(i + 1).kind() == LayerKind.ZERO_PADDING) {
                // A stride-2 block's activation, then its padding: one pass where possible.
                current = fusedRelu6.applyThenPad(current, training, layers.get(i + 1).pad());
                kept[++i] = current;
                continue;
            }
            // The caller's input is never overwritten; a ReLU6's input is read by nothing else.
            boolean intermediate = current != input;
            current =
                    switch (layer.kind()) {
                        case INPUT -> current;
                        case ZERO_PADDING -> pad(current, layer.pad());
                        case CONV, DEPTHWISE_CONV ->
                                layer.block().forward(ps, new NDList(current), training).head();
                        // Always inference mode: see the class comment.
                        case BATCH_NORM ->
                                layer.block().forward(ps, new NDList(current), false).head();
                        case RELU6 -> fusedRelu6.apply(current, training, intermediate);
                        case ADD -> {
                            NDArray skip = kept[layer.residualFrom()];
                            if (skip == null) {
                                throw new IllegalArgumentException(
                                        "Layer "
                                                + layer.name()
                                                + " adds the output of layer "
                                                + layer.residualFrom()
                                                + ", which is before the start layer "
                                                + from);
                            }
                            yield current.add(skip);
                        }
                    };
            kept[i] = current;
        }
        return current;
    }

    /** Casts a gradient flows through, loaded into the parameters' manager. */
    TypeCast typeCast() {
        return typeCast;
    }

    private static NDArray pad(NDArray x, Padding pad) {
        return x.pad(pad.toDjl(), 0);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(
                forwardLayers(ps, inputs.singletonOrThrow(), 0, layers.size() - 1, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        Layer last = layers.get(layers.size() - 1);
        return new Shape[] {new Shape(batch, last.channels(), last.height(), last.width())};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        this.manager = manager;
        fusedRelu6 = FusedRelu6.load(manager);
        channelsLast = ChannelsLast.load(manager);
        typeCast = new TypeCast(manager);
        Layer previous = layers.get(0);
        for (Layer layer : layers) {
            if (layer.block() != null) {
                Shape in =
                        new Shape(batch, previous.channels(), previous.height(), previous.width());
                layer.block().initialize(manager, dataType, in);
            }
            previous = layer;
        }
    }
}
