package dev.catsdogs.trainer.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.catsdogs.trainer.model.KerasPadding;
import dev.catsdogs.trainer.model.Layer;
import dev.catsdogs.trainer.model.LayerKind;
import dev.catsdogs.trainer.model.MobileNetV2;
import dev.catsdogs.trainer.model.Padding;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ImageNet weights of a MobileNetV2 read from an ONNX file, ready to load into {@link MobileNetV2}.
 *
 * <p>Accepts the shipped Keras export (BatchNorm folded into conv biases, int8 QDQ weights, Keras
 * padding, cross-layer-equalized depthwise activations) and plain float32 exports with separate
 * BatchNormalization nodes and symmetric (torchvision) padding. Convolutions are matched to the
 * Keras layers by graph order and checked by shape; the first layer that does not fit is named.
 */
public final class MobileNetV2Weights {

    /** The shipped ImageNet backbone, relative to the repository root: the default weights. */
    public static final String SHIPPED_FILE = "models/mobilenet_v2_1.0_224_int8_per_tensor.onnx";

    /** One convolution of the file, with the BatchNorm that follows it, in the DJL layout. */
    private static final class ConvWeights {
        final String onnxName;
        final long[] shape;
        final long[] strides;
        final long group;
        final float[] weight;
        final float[] gamma;
        final float[] beta;
        final float[] mean;
        final float[] variance;
        final boolean hasBatchNorm;

        /** Per-channel ceiling c_k of a {@code Relu -> Min(c) -> Relu} activation, or null. */
        final float[] clipCeiling;

        ConvWeights(
                String onnxName,
                long[] shape,
                long[] strides,
                long group,
                float[] weight,
                float[] gamma,
                float[] beta,
                float[] mean,
                float[] variance,
                boolean hasBatchNorm,
                float[] clipCeiling) {
            this.onnxName = onnxName;
            this.shape = shape;
            this.strides = strides;
            this.group = group;
            this.weight = weight;
            this.gamma = gamma;
            this.beta = beta;
            this.mean = mean;
            this.variance = variance;
            this.hasBatchNorm = hasBatchNorm;
            this.clipCeiling = clipCeiling;
        }

        /** A deep copy, so that folding never changes what was read. */
        ConvWeights copy() {
            return new ConvWeights(
                    onnxName,
                    shape,
                    strides,
                    group,
                    weight.clone(),
                    gamma.clone(),
                    beta.clone(),
                    mean.clone(),
                    variance.clone(),
                    hasBatchNorm,
                    clipCeiling);
        }
    }

    private final Path file;
    private final List<ConvWeights> convs;
    private final KerasPadding.Style paddingStyle;
    private final float[] classifierWeight;
    private final float[] classifierBias;

    private MobileNetV2Weights(
            Path file,
            List<ConvWeights> convs,
            KerasPadding.Style paddingStyle,
            float[] classifierWeight,
            float[] classifierBias) {
        this.file = file;
        this.convs = convs;
        this.paddingStyle = paddingStyle;
        this.classifierWeight = classifierWeight;
        this.classifierBias = classifierBias;
    }

