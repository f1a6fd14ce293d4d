package dev.catsdogs.trainer.quantize;

import ai.onnx.proto.OnnxMl;
import dev.catsdogs.trainer.onnx.OnnxProtos;

/**
 * A Conv or Gemm weight in int8, symmetric, one scale per output channel: one scale per tensor
 * would give a depthwise filter with small weights the same steps as its largest neighbour.
 *
 * @param levels the int8 values, in the float tensor's layout
 * @param scales the scale of each output channel
 * @param axis the output-channel axis of the tensor
 * @param inner elements per output channel slice after {@code axis} (for the index arithmetic)
 */
record QuantizedWeight(byte[] levels, float[] scales, int axis, long inner) {

    /**
     * @param weight a float initializer
     * @param axis its output-channel axis
     * @param weightMax the largest level (127, or 63 where {@link SaturationGuard} says so)
     */
    static QuantizedWeight of(OnnxMl.TensorProto weight, int axis, int weightMax) {
        float[] w = OnnxProtos.toFloats(weight);
        long[] dims = OnnxProtos.dims(weight);
        int channels = (int) dims[axis];
        long inner = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        float[] absMax = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = (int) ((i / inner) % channels);
            absMax[c] = Math.max(absMax[c], Math.abs(w[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = absMax[c] > 0 ? absMax[c] / weightMax : 1f;
        }
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            int c = (int) ((i / inner) % channels);
            q[i] = (byte) Math.max(-weightMax, Math.min(weightMax, Math.round(w[i] / scales[c])));
        }
        return new QuantizedWeight(q, scales, axis, inner);
    }

    private int outputChannel(int index) {
        return (int) ((index / inner) % scales.length);
    }

    /**
     * The bias minus the mean shift the rounding of the weights causes (the empirical bias
     * correction of Nagel et al., "Data-Free Quantization", 2019): rounding errors of one output
     * channel do not average out over its inputs, they add a constant {@code sum (w_q - w) * E[x]}
     * to every output of that channel, and those shifts add up layer after layer. With the input
     * means measured on the calibration images this shift is removed before the bias is quantized.
     *
     * @param bias the float bias, one per output channel
     * @param floatWeights the float weight this was quantized from
     * @param inputMeans the mean of each input channel
     * @param group the Conv's group count (1 for Gemm)
     * @param gemm whether the weight is a Gemm's {@code [in, out]} or {@code [out, in]} matrix
     *     rather than a Conv's {@code [out, in / group, kh, kw]}
     */
    float[] correctedBias(
            float[] bias, float[] floatWeights, float[] inputMeans, int group, boolean gemm) {
        int outputs = scales.length;
        int perOutput = floatWeights.length / outputs;
        int inputsPerGroup = inputMeans.length / group;
        int kernel = perOutput / inputsPerGroup; // kh * kw for a Conv, 1 for a Gemm
        double[] shift = new double[outputs];
        for (int i = 0; i < floatWeights.length; i++) {
            int o = outputChannel(i);
            int input;
            if (gemm) {
                // [in, out] when the channel axis is 1, [out, in] when it is 0
                input = axis == 1 ? i / outputs : i % perOutput;
            } else {
                // Conv [out, in / group, kh, kw]: the input channel within the group, offset by
                // the group of this output channel
                input = (o / (outputs / group)) * inputsPerGroup + (i % perOutput) / kernel;
            }
            double error = levels[i] * (double) scales[o] - floatWeights[i];
            shift[o] += error * inputMeans[input];
        }
        float[] corrected = bias.clone();
        for (int o = 0; o < outputs; o++) {
            corrected[o] -= (float) shift[o];
        }
        return corrected;
    }
}
