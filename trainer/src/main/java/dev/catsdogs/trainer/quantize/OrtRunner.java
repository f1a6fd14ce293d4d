package dev.catsdogs.trainer.quantize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.catsdogs.inference.internal.OnnxRuntimeLoader;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One ONNX Runtime session over an in-memory graph with a single float NCHW input, for calibration
 * and comparisons. Owns the session; {@link #close()} is idempotent.
 */
final class OrtRunner implements AutoCloseable {

    private final OrtEnvironment env = OnnxRuntimeLoader.environment();
    private final OrtSession session;
    private final String input;
    private final String firstOutput;
    private boolean closed;

    private OrtRunner(OrtSession session) throws OrtException {
        this.session = session;
        this.input = session.getInputNames().iterator().next();
        this.firstOutput = session.getOutputNames().iterator().next();
    }

    /**
     * @param model a serialized ONNX graph
     * @param threads intra-op threads
     * @param optimizedModel where ONNX Runtime writes the graph it actually runs, or null
     */
    static OrtRunner open(byte[] model, int threads, String optimizedModel) throws OrtException {
        return open(model, threads, optimizedModel, OrtSession.SessionOptions.OptLevel.ALL_OPT);
    }

    static OrtRunner open(
            byte[] model,
            int threads,
            String optimizedModel,
            OrtSession.SessionOptions.OptLevel level)
            throws OrtException {
        // Started here first: SessionOptions would otherwise start ONNX Runtime its own way.
        OrtEnvironment env = OnnxRuntimeLoader.environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(level);
            // Not its warning that a saved optimized graph is specific to this CPU: we only read
            // it.
            options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            options.setIntraOpNumThreads(threads);
            if (optimizedModel != null) {
                options.setOptimizedModelFilePath(optimizedModel);
            }
            OrtSession session = env.createSession(model, options);
            try {
                return new OrtRunner(session);
            } catch (OrtException | RuntimeException e) {
                session.close();
                throw e;
            }
        }
    }

    /** The first output (the logits) of {@code images}, concatenated. */
    float[] logits(List<float[]> images, int channels, int height, int width) throws OrtException {
        List<float[]> out = new ArrayList<>(1);
        run(
                images,
                channels,
                height,
                width,
                Set.of(firstOutput),
                (name, values) -> {
                    float[] copy = new float[values.remaining()];
                    values.get(copy);
                    out.add(copy);
                });
        return out.get(0);
    }

    /**
     * Runs {@code images} as one batch and hands each requested output to {@code sink}; the buffer
     * is valid only during the call.
     */
    void run(
            List<float[]> images,
            int channels,
            int height,
            int width,
            Set<String> outputs,
            BiConsumer<String, FloatBuffer> sink)
            throws OrtException {
        int perImage = channels * height * width;
        FloatBuffer batch = FloatBuffer.allocate(images.size() * perImage);
        images.forEach(batch::put);
        batch.flip();
        long[] shape = {images.size(), channels, height, width};
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, batch, shape);
                OrtSession.Result result = session.run(Map.of(input, tensor), outputs)) {
            for (Map.Entry<String, OnnxValue> e : result) {
                sink.accept(e.getKey(), ((OnnxTensor) e.getValue()).getFloatBuffer());
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing an ONNX Runtime session failed", e);
        }
    }
}
