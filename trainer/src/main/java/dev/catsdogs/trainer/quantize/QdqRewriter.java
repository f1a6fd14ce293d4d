package dev.catsdogs.trainer.quantize;

import static dev.catsdogs.trainer.onnx.OnnxProtos.floatTensor;
import static dev.catsdogs.trainer.onnx.OnnxProtos.intAttr;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.catsdogs.trainer.onnx.OnnxProtos;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the exporter's float graph (Conv, Clip, Add, GlobalAveragePool, Flatten, Gemm) into QDQ
 * form: every activation between layers is followed by QuantizeLinear + DequantizeLinear, and every
 * weight is an int8 initializer behind a DequantizeLinear. ONNX Runtime recognizes the {@code DQ ->
 * op -> Q} groups and replaces them with integer kernels (QLinearConv, QLinearAdd,
 * QLinearGlobalAveragePool, QGemm); this class only states the quantization.
 *
 * <ul>
 *   <li>Weights: {@link QuantizedWeight}, int8 per output channel.
 *   <li>Biases: int32 with scale {@code input scale * weight scale}, what the integer kernels add,
 *       bias-corrected when the input means are given.
 *   <li>Activations: one scale and zero point per tensor. A ReLU6 (Clip) output takes exactly [0,
 *       6]; ONNX Runtime then drops the Clip, since saturation does the clipping, and the conv
 *       before it writes 8-bit values directly.
 *   <li>The graph input stays float (quantized by the first node) and so do the logits.
 * </ul>
 */
public final class QdqRewriter {

    private static final Set<String> SUPPORTED =
            Set.of("Conv", "Clip", "Add", "GlobalAveragePool", "Flatten", "Gemm");

    private static final String QUANTIZED = "_quantized";
    private static final String DEQUANTIZED = "_dequantized";

    private QdqRewriter() {}

