package dev.catsdogs.inference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.awt.image.BufferedImage;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.opencv.core.Mat;

/**
 * Classifies images with an ONNX model exported by the catsdogs trainer.
 *
 * <p>Ownership: the classifier owns one {@link OrtSession}; {@link #close()} releases it and is
 * idempotent. The {@link OrtEnvironment} is ONNX Runtime's process-wide singleton and is shared,
 * not owned. Every {@link OnnxTensor} and {@link OrtSession.Result} is closed within the call that
 * made it. Calling any method after {@code close()} throws {@link IllegalStateException}; {@code
 * close()} waits for runs already in progress.
 *
 * <p>Thread-safe: share one instance between threads. Each thread keeps its own direct input
 * buffer, sized for the largest batch it has run ({@code batch * 3 * H * W * 4} bytes).
 *
 * <pre>{@code
 * try (ImageClassifier classifier = ImageClassifier.builder(Path.of("model.onnx")).build()) {
 *   Prediction p = classifier.classify(Path.of("cat.jpg"));
 * }
 * }</pre>
 */
public final class ImageClassifier implements AutoCloseable {

    private final String model;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelMetadata metadata;
    private final ModelSignature signature;
    private final ImagePreprocessor preprocessor;
    private final LogitDecoder decoder;
    private final ThreadLocal<InputBuffers> buffers = ThreadLocal.withInitial(InputBuffers::new);
    // Runs hold the read lock, close() the write lock: the session is never closed under a run.
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private ImageClassifier(
            String model,
            OrtEnvironment env,
            OrtSession session,
            ModelMetadata metadata,
            ModelSignature signature,
            long maxPixels) {
        this.model = model;
        this.env = env;
        this.session = session;
        this.metadata = metadata;
        this.signature = signature;
        this.preprocessor =
                ImagePreprocessor.builder(metadata.preprocessingSpec())
                        .optMaxPixels(maxPixels)
                        .build();
        this.decoder = new LogitDecoder(metadata);
    }

    /** Starts a builder for the model at {@code modelFile}. */
    public static Builder builder(Path modelFile) {
        return new Builder(modelFile);
    }

    /** Builder: the model file is required, everything else is {@code opt*}. */
    public static final class Builder {
        private final Path modelFile;
        private int intraOpThreads;
        private ExecutionProvider provider = ExecutionProvider.CPU;
        private int deviceId;
        private long maxPixels = ImagePreprocessor.DEFAULT_MAX_PIXELS;

        private Builder(Path modelFile) {
            this.modelFile = Objects.requireNonNull(modelFile, "modelFile");
        }

