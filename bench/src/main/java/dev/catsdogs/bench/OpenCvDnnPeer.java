package dev.catsdogs.bench;

import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.OpenCvLoader;
import java.nio.file.Path;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.dnn.Dnn;
import org.opencv.dnn.Net;

/**
 * The OpenCV DNN peer: the same ONNX file read by {@link Dnn#readNetFromONNX(String)}, run on
 * OpenCV's own CPU backend. The prepared NCHW tensor is wrapped as a 4-D {@code Mat} without a copy
 * (no {@code blobFromImage}: preprocessing is not part of the comparison).
 *
 * <p>Not thread-safe: one peer per thread. OpenCV's Java {@code Net} has no explicit release; its
 * native network is freed when the object is collected. Every {@code Mat} a run makes is released
 * within the run.
 */
public final class OpenCvDnnPeer {

    private static final String LOGITS_OUTPUT = "logits";

    private final Net net;

    private OpenCvDnnPeer(Net net) {
        this.net = net;
    }

    /**
     * Reads the model.
     *
     * @throws IllegalStateException with OpenCV's own message if it cannot read the graph (for
     *     example an op its ONNX importer does not support)
     */
    public static OpenCvDnnPeer load(Path onnx) {
        OpenCvLoader.ensureLoaded();
        Net net;
        try {
            net = Dnn.readNetFromONNX(onnx.toString());
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "OpenCV " + Core.VERSION + " DNN cannot read " + onnx + ": " + e.getMessage(),
                    e);
        }
        if (net.empty()) {
            throw new IllegalStateException(
                    "OpenCV " + Core.VERSION + " DNN read an empty network from " + onnx);
        }
        net.setPreferableBackend(Dnn.DNN_BACKEND_OPENCV);
        net.setPreferableTarget(Dnn.DNN_TARGET_CPU);
        return new OpenCvDnnPeer(net);
    }

    /**
     * Sets OpenCV's thread count for this process (a global setting of OpenCV's parallel loops).
     */
    public static void pinThreads(int threads) {
        if (threads < 1) {
            throw Arguments.received("threads", threads, ">= 1");
        }
        OpenCvLoader.ensureLoaded();
        Core.setNumThreads(threads);
        if (Core.getNumThreads() != threads) {
            throw new IllegalStateException(
                    "OpenCV uses "
                            + Core.getNumThreads()
                            + " threads after "
                            + "setNumThreads("
                            + threads
                            + ")");
        }
    }

    /** OpenCV's current thread count. */
    public static int threads() {
        OpenCvLoader.ensureLoaded();
        return Core.getNumThreads();
    }

    /** Runs the network on a prepared batch; returns its logits, {@code batch x units} values. */
    public float[] run(PreparedBatch input) {
        Mat rows = new Mat(input.batch(), input.imageSize(), CvType.CV_32F, input.bytes());
        Mat blob = rows.reshape(1, new int[] {input.batch(), 3, input.height(), input.width()});
        Mat out = null;
        try {
            net.setInput(blob);
            // By name: exports since the activation maps have a second output, "cam", and
            // forward() without a name returns the last layer's.
            out = net.forward(LOGITS_OUTPUT);
            float[] logits = new float[(int) out.total()];
            Mat flat = out.reshape(1, 1);
            try {
                flat.get(0, 0, logits);
            } finally {
                flat.release();
            }
            return logits;
        } finally {
            if (out != null) {
                out.release();
            }
            blob.release();
            rows.release();
        }
    }
}
