package dev.catsdogs.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * One image's class activation maps as the model computed them ({@code [1, logits, h, w]}), and the
 * two steps from them to an {@link Explanation}: pick the predicted class's map, upsample it.
 *
 * @param values the maps, map by map, row by row
 * @param width columns of each map
 * @param height rows of each map
 */
record ActivationMaps(float[] values, int width, int height) {

    /** Reads the maps output of a run on one image. */
    static ActivationMaps read(OrtSession.Result result, String output, int logits, String model) {
        OnnxValue value = result.get(output).orElseThrow();
        long[] shape = ((TensorInfo) value.getInfo()).getShape();
        if (shape.length != 4 || shape[0] != 1 || shape[1] != logits) {
            throw new InferenceException(
                    "model "
                            + model
                            + " output '"
                            + output
                            + "' has shape "
                            + Arrays.toString(shape)
                            + " for one image; expected [1, "
                            + logits
                            + ", h, w]",
                    null);
        }
        FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return new ActivationMaps(values, (int) shape[3], (int) shape[2]);
    }

    /**
     * The map of {@code classIndex}. With one logit (sigmoid) the map is class 1's logit, so class
     * 0 gets it negated: evidence for "cats" is evidence against "dogs".
     */
    float[] classMap(int classIndex, int logits) {
        int plane = width * height;
        float[] map = new float[plane];
        if (logits == 1) {
            float sign = classIndex == 1 ? 1f : -1f;
            for (int i = 0; i < plane; i++) {
                map[i] = sign * values[i];
            }
        } else {
            System.arraycopy(values, classIndex * plane, map, 0, plane);
        }
        return map;
    }

    /**
     * {@code map} ({@code w x h}) resized bilinearly to {@code toWidth x toHeight}, with half-pixel
     * centres as the preprocessing resizes: cell centres land on the centres of the photo regions
     * the cells saw.
     */
    static float[] upsample(float[] map, int w, int h, int toWidth, int toHeight) {
        Mat small = new Mat(h, w, CvType.CV_32FC1);
        Mat large = new Mat();
        try {
            small.put(0, 0, map);
            Imgproc.resize(small, large, new Size(toWidth, toHeight), 0, 0, Imgproc.INTER_LINEAR);
            float[] out = new float[toWidth * toHeight];
            large.get(0, 0, out);
            return out;
        } finally {
            small.release();
            large.release();
        }
    }
}
