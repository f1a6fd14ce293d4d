package dev.catsdogs.trainer.quantize;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures the activations of the float graph: ONNX Runtime runs it with the intermediate tensors
 * exposed as extra outputs, twice over the calibration images (extremes first, then a histogram
 * between them), so that every {@link RangeMethod} can be derived from one calibration.
 */
public final class ActivationCalibrator {

    private static final int BATCH = 16;

    private ActivationCalibrator() {}

    /**
     * @param model the float graph
     * @param activations the tensors to measure (see {@link QdqRewriter#calibratedActivations}); a
     *     graph input is measured from the images themselves
     * @param images NCHW tensors of {@code channels x size x size}
     * @param threads ONNX Runtime intra-op threads
     * @return statistics per activation, in the order given
     */
    static Map<String, TensorStatistics> calibrate(
            OnnxMl.ModelProto model,
            List<String> activations,
            PreparedImages images,
            int size,
            int threads)
            throws OrtException {
        if (images.size() == 0) {
            throw new IllegalArgumentException("calibration needs at least one image");
        }
        Map<String, TensorStatistics> stats = new LinkedHashMap<>();
        activations.forEach(a -> stats.put(a, new TensorStatistics()));
        Set<String> inputs = new HashSet<>();
        model.getGraph().getInputList().forEach(i -> inputs.add(i.getName()));
        OnnxMl.GraphProto.Builder exposed = model.getGraph().toBuilder();
        Set<String> outputs = new HashSet<>();
        for (String a : activations) {
            if (!inputs.contains(a)) {
                // Type only: the shapes differ per tensor and ONNX Runtime infers them.
                exposed.addOutput(
                        OnnxMl.ValueInfoProto.newBuilder()
                                .setName(a)
                                .setType(
                                        OnnxMl.TypeProto.newBuilder()
                                                .setTensorType(
                                                        OnnxMl.TypeProto.Tensor.newBuilder()
                                                                .setElemType(
                                                                        OnnxMl.TensorProto.DataType
                                                                                .FLOAT_VALUE))));
                outputs.add(a);
            }
        }
        byte[] bytes = model.toBuilder().setGraph(exposed).build().toByteArray();
        try (OrtRunner runner = OrtRunner.open(bytes, threads, null)) {
            for (int pass = 0; pass < 2; pass++) {
                boolean extremes = pass == 0;
                for (int from = 0; from < images.size(); from += BATCH) {
                    List<float[]> batch = images.slice(from, from + BATCH);
                    for (String in : inputs) {
                        if (stats.containsKey(in)) {
                            for (float[] t : batch) {
                                observe(stats.get(in), FloatBuffer.wrap(t), extremes);
                            }
                        }
                    }
                    runner.run(
                            batch,
                            3,
                            size,
                            size,
                            outputs,
                            (name, values) -> observe(stats.get(name), values, extremes));
                }
            }
        }
        return stats;
    }

    private static void observe(TensorStatistics s, FloatBuffer values, boolean extremes) {
        if (extremes) {
            s.observeExtremes(values);
        } else {
            s.observeHistogram(values);
        }
    }

    /** The range of every activation under {@code method}. */
    public static Map<String, TensorRange> ranges(
            Map<String, TensorStatistics> statistics, RangeMethod method) {
        Map<String, TensorRange> ranges = new LinkedHashMap<>();
        statistics.forEach((name, s) -> ranges.put(name, method.range(s)));
        return ranges;
    }
}
