package dev.catsdogs.inference;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tiny ONNX models (opset 13) with the generated protobuf builders, so classifier tests know
 * the exact function the model computes: {@code logits = W^T * mean_over_pixels(input) + b}.
 *
 * <p>Float NCHW: {@code input [N,3,S,S] -> GlobalAveragePool -> Flatten -> MatMul W[3,K] -> Add
 * b[K]}. Uint8 NHWC: {@code input [N,S,S,3] -> Cast -> Mul scale -> Add offset -> ReduceMean(1,2)
 * -> MatMul -> Add}.
 */
final class TestModels {

    static final int SIZE = 32;
    static final float[][] SIGMOID_W = {{2.5f}, {-1.5f}, {0.75f}};
    static final float[] SIGMOID_B = {0.2f};
    static final float[][] SOFTMAX_W = {{1f, -2f, 0.5f}, {-1f, 3f, 0.25f}, {0.5f, -0.5f, -1f}};
    static final float[] SOFTMAX_B = {0.1f, -0.2f, 0.3f};

    private TestModels() {}

    /** The metadata the trainer's exporter writes, for a sigmoid or softmax model. */
    static Map<String, String> metadata(String outputKind, String classNamesJson, String layout) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("catsdogs.format_version", "1");
        props.put("catsdogs.class_names", classNamesJson);
        props.put("catsdogs.input_height", Integer.toString(SIZE));
        props.put("catsdogs.input_width", Integer.toString(SIZE));
        props.put("catsdogs.input_layout", layout);
        props.put("catsdogs.input_scale", "0.00784313725490196");
        props.put("catsdogs.input_offset", "-1");
        props.put("catsdogs.output_kind", outputKind);
        props.put("catsdogs.threshold", "0.5");
        props.put("catsdogs.provenance.trainer", "TestModels");
        props.put("catsdogs.provenance.seed", "42");
        return props;
    }

    static Map<String, String> sigmoidMetadata() {
        return metadata("sigmoid", "[\"cats\",\"dogs\"]", "NCHW");
    }

    static Map<String, String> softmaxMetadata() {
        return metadata("softmax", "[\"cats\",\"dogs\",\"foxes\"]", "NCHW");
    }

    static Path writeSigmoid(Path file) throws IOException {
        return write(floatNchw(SIGMOID_W, SIGMOID_B, "logit", sigmoidMetadata()), file);
    }

    static Path writeSoftmax(Path file) throws IOException {
        return write(floatNchw(SOFTMAX_W, SOFTMAX_B, "logits", softmaxMetadata()), file);
    }

    static Path write(ModelProto model, Path file) throws IOException {
        Files.write(file, model.toByteArray());
        return file;
    }

    /** Float32 NCHW input named {@code input}, dynamic batch {@code N}. */
    static ModelProto floatNchw(float[][] w, float[] b, String output, Map<String, String> meta) {
        return floatNchw(w, b, output, meta, "N");
    }

    /** As above with the batch dimension given: a name ("N") or a fixed size ("1"). */
    static ModelProto floatNchw(
            float[][] w, float[] b, String output, Map<String, String> meta, String batchDim) {
        int k = b.length;
        GraphProto graph =
                GraphProto.newBuilder()
                        .setName("mean_linear")
                        .addInput(
                                valueInfo(
                                        "input",
                                        TensorProto.DataType.FLOAT_VALUE,
                                        batchDim,
                                        "3",
                                        Integer.toString(SIZE),
                                        Integer.toString(SIZE)))
                        .addInitializer(floats("W", new long[] {3, k}, flatten(w)))
                        .addInitializer(floats("B", new long[] {k}, b))
                        .addNode(node("GlobalAveragePool", List.of("input"), "pooled"))
                        .addNode(
                                node("Flatten", List.of("pooled"), "flat").toBuilder()
                                        .addAttribute(intAttr("axis", 1))
                                        .build())
                        .addNode(node("MatMul", List.of("flat", "W"), "scores"))
                        .addNode(node("Add", List.of("scores", "B"), output))
                        .addOutput(
                                valueInfo(
                                        output,
                                        TensorProto.DataType.FLOAT_VALUE,
                                        batchDim,
                                        Integer.toString(k)))
                        .build();
        return model(graph, meta);
    }

    /** Cells of the activation maps per side: the input is average-pooled in 8 x 8 blocks. */
    static final int MAP_SIDE = 4;

    /**
     * A model with activation maps, shaped like the exporter's: {@code input -> AveragePool(8) ->
     * features [N,3,4,4]}, then {@code GlobalAveragePool -> Flatten -> MatMul W -> Add b -> logits}
     * and {@code Conv(W as 1x1 kernel) -> cam [N,K,4,4]}, so that each logit is the mean of its map
     * plus b. The maps output is listed first: the classifier must find the logits by name.
     */
    static ModelProto withMaps(float[][] w, float[] b, Map<String, String> meta) {
        int k = b.length;
        float[] kernel = new float[k * 3]; // [K,3,1,1]: W transposed
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < k; j++) {
                kernel[j * 3 + c] = w[c][j];
            }
        }
        Map<String, String> props = new LinkedHashMap<>(meta);
        props.put("catsdogs.cam_output", "cam");
        String side = Integer.toString(MAP_SIDE);
        GraphProto graph =
                GraphProto.newBuilder()
                        .setName("pooled_cam")
                        .addInput(
                                valueInfo(
                                        "input",
                                        TensorProto.DataType.FLOAT_VALUE,
                                        "N",
                                        "3",
                                        Integer.toString(SIZE),
                                        Integer.toString(SIZE)))
                        .addInitializer(floats("W", new long[] {3, k}, flatten(w)))
                        .addInitializer(floats("B", new long[] {k}, b))
                        .addInitializer(floats("K", new long[] {k, 3, 1, 1}, kernel))
                        .addNode(
                                node("AveragePool", List.of("input"), "features").toBuilder()
                                        .addAttribute(ints("kernel_shape", 8, 8))
                                        .addAttribute(ints("strides", 8, 8))
                                        .build())
                        .addNode(node("GlobalAveragePool", List.of("features"), "pooled"))
                        .addNode(
                                node("Flatten", List.of("pooled"), "flat").toBuilder()
                                        .addAttribute(intAttr("axis", 1))
                                        .build())
                        .addNode(node("MatMul", List.of("flat", "W"), "scores"))
                        .addNode(node("Add", List.of("scores", "B"), "logits"))
                        .addNode(node("Conv", List.of("features", "K"), "cam"))
                        .addOutput(
                                valueInfo(
                                        "cam",
                                        TensorProto.DataType.FLOAT_VALUE,
                                        "N",
                                        Integer.toString(k),
                                        side,
                                        side))
                        .addOutput(
                                valueInfo(
                                        "logits",
                                        TensorProto.DataType.FLOAT_VALUE,
                                        "N",
                                        Integer.toString(k)))
                        .build();
        return model(graph, props);
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a =
                AttributeProto.newBuilder()
                        .setName(name)
                        .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** Uint8 NHWC input; the graph scales with {@code x * scale + offset} itself. */
    static ModelProto uint8Nhwc(
            float[][] w, float[] b, float scale, float offset, Map<String, String> meta) {
        int k = b.length;
        GraphProto graph =
                GraphProto.newBuilder()
                        .setName("mean_linear_uint8")
                        .addInput(
                                valueInfo(
                                        "input",
                                        TensorProto.DataType.UINT8_VALUE,
                                        "N",
                                        Integer.toString(SIZE),
                                        Integer.toString(SIZE),
                                        "3"))
                        .addInitializer(floats("scale", new long[] {}, new float[] {scale}))
                        .addInitializer(floats("offset", new long[] {}, new float[] {offset}))
                        .addInitializer(floats("W", new long[] {3, k}, flatten(w)))
                        .addInitializer(floats("B", new long[] {k}, b))
                        .addNode(
                                node("Cast", List.of("input"), "as_float").toBuilder()
                                        .addAttribute(
                                                intAttr("to", TensorProto.DataType.FLOAT_VALUE))
                                        .build())
                        .addNode(node("Mul", List.of("as_float", "scale"), "scaled"))
                        .addNode(node("Add", List.of("scaled", "offset"), "shifted"))
                        .addNode(
                                node("ReduceMean", List.of("shifted"), "means").toBuilder()
                                        .addAttribute(
                                                AttributeProto.newBuilder()
                                                        .setName("axes")
                                                        .setType(AttributeProto.AttributeType.INTS)
                                                        .addInts(1)
                                                        .addInts(2))
                                        .addAttribute(intAttr("keepdims", 0))
                                        .build())
                        .addNode(node("MatMul", List.of("means", "W"), "scores"))
                        .addNode(node("Add", List.of("scores", "B"), "logit"))
                        .addOutput(
                                valueInfo(
                                        "logit",
                                        TensorProto.DataType.FLOAT_VALUE,
                                        "N",
                                        Integer.toString(k)))
                        .build();
        return model(graph, meta);
    }

    private static ModelProto model(GraphProto graph, Map<String, String> meta) {
        ModelProto.Builder model =
                ModelProto.newBuilder()
                        .setIrVersion(8)
                        .setProducerName("catsdogs-inference-tests")
                        .addOpsetImport(
                                OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                        .setGraph(graph);
        meta.forEach(
                (key, value) ->
                        model.addMetadataProps(
                                StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return model.build();
    }

    private static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder()
                .setOpType(op)
                .setName(output)
                .addAllInput(inputs)
                .addOutput(output)
                .build();
    }

    private static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    private static TensorProto floats(String name, long[] dims, float[] values) {
        TensorProto.Builder t =
                TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    // Dimensions: digits are fixed sizes, anything else a symbolic (dynamic) name.
    private static ValueInfoProto valueInfo(String name, int elemType, String... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (String d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d.chars().allMatch(Character::isDigit)) {
                dim.setDimValue(Long.parseLong(d));
            } else {
                dim.setDimParam(d);
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        TypeProto.newBuilder()
                                .setTensorType(
                                        TypeProto.Tensor.newBuilder()
                                                .setElemType(elemType)
                                                .setShape(shape)))
                .build();
    }

    private static float[] flatten(float[][] w) {
        float[] flat = new float[w.length * w[0].length];
        for (int i = 0; i < w.length; i++) {
            System.arraycopy(w[i], 0, flat, i * w[0].length, w[0].length);
        }
        return flat;
    }

    /** Expected logits computed independently in Java: {@code W^T * channelMeans + b}. */
    static double[] expectedLogits(double[] channelMeans, float[][] w, float[] b) {
        double[] logits = new double[b.length];
        for (int k = 0; k < b.length; k++) {
            logits[k] = b[k];
            for (int c = 0; c < 3; c++) {
                logits[k] += w[c][k] * channelMeans[c];
            }
        }
        return logits;
    }

    /** Per-channel means of one NCHW image tensor. */
    static double[] channelMeansNchw(float[] tensor) {
        int plane = tensor.length / 3;
        double[] means = new double[3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                means[c] += tensor[c * plane + i];
            }
            means[c] /= plane;
        }
        return means;
    }
}
