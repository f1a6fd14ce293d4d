package dev.catsdogs.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The model's input and output as the classifier uses them, checked against the metadata at load
 * time so that a mismatched export fails with a message instead of wrong answers later.
 *
 * @param inputName the single input
 * @param outputName the logits: the output named {@value #LOGITS} if there is one, else the first
 *     output that is not the activation maps; the only one requested by {@code classify}
 * @param camOutputName the activation maps {@code [N, logits, h, w]} named by {@value
 *     ModelMetadata#CAM_OUTPUT}, or null when the model has none
 * @param uint8Input whether the input is uint8 NHWC rather than float32 NCHW
 * @param fixedBatchOfOne whether the batch dimension is fixed at 1 (batches then run per image)
 */
record ModelSignature(
        String inputName,
        String outputName,
        String camOutputName,
        boolean uint8Input,
        boolean fixedBatchOfOne) {

    /** The name the trainer's exporter gives the logits output. */
    static final String LOGITS = "logits";

    static ModelSignature inspect(
            OrtSession session, ModelMetadata metadata, int logitsPerImage, String model)
            throws OrtException, ModelLoadException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1) {
            throw new ModelLoadException(
                    model,
                    "expected exactly one input, found " + inputs.size() + ": " + inputs.keySet());
        }
        NodeInfo input = inputs.values().iterator().next();
        TensorInfo in = tensorInfo(input, model);
        boolean nhwc = metadata.inputLayout() == PreprocessingSpec.Layout.NHWC;
        OnnxJavaType expectedType = nhwc ? OnnxJavaType.UINT8 : OnnxJavaType.FLOAT;
        if (in.type != expectedType) {
            throw new ModelLoadException(
                    model,
                    "input '"
                            + input.getName()
                            + "' is "
                            + in.type
                            + ", but "
                            + ModelMetadata.INPUT_LAYOUT
                            + "="
                            + metadata.inputLayout()
                            + " needs "
                            + expectedType);
        }
        long[] shape = in.getShape();
        long[] expected =
                nhwc
                        ? new long[] {-1, metadata.inputHeight(), metadata.inputWidth(), 3}
                        : new long[] {-1, 3, metadata.inputHeight(), metadata.inputWidth()};
        boolean matches = shape.length == 4;
        for (int i = 1; matches && i < 4; i++) {
            matches = shape[i] < 0 || shape[i] == expected[i];
        }
        if (!matches) {
            throw new ModelLoadException(
                    model,
                    "input '"
                            + input.getName()
                            + "' has shape "
                            + format(shape)
                            + ", but the metadata ("
                            + ModelMetadata.INPUT_HEIGHT
                            + "="
                            + metadata.inputHeight()
                            + ", "
                            + ModelMetadata.INPUT_WIDTH
                            + "="
                            + metadata.inputWidth()
                            + ", "
                            + ModelMetadata.INPUT_LAYOUT
                            + "="
                            + metadata.inputLayout()
                            + ") says "
                            + format(expected));
        }
        if (shape[0] > 1) {
            throw new ModelLoadException(
                    model,
                    "input '"
                            + input.getName()
                            + "' has a fixed batch size "
                            + shape[0]
                            + "; export it with a dynamic batch dimension");
        }

        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String cam = metadata.camOutput().orElse(null);
        if (cam != null) {
            checkCamOutput(outputs, cam, logitsPerImage, model);
        }
        NodeInfo output =
                outputs.containsKey(LOGITS)
                        ? outputs.get(LOGITS)
                        : outputs.values().stream()
                                .filter(o -> !o.getName().equals(cam))
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new ModelLoadException(
                                                        model,
                                                        "the model has no logits output, only "
                                                                + outputs.keySet()));
        TensorInfo out = tensorInfo(output, model);
        if (out.type != OnnxJavaType.FLOAT) {
            throw new ModelLoadException(
                    model, "output '" + output.getName() + "' is " + out.type + ", expected FLOAT");
        }
        long[] outShape = out.getShape();
        long perImage =
                Arrays.stream(outShape).skip(1).filter(d -> d >= 0).reduce(1, (a, b) -> a * b);
        boolean dynamic = Arrays.stream(outShape).skip(1).anyMatch(d -> d < 0);
        if (outShape.length < 1 || (!dynamic && perImage != logitsPerImage)) {
            throw new ModelLoadException(
                    model,
                    "output '"
                            + output.getName()
                            + "' has shape "
                            + format(outShape)
                            + ", but "
                            + ModelMetadata.OUTPUT_KIND
                            + "="
                            + metadata.outputKind().value()
                            + " with "
                            + metadata.classNames().size()
                            + " classes needs "
                            + logitsPerImage
                            + " value(s) per image");
        }
        return new ModelSignature(input.getName(), output.getName(), cam, nhwc, shape[0] == 1);
    }

    // The maps the metadata announces must be there: [N, logits, h, w] floats.
    private static void checkCamOutput(
            Map<String, NodeInfo> outputs, String cam, int logitsPerImage, String model)
            throws ModelLoadException {
        NodeInfo node = outputs.get(cam);
        if (node == null) {
            throw new ModelLoadException(
                    model,
                    ModelMetadata.CAM_OUTPUT
                            + "="
                            + cam
                            + ", but the model's outputs are "
                            + outputs.keySet());
        }
        TensorInfo info = tensorInfo(node, model);
        long[] shape = info.getShape();
        if (info.type != OnnxJavaType.FLOAT
                || shape.length != 4
                || (shape[1] >= 0 && shape[1] != logitsPerImage)) {
            throw new ModelLoadException(
                    model,
                    "activation map output '"
                            + cam
                            + "' is "
                            + info.type
                            + " "
                            + format(shape)
                            + "; expected FLOAT [?,"
                            + logitsPerImage
                            + ",h,w] (one map per logit)");
        }
    }

    private static TensorInfo tensorInfo(NodeInfo node, String model) throws ModelLoadException {
        if (node.getInfo() instanceof TensorInfo info) {
            return info;
        }
        throw new ModelLoadException(
                model, "'" + node.getName() + "' is not a tensor: " + node.getInfo());
    }

    private static String format(long[] shape) {
        return Arrays.stream(shape)
                .mapToObj(d -> d < 0 ? "?" : Long.toString(d))
                .collect(Collectors.joining(",", "[", "]"));
    }
}
