package dev.catsdogs.bench;

import ai.onnx.proto.OnnxMl;
import dev.catsdogs.trainer.quantize.ActivationType;
import dev.catsdogs.trainer.quantize.QdqRewriter;
import dev.catsdogs.trainer.quantize.TensorRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An int8 QDQ graph of the float model for the harness's tests, written by the exporter's own
 * rewriter with fixed activation ranges instead of calibrated ones: it runs the same integer
 * kernels at the same speed as a calibrated export, but its labels are not meant to be right.
 */
final class Int8TestModel {

    private Int8TestModel() {}

    /** Writes the int8 graph of {@code floatModel} to {@code target}. */
    static Path write(Path floatModel, Path target) throws IOException {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(floatModel));
        List<String> activations = QdqRewriter.calibratedActivations(model.getGraph());
        Map<String, TensorRange> ranges = new LinkedHashMap<>();
        String input = model.getGraph().getInput(0).getName();
        for (String a : activations) {
            // the input is normalized to [-1, 1]; the other activations get a generous range
            ranges.put(a, a.equals(input) ? new TensorRange(-1, 1) : new TensorRange(-16, 16));
        }
        byte[] bytes = QdqRewriter.rewrite(model, ranges, ActivationType.U8S8).toByteArray();
        return Files.write(target, bytes);
    }
}