    /**
     * The activations whose ranges calibration must measure: the graph input and the outputs of
     * Conv (unless a Clip follows), Add and GlobalAveragePool. Clip outputs have their clip range;
     * Flatten keeps its input's.
     *
     * @throws IllegalArgumentException naming the first node this rewriter does not handle
     */
    public static List<String> calibratedActivations(OnnxMl.GraphProto graph) {
        checkSupported(graph);
        Map<String, Integer> consumers = new HashMap<>();
        Map<String, String> soleConsumerOp = new HashMap<>();
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.merge(in, 1, Integer::sum);
                soleConsumerOp.put(in, n.getOpType());
            }
        }
        Set<String> graphOutputs = new HashSet<>();
        graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        List<String> names = new ArrayList<>();
        graph.getInputList().forEach(i -> names.add(i.getName()));
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            String out = n.getOutput(0);
            boolean clipFollows =
                    consumers.getOrDefault(out, 0) == 1 && "Clip".equals(soleConsumerOp.get(out));
            switch (n.getOpType()) {
                case "Conv" -> {
                    // A Conv that is a graph output (the activation maps) stays float, as the
                    // logits do: ONNX Runtime runs it on the dequantized feature map.
                    if (!clipFollows && !graphOutputs.contains(out)) {
                        names.add(out);
                    }
                }
                case "Add", "GlobalAveragePool" -> names.add(out);
                default -> {}
            }
        }
        return names;
    }

    /**
     * The QDQ graph of {@code model}, metadata and opset kept.
     *
     * @param ranges a range for every name {@link #calibratedActivations} lists
     * @throws IllegalArgumentException for an unsupported node or a missing range
     */
    public static OnnxMl.ModelProto rewrite(
            OnnxMl.ModelProto model, Map<String, TensorRange> ranges, ActivationType type) {
        return rewrite(model, ranges, type, SaturationGuard.none(), Map.of());
    }

    /**
     * The zero point of the input activation of every Conv and Gemm, by layer name, in graph order:
     * what decides whether a layer's products can saturate (see {@link SaturationGuard}).
     */
    static Map<String, Integer> inputZeroPoints(
            OnnxMl.GraphProto graph, Map<String, TensorRange> ranges, ActivationType type) {
        Map<String, QuantParams> activations = activationParams(graph, ranges, type);
        Map<String, Integer> zeroPoints = new LinkedHashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (isWeighted(node)) {
                zeroPoints.put(node.getName(), activations.get(node.getInput(0)).zeroPoint());
            }
        }
        return zeroPoints;
    }

    /**
     * The input activation of every Conv and Gemm and its channel count: what calibration measures
     * the channel means of, for the bias correction.
     */
    static Map<String, Integer> layerInputChannels(OnnxMl.GraphProto graph) {
        Map<String, OnnxMl.TensorProto> initializers = new HashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Map<String, Integer> channels = new LinkedHashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (isWeighted(node)) {
                long[] w = OnnxProtos.dims(initializers.get(node.getInput(1)));
                long in =
                        node.getOpType().equals("Gemm")
                                ? w[OnnxProtos.intAttribute(node, "transB", 0) == 0 ? 0 : 1]
                                : w[1] * OnnxProtos.intAttribute(node, "group", 1);
                channels.put(node.getInput(0), (int) in);
            }
        }
        return channels;
    }

    private static boolean isWeighted(OnnxMl.NodeProto node) {
        return node.getOpType().equals("Conv") || node.getOpType().equals("Gemm");
    }

    /**
     * @param guard the layers with 7-bit weights
     * @param inputMeans the mean of each channel of each layer input over the calibration images
     *     ({@link ActivationCalibrator#channelMeans}); a layer whose input is missing keeps its
     *     bias as it is
     */
    public static OnnxMl.ModelProto rewrite(
            OnnxMl.ModelProto model,
            Map<String, TensorRange> ranges,
            ActivationType type,
            SaturationGuard guard,
            Map<String, float[]> inputMeans) {
        OnnxMl.GraphProto graph = model.getGraph();
        Map<String, QuantParams> activations = activationParams(graph, ranges, type);
        Map<String, OnnxMl.TensorProto> initializers = new LinkedHashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));

        OnnxMl.GraphProto.Builder out =
                graph.toBuilder().clearNode().clearInitializer().clearValueInfo();
        Set<String> replacedWeights = new HashSet<>();
        List<OnnxMl.TensorProto> added = new ArrayList<>();
        for (OnnxMl.ValueInfoProto input : graph.getInputList()) {
            addQdq(out, added, input.getName(), activations.get(input.getName()), type);
        }
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            OnnxMl.NodeProto.Builder rewritten = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                if (activations.containsKey(node.getInput(i))) {
                    rewritten.setInput(i, node.getInput(i) + DEQUANTIZED);
                }
            }
            String op = node.getOpType();
            if (isWeighted(node)) {
                QuantParams x = activations.get(node.getInput(0));
                if (x == null) {
                    throw new IllegalArgumentException(
                            op + " '" + node.getName() + "' has an unquantized input");
                }
                int axis =
                        op.equals("Gemm") && OnnxProtos.intAttribute(node, "transB", 0) == 0
                                ? 1
                                : 0;
                OnnxMl.TensorProto weight = initializers.get(node.getInput(1));
                QuantizedWeight w =
                        QuantizedWeight.of(weight, axis, guard.weightMax(node.getName()));
                addWeight(out, added, weight, w);
                rewritten.setInput(1, node.getInput(1) + DEQUANTIZED);
                replacedWeights.add(node.getInput(1));
                if (node.getInputCount() > 2) {
                    float[] bias = OnnxProtos.toFloats(initializers.get(node.getInput(2)));
                    float[] means = inputMeans.get(node.getInput(0));
                    if (means != null) {
                        bias =
                                w.correctedBias(
                                        bias,
                                        OnnxProtos.toFloats(weight),
                                        means,
                                        (int) OnnxProtos.intAttribute(node, "group", 1),
                                        op.equals("Gemm"));
                    }
                    addBias(out, added, node.getInput(2), bias, x.scale(), w.scales());
                    rewritten.setInput(2, node.getInput(2) + DEQUANTIZED);
                    replacedWeights.add(node.getInput(2));
                }
            }
            out.addNode(rewritten);
            String result = node.getOutput(0);
            if (activations.containsKey(result)) {
                addQdq(out, added, result, activations.get(result), type);
            }
        }
        initializers.values().stream()
                .filter(t -> !replacedWeights.contains(t.getName()))
                .forEach(out::addInitializer);
        out.addAllInitializer(added);
        return model.toBuilder().setGraph(out).build();
    }

    /** Scale and zero point of every quantized activation. */
    private static Map<String, QuantParams> activationParams(
            OnnxMl.GraphProto graph, Map<String, TensorRange> ranges, ActivationType type) {
        Map<String, QuantParams> params = new HashMap<>();
        for (String name : calibratedActivations(graph)) {
            TensorRange r = ranges.get(name);
            if (r == null) {
                throw new IllegalArgumentException(
                        "no calibrated range for activation '" + name + "'");
            }
            params.put(name, type.params(r));
        }
        Map<String, OnnxMl.TensorProto> constants = new HashMap<>();
        graph.getInitializerList().forEach(t -> constants.put(t.getName(), t));
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            switch (n.getOpType()) {
                case "Clip" -> {
                    float lo = OnnxProtos.toFloats(constants.get(n.getInput(1)))[0];
                    float hi = OnnxProtos.toFloats(constants.get(n.getInput(2)))[0];
                    params.put(n.getOutput(0), type.params(new TensorRange(lo, hi)));
                }
                // Same parameters on both sides, so ONNX Runtime drops the pair around it.
                case "Flatten" -> params.put(n.getOutput(0), params.get(n.getInput(0)));
                default -> {}
            }
        }
        return params;
    }

    private static void checkSupported(OnnxMl.GraphProto graph) {
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            if (!SUPPORTED.contains(n.getOpType())) {
                throw new IllegalArgumentException(
                        "int8 export needs the default float graph (BatchNorm folded, float NCHW"
                                + " input); node '"
                                + n.getName()
                                + "' is a "
                                + n.getOpType()
                                + ", expected one of "
                                + SUPPORTED);
            }
            if (n.getOpType().equals("Clip") && n.getInputCount() != 3) {
                throw new IllegalArgumentException(
                        "Clip '" + n.getName() + "' has no constant min and max inputs");
            }
        }
    }

    /** {@code name -> QuantizeLinear -> DequantizeLinear -> name_dequantized}. */
    private static void addQdq(
            OnnxMl.GraphProto.Builder out,
            List<OnnxMl.TensorProto> added,
            String name,
            QuantParams p,
            ActivationType type) {
        added.add(floatTensor(name + "_scale", new float[] {p.scale()}));
        added.add(integerTensor(name + "_zero_point", type.onnxType(), new int[] {p.zeroPoint()}));
        String[] qParams = {name + "_scale", name + "_zero_point"};
        out.addNode(node("QuantizeLinear", name + QUANTIZED, name, qParams, -1));
        out.addNode(node("DequantizeLinear", name + DEQUANTIZED, name + QUANTIZED, qParams, -1));
    }

    /** {@code w}, an int8 initializer behind a DequantizeLinear along its output channels. */
    private static void addWeight(
            OnnxMl.GraphProto.Builder out,
            List<OnnxMl.TensorProto> added,
            OnnxMl.TensorProto weight,
            QuantizedWeight w) {
        long[] dims = OnnxProtos.dims(weight);
        int channels = w.scales().length;
        float[] scales = w.scales();
        byte[] q = w.levels();
        String name = weight.getName();
        OnnxMl.TensorProto.Builder qt =
                OnnxMl.TensorProto.newBuilder()
                        .setName(name + QUANTIZED)
                        .setDataType(OnnxMl.TensorProto.DataType.INT8_VALUE)
                        .setRawData(ByteString.copyFrom(q));
        for (long d : dims) {
            qt.addDims(d);
        }
        added.add(qt.build());
        // One output channel: per-tensor parameters say the same, in the form every fusion takes.
        boolean scalar = channels == 1;
        added.add(
                scalar
                        ? floatTensor(name + "_scale", scales)
                        : floatTensor(name + "_scale", scales, channels));
        int[] zeros = new int[channels];
        added.add(
                scalar
                        ? integerTensor(
                                name + "_zero_point", OnnxMl.TensorProto.DataType.INT8_VALUE, zeros)
                        : integerTensor(
                                name + "_zero_point",
                                OnnxMl.TensorProto.DataType.INT8_VALUE,
                                zeros,
                                channels));
        out.addNode(
                node(
                        "DequantizeLinear",
                        name + DEQUANTIZED,
                        name + QUANTIZED,
                        new String[] {name + "_scale", name + "_zero_point"},
                        scalar ? -1 : w.axis()));
    }

    /** An int32 bias in the accumulator's units ({@code inputScale * weightScale[c]}). */
    private static void addBias(
            OnnxMl.GraphProto.Builder out,
            List<OnnxMl.TensorProto> added,
            String name,
            float[] b,
            float inputScale,
            float[] weightScales) {
        int[] q = new int[b.length];
        float[] scales = new float[b.length];
        for (int c = 0; c < b.length; c++) {
            scales[c] = inputScale * weightScales[c];
            double level = Math.rint(b[c] / scales[c]);
            if (Math.abs(level) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "bias '" + name + "' channel " + c + " overflows int32");
            }
            q[c] = (int) level;
        }
        boolean scalar = b.length == 1;
        int int32 = OnnxMl.TensorProto.DataType.INT32_VALUE;
        added.add(
                scalar
                        ? integerTensor(name + QUANTIZED, int32, q)
                        : integerTensor(name + QUANTIZED, int32, q, b.length));
        added.add(
                scalar
                        ? floatTensor(name + "_scale", scales)
                        : floatTensor(name + "_scale", scales, b.length));
        out.addNode(
                node(
                        "DequantizeLinear",
                        name + DEQUANTIZED,
                        name + QUANTIZED,
                        new String[] {name + "_scale"},
                        scalar ? -1 : 0));
    }

    private static OnnxMl.NodeProto node(
            String op, String output, String input, String[] params, int axis) {
        OnnxMl.NodeProto.Builder n =
                OnnxMl.NodeProto.newBuilder()
                        .setOpType(op)
                        .setName(output)
                        .addInput(input)
                        .addOutput(output);
        for (String p : params) {
            n.addInput(p);
        }
        if (axis >= 0) {
            n.addAttribute(intAttr("axis", axis));
        }
        return n.build();
    }

    /** An INT8, UINT8 or INT32 tensor; no dims makes it a scalar. */
    private static OnnxMl.TensorProto integerTensor(
            String name, int type, int[] values, long... dims) {
        boolean int32 = type == OnnxMl.TensorProto.DataType.INT32_VALUE;
        ByteBuffer raw =
                ByteBuffer.allocate(values.length * (int32 ? 4 : 1)).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            if (int32) {
                raw.putInt(v);
            } else {
                raw.put((byte) v);
            }
        }
        OnnxMl.TensorProto.Builder t =
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(type)
                        .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
