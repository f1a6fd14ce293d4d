package dev.catsdogs.trainer.onnx;

import static dev.catsdogs.trainer.onnx.OnnxProtos.floatAttr;
import static dev.catsdogs.trainer.onnx.OnnxProtos.intAttr;
import static dev.catsdogs.trainer.onnx.OnnxProtos.intsAttr;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.onnx.proto.OnnxMl;
import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.model.Layer;
import dev.catsdogs.trainer.model.LayerKind;
import dev.catsdogs.trainer.model.MobileNetV2;
import dev.catsdogs.trainer.model.Padding;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a {@link TransferNetwork} as an ONNX inference graph (opset 13) with the generated {@code
 * OnnxMl} builders: dynamic batch, NCHW float32 input in [-1, 1], logits out. Node names are the
 * Keras layer names.
 *
 * <p>A second output, {@value #CAM} {@code [N, units, H/32, W/32]}, holds the class activation
 * maps: the Dense kernel applied as a 1x1 convolution (no bias) to the last feature map. Global
 * average pooling and the Dense layer are both linear, so each logit is the mean of its map plus
 * the Dense bias: the map says where in the image the logit came from.
 *
 * <p>By default BatchNorm is folded into the convolutions and each Keras ZeroPadding2D into the
 * next conv's (asymmetric) {@code pads}, so the graph is Conv, Clip(0, 6), Add, pooling and Gemm
 * only. {@link Builder#optFoldBatchNorm(boolean) optFoldBatchNorm(false)} keeps separate
 * BatchNormalization nodes (what a torchvision export looks like).
 */
public final class OnnxExporter {

    public static final String INPUT = "input";
    public static final String UINT8_INPUT = "image";
    public static final String OUTPUT = "logits";
    public static final String CAM = "cam";
    static final int OPSET = 13;

    private final boolean foldBatchNorm;
    private final boolean withPreprocessing;
    private final Map<String, String> metadata;

    private OnnxExporter(Builder builder) {
        foldBatchNorm = builder.foldBatchNorm;
        withPreprocessing = builder.withPreprocessing;
        metadata = new LinkedHashMap<>(builder.metadata);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Serializes the network; its parameters must be initialized. */
    public byte[] export(TransferNetwork network) {
        MobileNetV2 base = network.base();
        int size = base.inputSize();
        GraphWriter g = new GraphWriter();
        String x;
        if (withPreprocessing) {
            // uint8 RGB NHWC -> float, x * scale + offset, NCHW: the whole preprocessing in the
            // graph.
            PreprocessingSpec spec = PreprocessingSpec.mobileNetV2(size);
            g.input(UINT8_INPUT, OnnxMl.TensorProto.DataType.UINT8_VALUE, "batch", size, size, 3);
            x =
                    g.node(
                            "Cast",
                            "preprocess_cast",
                            new String[] {UINT8_INPUT},
                            a -> a.add(intAttr("to", 1)));
            x =
                    g.node(
                            "Mul",
                            "preprocess_scale",
                            new String[] {x, g.scalar("preprocess_scale_value", spec.scale())},
                            null);
            x =
                    g.node(
                            "Add",
                            "preprocess_offset",
                            new String[] {x, g.scalar("preprocess_offset_value", spec.offset())},
                            null);
            x =
                    g.node(
                            "Transpose",
                            "preprocess_nchw",
                            new String[] {x},
                            a -> a.add(intsAttr("perm", 0, 3, 1, 2)));
        } else {
            g.input(INPUT, OnnxMl.TensorProto.DataType.FLOAT_VALUE, "batch", 3, size, size);
            x = INPUT;
        }

        String[] outputs = new String[base.layers().size()];
        Padding pendingPad = null;
        for (Layer layer : base.layers()) {
            switch (layer.kind()) {
                case INPUT -> {}
                case ZERO_PADDING -> pendingPad = layer.pad();
                case CONV, DEPTHWISE_CONV -> {
                    Block bn = base.layers().get(layer.index() + 1).block();
                    x = conv(g, layer, bn, x, pendingPad);
                    pendingPad = null;
                }
                case BATCH_NORM -> {
                    if (!foldBatchNorm) {
                        x = batchNorm(g, layer, x);
                    }
                }
                case RELU6 ->
                        x =
                                g.node(
                                        "Clip",
                                        layer.name(),
                                        new String[] {
                                            x, g.scalar("relu6_min", 0f), g.scalar("relu6_max", 6f)
                                        },
                                        null);
                case ADD ->
                        x =
                                g.node(
                                        "Add",
                                        layer.name(),
                                        new String[] {outputs[layer.residualFrom()], x},
                                        null);
            }
            outputs[layer.index()] = x;
        }
        String features = x;
        x = g.node("GlobalAveragePool", "global_average_pooling2d", new String[] {x}, null);
        x = g.node("Flatten", "flatten", new String[] {x}, a -> a.add(intAttr("axis", 1)));
        Block dense = network.head().dense();
        int units = network.head().units();
        float[] kernel = floats(dense, "weight");
        String w = g.initializer("dense_kernel", kernel, units, base.outputChannels());
        String b = g.initializer("dense_bias", floats(dense, "bias"), units);
        g.node("Gemm", "dense", new String[] {x, w, b}, a -> a.add(intAttr("transB", 1)), OUTPUT);
        g.output(OUTPUT, "batch", units);
        // The same kernel as a 1x1 conv on the feature map, before pooling: the activation maps.
        String camKernel = g.initializer("cam_kernel", kernel, units, base.outputChannels(), 1, 1);
        g.node(
                "Conv",
                CAM,
                new String[] {features, camKernel},
                a -> a.add(intsAttr("kernel_shape", 1, 1)),
                CAM);
        int mapSide = (size + 31) / 32; // five stride-2 convolutions, each ceil(n / 2)
        g.output(CAM, "batch", units, mapSide, mapSide);

        OnnxMl.ModelProto.Builder model =
                OnnxMl.ModelProto.newBuilder()
                        .setIrVersion(8)
                        .setProducerName("catsdogs")
                        .setProducerVersion(BuildInfo.version())
                        .addOpsetImport(
                                OnnxMl.OperatorSetIdProto.newBuilder()
                                        .setDomain("")
                                        .setVersion(OPSET))
                        .setGraph(g.build("mobilenetv2_transfer"));
        metadata.forEach(
                (k, v) ->
                        model.addMetadataProps(
                                OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build().toByteArray();
    }

    private String conv(GraphWriter g, Layer layer, Block bn, String x, Padding explicitPad) {
        Convolution conv = (Convolution) layer.block();
        long[] shape = conv.getParameters().get("weight").getShape().getShape();
        float[] weight = floats(conv, "weight");
        int out = (int) shape[0];
        long kernel = conv.getKernelShape().get(0);
        long stride = conv.getStride().get(0);
        long[] pads;
        if (explicitPad != null) {
            // Keras' ZeroPadding2D + "valid" conv == one conv with asymmetric pads.
            pads = explicitPad.toOnnx();
        } else {
            long p = conv.getPadding().get(0);
            pads = new long[] {p, p, p, p};
        }
        String[] inputs;
        if (foldBatchNorm) {
            // y = gamma * (W x - mean) / sqrt(var + eps) + beta  ==  (W * f) x + (beta - mean * f)
            float[] gamma = floats(bn, "gamma");
            float[] beta = floats(bn, "beta");
            float[] mean = floats(bn, "runningMean");
            float[] var = floats(bn, "runningVar");
            int perChannel = weight.length / out;
            float[] bias = new float[out];
            for (int k = 0; k < out; k++) {
                double f = gamma[k] / Math.sqrt(var[k] + MobileNetV2.BN_EPSILON);
                for (int j = k * perChannel; j < (k + 1) * perChannel; j++) {
                    weight[j] = (float) (weight[j] * f);
                }
                bias[k] = (float) (beta[k] - mean[k] * f);
            }
            inputs =
                    new String[] {
                        x,
                        g.initializer(layer.name() + "_kernel", weight, shape),
                        g.initializer(layer.name() + "_bias", bias, out)
                    };
        } else {
            inputs = new String[] {x, g.initializer(layer.name() + "_kernel", weight, shape)};
        }
        long group = layer.kind() == LayerKind.DEPTHWISE_CONV ? out : 1;
        return g.node(
                "Conv",
                layer.name(),
                inputs,
                a -> {
                    a.add(intsAttr("kernel_shape", kernel, kernel));
                    a.add(intsAttr("strides", stride, stride));
                    a.add(intsAttr("pads", pads));
                    a.add(intAttr("group", group));
                });
    }

    private String batchNorm(GraphWriter g, Layer layer, String x) {
        Block bn = layer.block();
        int c = layer.channels();
        return g.node(
                "BatchNormalization",
                layer.name(),
                new String[] {
                    x,
                    g.initializer(layer.name() + "_gamma", floats(bn, "gamma"), c),
                    g.initializer(layer.name() + "_beta", floats(bn, "beta"), c),
                    g.initializer(layer.name() + "_moving_mean", floats(bn, "runningMean"), c),
                    g.initializer(layer.name() + "_moving_variance", floats(bn, "runningVar"), c)
                },
                a -> a.add(floatAttr("epsilon", MobileNetV2.BN_EPSILON)));
    }

    private static float[] floats(Block block, String parameter) {
        return block.getParameters().get(parameter).getArray().toFloatArray();
    }

    /** Options of the exporter. */
    public static final class Builder {
        private boolean foldBatchNorm = true;
        private boolean withPreprocessing;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        /** Fold BatchNorm into the convolutions (default) or keep BatchNormalization nodes. */
        public Builder optFoldBatchNorm(boolean fold) {
            foldBatchNorm = fold;
            return this;
        }

        /** Take uint8 RGB NHWC pixels and scale them inside the graph (for non-Java consumers). */
        public Builder optWithPreprocessing(boolean withPreprocessing) {
            this.withPreprocessing = withPreprocessing;
            return this;
        }

        /** Adds a {@code metadata_props} entry. */
        public Builder addMetadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public OnnxExporter build() {
            return new OnnxExporter(this);
        }
    }

    /** Accumulates nodes, initializers and value infos of one graph. */
    private static final class GraphWriter {
        private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
        private final Map<String, Boolean> scalars = new LinkedHashMap<>();

        String node(
                String op,
                String name,
                String[] inputs,
                Consumer<List<OnnxMl.AttributeProto>> attrs) {
            return node(op, name, inputs, attrs, name + "_output");
        }

        String node(
                String op,
                String name,
                String[] inputs,
                Consumer<List<OnnxMl.AttributeProto>> attrs,
                String output) {
            OnnxMl.NodeProto.Builder node =
                    OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output);
            for (String in : inputs) {
                node.addInput(in);
            }
            if (attrs != null) {
                List<OnnxMl.AttributeProto> list = new ArrayList<>();
                attrs.accept(list);
                node.addAllAttribute(list);
            }
            graph.addNode(node);
            return output;
        }

        String scalar(String name, float value) {
            if (scalars.putIfAbsent(name, Boolean.TRUE) == null) {
                initializer(name, new float[] {value});
            }
            return name;
        }

        String initializer(String name, float[] values, long... dims) {
            graph.addInitializer(OnnxProtos.floatTensor(name, values, dims));
            return name;
        }

        void input(String name, int elemType, String batch, long... dims) {
            graph.addInput(OnnxProtos.valueInfo(name, elemType, batch, batchFirst(dims)));
        }

        void output(String name, String batch, long... dims) {
            graph.addOutput(
                    OnnxProtos.valueInfo(
                            name,
                            OnnxMl.TensorProto.DataType.FLOAT_VALUE,
                            batch,
                            batchFirst(dims)));
        }

        /** A dynamic batch dimension (-1) in front of the fixed ones. */
        private static long[] batchFirst(long[] dims) {
            long[] all = new long[dims.length + 1];
            all[0] = -1;
            System.arraycopy(dims, 0, all, 1, dims.length);
            return all;
        }

        OnnxMl.GraphProto build(String name) {
            return graph.setName(name).build();
        }
    }
}