        /** Threads ONNX Runtime uses inside one run; 0 (the default) lets it use all cores. */
        public Builder optIntraOpThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException(
                        "intraOpThreads must be >= 0 (0 = ONNX Runtime's default), got " + threads);
            }
            this.intraOpThreads = threads;
            return this;
        }

        /**
         * Where to run the model; default {@link ExecutionProvider#CPU}. {@link
         * ExecutionProvider#CUDA} needs the {@code com.microsoft.onnxruntime:onnxruntime_gpu}
         * artifact instead of {@code onnxruntime} on the class path.
         */
        public Builder optExecutionProvider(ExecutionProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** GPU index for {@link ExecutionProvider#CUDA}; default 0. */
        public Builder optDeviceId(int deviceId) {
            if (deviceId < 0) {
                throw new IllegalArgumentException("deviceId must be >= 0, got " + deviceId);
            }
            this.deviceId = deviceId;
            return this;
        }

        /** Decompression-bomb limit for encoded images, see {@link ImagePreprocessor.Builder}. */
        public Builder optMaxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Loads the model, reads and checks its metadata and input/output signature.
         *
         * @throws ModelLoadException naming the model file and what is wrong
         */
        public ImageClassifier build() throws ModelLoadException {
            String model = modelFile.toString();
            if (!Files.isRegularFile(modelFile)) {
                throw new ModelLoadException(
                        model,
                        Files.exists(modelFile) ? "not a regular file" : "model file not found");
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession session = null;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                if (intraOpThreads > 0) {
                    options.setIntraOpNumThreads(intraOpThreads);
                }
                if (provider == ExecutionProvider.CUDA) {
                    addCuda(options, model);
                }
                session = env.createSession(model, options);
                ModelMetadata metadata =
                        ModelMetadata.parse(session.getMetadata().getCustomMetadata(), model);
                int perImage = new LogitDecoder(metadata).logitsPerImage();
                ModelSignature signature =
                        ModelSignature.inspect(session, metadata, perImage, model);
                ImageClassifier classifier =
                        new ImageClassifier(model, env, session, metadata, signature, maxPixels);
                session = null; // owned by the classifier now
                return classifier;
            } catch (OrtException e) {
                throw new ModelLoadException(
                        model, "ONNX Runtime could not load the model: " + e.getMessage(), e);
            } finally {
                if (session != null) {
                    closeQuietly(session);
                }
            }
        }

        private void addCuda(OrtSession.SessionOptions options, String model)
                throws ModelLoadException {
            EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
            if (!available.contains(OrtProvider.CUDA)) {
                throw new ModelLoadException(
                        model,
                        "the CUDA execution provider was requested, but this "
                                + "ONNX Runtime build only has "
                                + available
                                + ". Depend on com.microsoft.onnxruntime:onnxruntime_gpu instead of"
                                + " com.microsoft.onnxruntime:onnxruntime and install matching CUDA"
                                + " and cuDNN");
            }
            try {
                options.addCUDA(deviceId);
            } catch (OrtException e) {
                throw new ModelLoadException(
                        model,
                        "could not enable CUDA on device "
                                + deviceId
                                + " (are the CUDA and cuDNN libraries installed?): "
                                + e.getMessage(),
                        e);
            }
        }
    }

    /** The model's contract read from its metadata. */
    public ModelMetadata metadata() {
        ensureOpen("metadata()");
        return metadata;
    }

    /** The preprocessor matching this model, e.g. to prepare tensors for {@link #runRaw}. */
    public ImagePreprocessor preprocessor() {
        ensureOpen("preprocessor()");
        return preprocessor;
    }

    /** Classifies an image file (JPEG, PNG or BMP). */
    public Prediction classify(Path file) throws InvalidImageException {
        Objects.requireNonNull(file, "file");
        return run("classify(Path)", 1, (i, dst) -> preprocessor.preprocess(file, dst)).get(0);
    }

    /** Classifies an encoded image in memory; {@code name} is used in error messages. */
    public Prediction classify(byte[] encoded, String name) throws InvalidImageException {
        Objects.requireNonNull(encoded, "encoded");
        return run("classify(byte[])", 1, (i, dst) -> preprocessor.preprocess(encoded, name, dst))
                .get(0);
    }

    /** Classifies a decoded Java image. */
    public Prediction classify(BufferedImage image) throws InvalidImageException {
        Objects.requireNonNull(image, "image");
        return run("classify(BufferedImage)", 1, (i, dst) -> preprocessor.preprocess(image, dst))
                .get(0);
    }

    /** Classifies a decoded OpenCV image (8-bit gray, BGR or BGRA); the Mat is not released. */
    public Prediction classify(Mat image) throws InvalidImageException {
        Objects.requireNonNull(image, "image");
        return run("classify(Mat)", 1, (i, dst) -> preprocessor.preprocess(image, dst)).get(0);
    }

    /**
     * Classifies image files in one model run. Results are in input order. The caller picks the
     * batch size: memory grows with it ({@code 3 * H * W * 4} bytes per image).
     *
     * @throws InvalidImageException for the first file that is not a usable image; nothing is run
     *     and the classifier stays usable
     */
    public List<Prediction> classifyBatch(List<Path> files) throws InvalidImageException {
        List<Path> copy = List.copyOf(files);
        return run(
                "classifyBatch",
                copy.size(),
                (i, dst) -> preprocessor.preprocess(copy.get(i), dst));
    }

    /**
     * Classifies encoded images in one model run, like {@link #classifyBatch}; {@code names.get(i)}
     * names {@code encoded.get(i)} in error messages.
     */
    public List<Prediction> classifyBatchBytes(List<byte[]> encoded, List<String> names)
            throws InvalidImageException {
        if (encoded.size() != names.size()) {
            throw new IllegalArgumentException(
                    "got "
                            + encoded.size()
                            + " images but "
                            + names.size()
                            + " names; pass one name per image");
        }
        List<byte[]> images = List.copyOf(encoded);
        List<String> labels = List.copyOf(names);
        return run(
                "classifyBatchBytes",
                images.size(),
                (i, dst) -> preprocessor.preprocess(images.get(i), labels.get(i), dst));
    }

    /**
     * Runs the model on a prepared float32 NCHW tensor, for benchmarks and tests. Reads {@code
     * batch * 3 * H * W} floats from {@code nchw.position()} without moving it. Use a direct buffer
     * in native order ({@code
     * ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder()).asFloatBuffer()}) to avoid a
     * copy.
     *
     * @return the raw model outputs, {@code [batch][logitsPerImage]}
     * @throws IllegalStateException for a uint8 NHWC model, or after close
     */
    public float[][] runRaw(FloatBuffer nchw, int batch) {
        ensureOpen("runRaw");
        if (signature.uint8Input()) {
            throw new IllegalStateException(
                    "runRaw takes a float32 NCHW tensor, but model "
                            + model
                            + " takes uint8 NHWC input; use classify instead");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        long needed = (long) batch * preprocessor.tensorSize();
        if (nchw.remaining() != needed) {
            throw new IllegalArgumentException(
                    "nchw has "
                            + nchw.remaining()
                            + " floats remaining, but a"
                            + " batch of "
                            + batch
                            + " needs exactly "
                            + needed
                            + " (batch x 3 x "
                            + metadata.inputHeight()
                            + " x "
                            + metadata.inputWidth()
                            + ")");
        }
        if (nchw.isDirect() && nchw.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException(
                    "a direct nchw buffer must be in native byte order ("
                            + ByteOrder.nativeOrder()
                            + "), got "
                            + nchw.order());
        }
        return runSession(nchw.slice(), batch);
    }

    /**
     * Releases the ONNX Runtime session. Idempotent; waits for runs in progress on other threads.
     *
     * @throws InferenceException if ONNX Runtime reports an error while releasing (the classifier
     *     is closed regardless)
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("Could not close the ONNX Runtime session of " + model, e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "ImageClassifier[" + model + ", " + metadata + (closed ? ", closed]" : "]");
    }

    /** Writes image {@code index} of a batch at {@code dst.position()}. */
    @FunctionalInterface
    private interface TensorWriter {
        void write(int index, FloatBuffer dst) throws InvalidImageException;
    }

    private List<Prediction> run(String method, int count, TensorWriter writer)
            throws InvalidImageException {
        ensureOpen(method);
        if (count == 0) {
            return List.of();
        }
        int imageSize = preprocessor.tensorSize();
        long total = (long) count * imageSize;
        if (4 * total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "a batch of "
                            + count
                            + " images needs "
                            + 4 * total
                            + " bytes, over the 2 GiB a direct buffer can hold; use batches of at"
                            + " most "
                            + (Integer.MAX_VALUE - 8) / 4 / imageSize
                            + " images");
        }
        InputBuffers threadBuffers = buffers.get();
        FloatBuffer input = threadBuffers.floats((int) total);
        for (int i = 0; i < count; i++) {
            input.position(i * imageSize);
            writer.write(i, input);
        }
        input.position(0);
        float[][] logits =
                signature.uint8Input()
                        ? runSession(threadBuffers.toUint8(input, (int) total), count)
                        : runSession(input, count);
        List<Prediction> predictions = new ArrayList<>(count);
        for (float[] imageLogits : logits) {
            predictions.add(decoder.decode(imageLogits));
        }
        return predictions;
    }

    // input: position 0, exactly count images; FloatBuffer (float32 NCHW) or ByteBuffer (uint8
    // NHWC).
    private float[][] runSession(Buffer input, int count) {
        lifecycle.readLock().lock();
        try {
            ensureOpen("run");
            if (signature.fixedBatchOfOne() && count > 1) {
                float[][] logits = new float[count][];
                int imageSize = input.limit() / count;
                for (int i = 0; i < count; i++) {
                    logits[i] =
                            runOnce(
                                    input.duplicate()
                                            .position(i * imageSize)
                                            .limit((i + 1) * imageSize)
                                            .slice(),
                                    1)[0];
                }
                return logits;
            }
            return runOnce(input, count);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private float[][] runOnce(Buffer input, int count) {
        long[] shape =
                signature.uint8Input()
                        ? new long[] {count, metadata.inputHeight(), metadata.inputWidth(), 3}
                        : new long[] {count, 3, metadata.inputHeight(), metadata.inputWidth()};
        try (OnnxTensor tensor = createTensor(input, shape);
                OrtSession.Result result =
                        session.run(
                                Map.of(signature.inputName(), tensor),
                                Set.of(signature.outputName()))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            int perImage = decoder.logitsPerImage();
            if (out.remaining() != count * perImage) {
                throw new InferenceException(
                        "model "
                                + model
                                + " output '"
                                + signature.outputName()
                                + "' has "
                                + out.remaining()
                                + " values for a batch of "
                                + count
                                + ", expected "
                                + count
                                + " x "
                                + perImage,
                        null);
            }
            float[][] logits = new float[count][perImage];
            for (float[] row : logits) {
                out.get(row);
            }
            return logits;
        } catch (OrtException e) {
            throw new InferenceException(
                    "ONNX Runtime failed running model "
                            + model
                            + " on a batch of "
                            + count
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private OnnxTensor createTensor(Buffer input, long[] shape) throws OrtException {
        return input instanceof FloatBuffer floats
                ? OnnxTensor.createTensor(env, floats, shape)
                : OnnxTensor.createTensor(env, (ByteBuffer) input, shape, OnnxJavaType.UINT8);
    }

    private void ensureOpen(String method) {
        if (closed) {
            throw new IllegalStateException(
                    method
                            + " called on a closed ImageClassifier (model "
                            + model
                            + "); build a new one with ImageClassifier.builder(...)");
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            // already failing with a more useful ModelLoadException; nothing more to report
        }
    }
}