    /**
     * Reads the weights of an ONNX MobileNetV2.
     *
     * @param file the .onnx file
     * @return the weights, not yet matched to a model
     * @throws WeightImportException if the file is missing, not ONNX, or not a MobileNetV2
     */
    public static MobileNetV2Weights read(Path file) throws WeightImportException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WeightImportException(file + ": weight file not found");
        } catch (IOException e) {
            throw new WeightImportException(
                    file + ": cannot read weight file: " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new WeightImportException(file + ": weight file is empty (0 bytes)");
        }
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new WeightImportException(
                    file
                            + ": not a valid ONNX model (truncated or corrupt: "
                            + e.getMessage()
                            + ")",
                    e);
        }
        if (model.getGraph().getNodeCount() == 0) {
            throw new WeightImportException(file + ": not an ONNX model (no graph nodes found)");
        }
        try {
            return parse(file, new OnnxGraph(model.getGraph()));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new WeightImportException(file + ": " + e.getMessage(), e);
        }
    }

    private static MobileNetV2Weights parse(Path file, OnnxGraph graph)
            throws WeightImportException {
        // A Conv that writes a graph output is a head on the features (our exports' class
        // activation maps), not a layer of the backbone.
        List<OnnxMl.NodeProto> convNodes =
                graph.nodes("Conv").stream()
                        .filter(conv -> !graph.isGraphOutput(conv.getOutput(0)))
                        .toList();
        if (convNodes.isEmpty()) {
            throw new WeightImportException(
                    file + ": not a MobileNetV2 (the graph has no Conv nodes)");
        }
        List<ConvWeights> convs = new ArrayList<>();
        for (OnnxMl.NodeProto conv : convNodes) {
            convs.add(readConv(graph, conv));
        }
        KerasPadding.Style style = paddingStyle(graph, convNodes.get(0));
        float[][] classifier = readClassifier(graph);
        return new MobileNetV2Weights(file, convs, style, classifier[0], classifier[1]);
    }

    private static ConvWeights readConv(OnnxGraph graph, OnnxMl.NodeProto conv) {
        String name = conv.getName().isEmpty() ? conv.getOutput(0) : conv.getName();
        if (!graph.isConstant(conv.getInput(1))) {
            throw new IllegalArgumentException("Conv '" + name + "' has a non-constant weight");
        }
        OnnxGraph.Constant w = graph.constant(conv.getInput(1));
        int out = (int) w.dims()[0];
        float[] bias =
                conv.getInputCount() > 2 && !conv.getInput(2).isEmpty()
                        ? graph.constant(conv.getInput(2)).values()
                        : new float[out];
        long[] strides = OnnxProtos.intsAttribute(conv, "strides");
        long group = OnnxProtos.intAttribute(conv, "group", 1);

        float[] gamma = new float[out];
        float[] beta = new float[out];
        float[] mean = new float[out];
        float[] variance = new float[out];
        boolean hasBatchNorm = false;
        OnnxMl.NodeProto next = graph.consumerSkippingQdq(conv.getOutput(0));
        if (next != null && next.getOpType().equals("BatchNormalization")) {
            hasBatchNorm = true;
            float[] scale = graph.constant(next.getInput(1)).values();
            float[] b = graph.constant(next.getInput(2)).values();
            float[] m = graph.constant(next.getInput(3)).values();
            float[] v = graph.constant(next.getInput(4)).values();
            float eps = OnnxProtos.floatAttribute(next, "epsilon", 1e-5f);
            for (int k = 0; k < out; k++) {
                // Our BatchNorm divides by sqrt(v + 1e-3); fold the file's epsilon into gamma so
                // the
                // result is exact, and the conv bias (if any) into the mean.
                gamma[k] =
                        (float)
                                (scale[k]
                                        * Math.sqrt(v[k] + MobileNetV2.BN_EPSILON)
                                        / Math.sqrt(v[k] + eps));
                beta[k] = b[k];
                mean[k] = m[k] - bias[k];
                variance[k] = v[k];
            }
            next = graph.consumerSkippingQdq(next.getOutput(0));
        } else {
            // Folded BatchNorm: the conv bias becomes beta, and the rest is an exact identity.
            for (int k = 0; k < out; k++) {
                gamma[k] = 1f;
                beta[k] = bias[k];
                variance[k] = 1f - MobileNetV2.BN_EPSILON;
            }
        }
        float[] ceiling = null;
        if (next != null && next.getOpType().equals("Relu")) {
            OnnxMl.NodeProto min = graph.consumerSkippingQdq(next.getOutput(0));
            if (min != null && min.getOpType().equals("Min")) {
                String c = graph.isConstant(min.getInput(1)) ? min.getInput(1) : min.getInput(0);
                ceiling = graph.constant(c).values();
                if (ceiling.length == 1) {
                    float v = ceiling[0];
                    ceiling = new float[out];
                    Arrays.fill(ceiling, v);
                }
                if (ceiling.length != out) {
                    throw new IllegalArgumentException(
                            "Conv '"
                                    + name
                                    + "' is followed by Min with "
                                    + ceiling.length
                                    + " ceilings for "
                                    + out
                                    + " channels");
                }
            }
        }
        return new ConvWeights(
                name,
                w.dims(),
                strides,
                group,
                w.values(),
                gamma,
                beta,
                mean,
                variance,
                hasBatchNorm,
                ceiling);
    }

    /**
     * Keras pads the first conv bottom/right only ({@code [0,0,1,1]}); torchvision pads all sides.
     */
    private static KerasPadding.Style paddingStyle(OnnxGraph graph, OnnxMl.NodeProto firstConv) {
        return effectivePadding(graph, firstConv).symmetric()
                ? KerasPadding.Style.SYMMETRIC
                : KerasPadding.Style.KERAS;
    }

    /** Padding of a conv: its own {@code pads} plus those of a Pad node feeding it. */
    private static Padding effectivePadding(OnnxGraph graph, OnnxMl.NodeProto conv) {
        long[] pads = OnnxProtos.intsAttribute(conv, "pads"); // [top, left, bottom, right]
        Padding total =
                pads == null
                        ? new Padding(0, 0, 0, 0)
                        : new Padding((int) pads[0], (int) pads[2], (int) pads[1], (int) pads[3]);
        OnnxMl.NodeProto producer = graph.producerSkippingQdq(conv.getInput(0));
        if (producer != null
                && producer.getOpType().equals("Pad")
                && producer.getInputCount() > 1) {
            float[] p = graph.constant(producer.getInput(1)).values(); // NCHW begins then ends
            if (p.length == 8) {
                total = total.plus(new Padding((int) p[2], (int) p[6], (int) p[3], (int) p[7]));
            }
        }
        return total;
    }

    /**
     * The ImageNet classifier (GlobalAveragePool -> MatMul + Add, or Gemm), as Linear weight and
     * bias.
     */
    private static float[][] readClassifier(OnnxGraph graph) {
        for (OnnxMl.NodeProto node : graph.nodes("MatMul")) {
            if (graph.isConstant(node.getInput(1))) {
                OnnxGraph.Constant w = graph.constant(node.getInput(1)); // [in, out]
                int in = (int) w.dims()[0];
                int out = (int) w.dims()[1];
                float[] transposed = new float[in * out];
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) {
                        transposed[o * in + i] = w.values()[i * out + o];
                    }
                }
                float[] bias = new float[out];
                OnnxMl.NodeProto add = graph.consumerSkippingQdq(node.getOutput(0));
                if (add != null && add.getOpType().equals("Add")) {
                    String b =
                            graph.isConstant(add.getInput(1)) ? add.getInput(1) : add.getInput(0);
                    bias = graph.constant(b).values();
                }
                return new float[][] {transposed, bias};
            }
        }
        for (OnnxMl.NodeProto gemm : graph.nodes("Gemm")) {
            OnnxGraph.Constant w = graph.constant(gemm.getInput(1));
            boolean transB = OnnxProtos.intAttribute(gemm, "transB", 0) == 1;
            int rows = (int) w.dims()[0];
            int cols = (int) w.dims()[1];
            float[] linear = w.values();
            if (!transB) {
                linear = new float[rows * cols];
                for (int i = 0; i < rows; i++) {
                    for (int o = 0; o < cols; o++) {
                        linear[o * rows + i] = w.values()[i * cols + o];
                    }
                }
            }
            float[] bias =
                    gemm.getInputCount() > 2
                            ? graph.constant(gemm.getInput(2)).values()
                            : new float[transB ? rows : cols];
            return new float[][] {linear, bias};
        }
        return new float[][] {null, null};
    }

    /**
     * The network a run trains, with these weights in its base: built by {@link
     * TransferNetwork#initialized} with this file's padding, a fresh head, the base frozen.
     */
    public TransferNetwork newTransferNetwork(
            int size, int classes, float dropout, NDManager manager) throws WeightImportException {
        TransferNetwork network =
                TransferNetwork.initialized(size, paddingStyle, classes, dropout, manager);
        applyTo(network.base());
        network.freezeBase();
        return network;
    }

    /** The file the weights were read from. */
    public Path file() {
        return file;
    }

    /** Padding style of the file's network; build the {@link MobileNetV2} with it. */
    public KerasPadding.Style paddingStyle() {
        return paddingStyle;
    }

    /** Whether the file carries an ImageNet classifier (the shipped one does). */
    public boolean hasClassifier() {
        return classifierWeight != null;
    }

    /** Number of classifier outputs (1000 for ImageNet), or 0 without a classifier. */
    public int classifierOutputs() {
        return classifierBias == null ? 0 : classifierBias.length;
    }

    /**
     * Loads the weights into an initialized base, undoing cross-layer equalization on the way.
     *
     * @throws WeightImportException naming the first layer whose weights do not fit
     */
    public void applyTo(MobileNetV2 base) throws WeightImportException {
        if (base.paddingStyle() != paddingStyle) {
            throw new WeightImportException(
                    file
                            + ": the file uses "
                            + paddingStyle
                            + " padding but the model was built with "
                            + base.paddingStyle()
                            + " padding");
        }
        List<Layer> convLayers = new ArrayList<>();
        for (Layer layer : base.layers()) {
            if (layer.kind() == LayerKind.CONV || layer.kind() == LayerKind.DEPTHWISE_CONV) {
                convLayers.add(layer);
            }
        }
        for (int i = 0; i < convLayers.size(); i++) {
            Layer layer = convLayers.get(i);
            if (i >= convs.size()) {
                throw new WeightImportException(
                        file
                                + ": layer "
                                + layer.name()
                                + " has no matching Conv in the "
                                + "file (it has only "
                                + convs.size()
                                + " Conv nodes; MobileNetV2 has "
                                + convLayers.size()
                                + ")");
            }
            checkFits(layer, convs.get(i));
        }
        if (convs.size() != convLayers.size()) {
            throw new WeightImportException(
                    file
                            + ": the file has "
                            + convs.size()
                            + " Conv nodes after "
                            + convLayers.get(convLayers.size() - 1).name()
                            + "; MobileNetV2 has "
                            + convLayers.size());
        }
        List<ConvWeights> folded = foldClipCeilings();
        for (int i = 0; i < convLayers.size(); i++) {
            Layer conv = convLayers.get(i);
            ConvWeights w = folded.get(i);
            set(conv.block(), "weight", w.weight);
            Block bn = base.layers().get(conv.index() + 1).block();
            set(bn, "gamma", w.gamma);
            set(bn, "beta", w.beta);
            set(bn, "runningMean", w.mean);
            set(bn, "runningVar", w.variance);
        }
    }

    private void checkFits(Layer layer, ConvWeights w) throws WeightImportException {
        long[] expected = layer.block().getParameters().get("weight").getShape().getShape();
        if (!Arrays.equals(expected, w.shape)) {
            throw new WeightImportException(
                    file
                            + ": layer "
                            + layer.name()
                            + " expects weights of shape "
                            + Arrays.toString(expected)
                            + " but ONNX Conv '"
                            + w.onnxName
                            + "' has "
                            + Arrays.toString(w.shape)
                            + "; is this a MobileNetV2 with width 1.0?");
        }
        boolean depthwise = layer.kind() == LayerKind.DEPTHWISE_CONV;
        if (depthwise != (w.group > 1)) {
            throw new WeightImportException(
                    file
                            + ": layer "
                            + layer.name()
                            + " is "
                            + (depthwise ? "depthwise" : "a dense conv")
                            + " but ONNX Conv '"
                            + w.onnxName
                            + "' has group="
                            + w.group);
        }
    }

    /**
     * Undoes cross-layer equalization: a depthwise output channel k followed by clip(x, 0, c_k) was
     * scaled by s_k = c_k / 6, and the project conv's input channel k by 1 / s_k. Dividing the
     * depthwise channel by s_k and multiplying the project input by s_k restores plain ReLU6; a
     * channel with c_k = 0 is dead and is made so explicitly.
     */
    private List<ConvWeights> foldClipCeilings() {
        List<ConvWeights> out = new ArrayList<>();
        for (ConvWeights c : convs) {
            out.add(c.copy());
        }
        for (int i = 0; i < out.size(); i++) {
            ConvWeights dw = out.get(i);
            if (dw.clipCeiling == null) {
                continue;
            }
            ConvWeights project = out.get(i + 1);
            int channels = dw.gamma.length;
            int perChannel = dw.weight.length / channels;
            int projectOut = (int) project.shape[0];
            for (int k = 0; k < channels; k++) {
                float s = dw.clipCeiling[k] / 6f;
                for (int o = 0; o < projectOut; o++) {
                    project.weight[o * channels + k] *= Math.max(s, 0f);
                }
                if (s <= 0f) {
                    Arrays.fill(dw.weight, k * perChannel, (k + 1) * perChannel, 0f);
                    dw.gamma[k] = dw.hasBatchNorm ? 0f : dw.gamma[k];
                    dw.mean[k] = 0f;
                    dw.beta[k] = -1f; // always negative: ReLU6 outputs 0, as clip(x, 0, 0) did
                    continue;
                }
                if (dw.hasBatchNorm) {
                    dw.gamma[k] /= s;
                } else {
                    for (int j = k * perChannel; j < (k + 1) * perChannel; j++) {
                        dw.weight[j] /= s;
                    }
                    dw.mean[k] /= s;
                }
                dw.beta[k] /= s;
            }
        }
        return out;
    }

    /**
     * Loads the file's ImageNet classifier into a Dense layer (for the ImageNet check photos).
     *
     * @throws WeightImportException if the file has no classifier or its size differs
     */
    public void applyClassifierTo(Linear dense) throws WeightImportException {
        if (!hasClassifier()) {
            throw new WeightImportException(
                    file + ": the file has no classifier (MatMul or Gemm after pooling)");
        }
        long[] expected = dense.getParameters().get("weight").getShape().getShape();
        if (expected[0] * expected[1] != classifierWeight.length) {
            throw new WeightImportException(
                    file
                            + ": classifier has "
                            + classifierWeight.length
                            + " weights; the Dense layer expects "
                            + Arrays.toString(expected));
        }
        set(dense, "weight", classifierWeight);
        set(dense, "bias", classifierBias);
    }

    private static void set(Block block, String parameter, float[] values) {
        NDArray array = block.getParameters().get(parameter).getArray();
        // An indexed copy: NDArray.set(float[]) runs under a guard PyTorch has deprecated, which
        // prints a long warning at every run's first import. Autograd refuses in-place writes
        // into a leaf that records gradients, so recording pauses for the copy.
        boolean recording = array.hasGradient();
        array.setRequiresGradient(false);
        try (NDManager scope = array.getManager().newSubManager()) {
            array.set(new NDIndex("..."), scope.create(values, array.getShape()));
        } finally {
            array.setRequiresGradient(recording);
        }
    }
}
