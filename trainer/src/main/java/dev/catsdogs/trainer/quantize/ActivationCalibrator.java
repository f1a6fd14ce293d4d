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
        Set<String> inputs = graphInputs(model);
        Set<String> outputs = new HashSet<>(activations);
        outputs.removeAll(inputs);
        try (OrtRunner runner = OrtRunner.open(exposing(model, outputs), threads, null)) {
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

    /**
     * The mean of every channel of every tensor in {@code channels} over {@code images} (all
     * positions of all images), for the bias correction of {@link QuantizedWeight}.
     *
     * @param channels tensor name to its channel count (see {@link
     *     QdqRewriter#layerInputChannels}); NCHW or NC tensors
     */
    static Map<String, float[]> channelMeans(
            OnnxMl.ModelProto model,
            Map<String, Integer> channels,
            PreparedImages images,
            int size,
            int threads)
            throws OrtException {
        Map<String, double[]> sums = new LinkedHashMap<>();
        channels.forEach((name, c) -> sums.put(name, new double[c]));
        Set<String> inputs = graphInputs(model);
        Set<String> outputs = new HashSet<>(channels.keySet());
        outputs.removeAll(inputs);
        try (OrtRunner runner = OrtRunner.open(exposing(model, outputs), threads, null)) {
            for (int from = 0; from < images.size(); from += BATCH) {
                List<float[]> batch = images.slice(from, from + BATCH);
                for (String in : inputs) {
                    if (sums.containsKey(in)) {
                        for (float[] t : batch) {
                            addChannelMeans(sums.get(in), FloatBuffer.wrap(t), 1);
                        }
                    }
                }
                runner.run(
                        batch,
                        3,
                        size,
                        size,
                        outputs,
                        (name, values) -> addChannelMeans(sums.get(name), values, batch.size()));
            }
        }
        Map<String, float[]> means = new LinkedHashMap<>();
        sums.forEach(
                (name, s) -> {
                    float[] m = new float[s.length];
                    for (int c = 0; c < s.length; c++) {
                        m[c] = (float) (s[c] / images.size());
                    }
                    means.put(name, m);
                });
        return means;
    }

    /** Adds each channel's mean over the positions of each of {@code images} to {@code sums}. */
    private static void addChannelMeans(double[] sums, FloatBuffer values, int images) {
        int positions = values.remaining() / (images * sums.length);
        for (int i = 0; i < values.remaining(); i++) {
            sums[(i / positions) % sums.length] += values.get(values.position() + i) / positions;
        }
    }

    private static Set<String> graphInputs(OnnxMl.ModelProto model) {
        Set<String> inputs = new HashSet<>();
        model.getGraph().getInputList().forEach(i -> inputs.add(i.getName()));
        return inputs;
    }

    /** {@code model} with {@code tensors} exposed as extra float outputs. */
    private static byte[] exposing(OnnxMl.ModelProto model, Set<String> tensors) {
        OnnxMl.GraphProto.Builder exposed = model.getGraph().toBuilder();
        for (String a : tensors) {
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
        }
        return model.toBuilder().setGraph(exposed).build().toByteArray();
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
