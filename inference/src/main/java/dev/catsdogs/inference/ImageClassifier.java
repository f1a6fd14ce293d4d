package dev.catsdogs.inference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.Internals;
import dev.catsdogs.inference.internal.OnnxRuntimeLoader;
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
 * <p>Ownership: the classifier owns one {@link OrtSession} and its {@link ImagePreprocessor} with
 * the preprocessor's native scratch; {@link #close()} releases both and is idempotent. The {@link
 * OrtEnvironment} is ONNX Runtime's process-wide singleton and is shared, not owned (it is started
 * without telemetry and with its natives in a per-user cache, see {@code docs/embedding.md}). Every
 * {@link OnnxTensor} and {@link OrtSession.Result} is closed within the call that made it. Calling
 * any method after {@code close()} throws {@link IllegalStateException}; {@code close()} waits for
 * classifications already in progress.
 *
 * <p>Thread-safe: share one instance between threads. Direct input buffers ({@code batch * 3 * H *
 * W * 4} bytes, grown for the largest batch seen) are borrowed per call from a pool of at most one
 * set per core, and dropped on close.
 *
 * <pre>{@code
 * try (ImageClassifier classifier = ImageClassifier.builder(Path.of("model.onnx")).build()) {
 *   Prediction p = classifier.classify(Path.of("cat.jpg"));
 * }
 * }</pre>
 */
public final class ImageClassifier implements AutoCloseable {

    static {
        // The benchmarks' and trainer's route to runRaw and the preprocessor, off the public API.
        Internals.register(
                new Internals.ClassifierAccess() {
                    @Override
                    public float[][] runRaw(ImageClassifier classifier, FloatBuffer nchw, int b) {
                        return classifier.runRaw(nchw, b);
                    }

                    @Override
                    public ImagePreprocessor preprocessor(ImageClassifier classifier) {
                        return classifier.preprocessor();
                    }
                });
    }

    private final String model;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelMetadata metadata;
    private final ModelSignature signature;
    private final ImagePreprocessor preprocessor;
    private final LogitDecoder decoder;
    private final ScratchPool<InputBuffers> buffers =
            new ScratchPool<>(
                    "ImageClassifier",
                    Runtime.getRuntime().availableProcessors(),
                    InputBuffers::new,
                    InputBuffers::release);
    // Runs hold the read lock, close() the write lock: the session is never closed under a run.
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private ImageClassifier(
            String model,
            OrtEnvironment env,
            OrtSession session,
            ModelMetadata metadata,
            ModelSignature signature,
            long maxPixels,
            Boolean fastJpegDecode) {
        this.model = model;
        this.env = env;
        this.session = session;
        this.metadata = metadata;
        this.signature = signature;
        this.preprocessor =
                ImagePreprocessor.builder(metadata.preprocessingSpec())
                        .optMaxPixels(maxPixels)
                        .optFastJpegDecode(
                                fastJpegDecode != null ? fastJpegDecode : metadata.fastJpegDecode())
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
        // null: as the model was trained (its metadata)
        private Boolean fastJpegDecode;

        private Builder(Path modelFile) {
            this.modelFile = Objects.requireNonNull(modelFile, "modelFile");
        }

        /** Threads ONNX Runtime uses inside one run; 0 (the default) lets it use all cores. */
        public Builder optIntraOpThreads(int threads) {
            if (threads < 0) {
                throw Arguments.received(
                        "intraOpThreads", threads, ">= 0 (0 = ONNX Runtime's default)");
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
                throw Arguments.received("deviceId", deviceId, ">= 0");
            }
            this.deviceId = deviceId;
            return this;
        }

        /** Decompression-bomb limit for encoded images, see {@link ImagePreprocessor.Builder}. */
        public Builder optMaxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw Arguments.received("maxPixels", maxPixels, ">= 1");
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Overrides how JPEGs are decoded (see {@link
         * ImagePreprocessor.Builder#optFastJpegDecode}). By default the classifier decodes as the
         * model was trained, {@link ModelMetadata#fastJpegDecode()}: scaled for models that say so,
         * full size otherwise. Anything else feeds the model pixels it did not train on.
         */
        public Builder optFastJpegDecode(boolean fastJpegDecode) {
            this.fastJpegDecode = fastJpegDecode;
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
                String problem =
                        Files.isDirectory(modelFile)
                                ? "is a directory, not a model file"
                                : Files.exists(modelFile)
                                        ? "not a regular file (a FIFO, device or socket)"
                                        : "model file not found";
                throw new ModelLoadException(model, problem);
            }
            OrtEnvironment env = OnnxRuntimeLoader.environment();
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
                        new ImageClassifier(
                                model,
                                env,
                                session,
                                metadata,
                                signature,
                                maxPixels,
                                fastJpegDecode);
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

    /** The preprocessor matching this model; reached through {@link Internals#preprocessor}. */
    ImagePreprocessor preprocessor() {
        ensureOpen("preprocessor()");
        return preprocessor;
    }

    /**
     * Classifies an image file (JPEG, PNG or BMP). Like every {@code classify} method, a batch of
     * one through {@link #classifyAll}.
     *
     * @throws InvalidImageException naming the input when it is not a usable image, or when its
     *     preprocessing failed in any other way (the cause is attached); the classifier stays
     *     usable
     */
    public Prediction classify(Path file) throws InvalidImageException {
        return classifyOne("classify(Path)", ImageInput.of(file));
    }

    /** Classifies an encoded image in memory; {@code name} is used in error messages. */
    public Prediction classify(byte[] encoded, String name) throws InvalidImageException {
        return classifyOne("classify(byte[])", ImageInput.of(encoded, name));
    }

    /** Classifies a decoded Java image. */
    public Prediction classify(BufferedImage image) throws InvalidImageException {
        return classifyOne("classify(BufferedImage)", ImageInput.of(image, "<BufferedImage>"));
    }

    /** Classifies a decoded OpenCV image (8-bit gray, BGR or BGRA); the Mat is not released. */
    public Prediction classify(Mat image) throws InvalidImageException {
        return classifyOne("classify(Mat)", ImageInput.of(image, "<Mat>"));
    }

    /**
     * Classifies many images with one model run. Every input gets an {@link Outcome}, in input
     * order: its prediction, or the {@link InvalidImageException} naming it. A bad input (missing,
     * corrupt, unsupported, or anything its preprocessing throws) fails alone; the others are
     * preprocessed into one contiguous batch and run once. The caller picks the batch size: memory
     * grows with it ({@code 3 * H * W * 4} bytes per image).
     *
     * <pre>{@code
     * for (Outcome o : classifier.classifyAll(List.of(ImageInput.of(a), ImageInput.of(b)))) {
     *     System.out.println(o.input().name() + ": " + (o.isSuccess()
     *             ? o.prediction().orElseThrow().label() : o.error().orElseThrow().problem()));
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException if the batch would need a direct buffer over 2 GiB
     * @throws InferenceException if ONNX Runtime fails on the batch (a model problem, not an image
     *     problem)
     */
    public List<Outcome> classifyAll(List<ImageInput> inputs) {
        return classifyAll("classifyAll", List.copyOf(inputs));
    }

    private Prediction classifyOne(String method, ImageInput input) throws InvalidImageException {
        return classifyAll(method, List.of(input)).get(0).predictionOrThrow();
    }

    /**
     * Whether the model has class activation maps ({@link ModelMetadata#CAM_OUTPUT}), so that
     * {@link #explain} works. Models exported before the maps were added have none.
     */
    public boolean hasActivationMaps() {
        ensureOpen("hasActivationMaps()");
        return signature.camOutputName() != null;
    }

    /** Explains an image file; see {@link #explain(ImageInput)}. */
    public Explanation explain(Path file) throws InvalidImageException {
        return explain(ImageInput.of(file));
    }

    /**
     * Classifies one image and says where in it the model saw its answer: the prediction, the photo
     * decoded upright, and the predicted class's activation map upsampled to the photo (see {@link
     * Explanation}). The prediction is the one {@link #classify} gives. One model run; the photo
     * and its map are held in memory ({@code 7 * width * height} bytes).
     *
     * @throws InvalidImageException naming the input when it is not a usable image
     * @throws IllegalStateException if the model has no activation maps ({@link
     *     #hasActivationMaps()}); the message says how to get a model that has them
     * @throws InferenceException if ONNX Runtime fails or the model computes a non-finite logit
     */
    public Explanation explain(ImageInput input) throws InvalidImageException {
        Objects.requireNonNull(input, "input");
        lifecycle.readLock().lock();
        try {
            ensureOpen("explain");
            if (signature.camOutputName() == null) {
                throw new IllegalStateException(
                        "model "
                                + model
                                + " has no activation maps (no "
                                + ModelMetadata.CAM_OUTPUT
                                + " output); export it again with this version ('catsdogs export"
                                + " --run DIR') to explain its predictions");
            }
            Mat photo = preprocessor.decode(input);
            try {
                return explain(input, photo);
            } finally {
                photo.release();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    // The caller holds the read lock; photo: upright BGR, owned by the caller. The model's input is
    // made from the encoded image as classify makes it (a JPEG may decode at reduced size, see
    // ImagePreprocessor), not from the full-size photo, so that the prediction is classify's.
    private Explanation explain(ImageInput image, Mat photo) throws InvalidImageException {
        String name = image.name();
        int imageSize = preprocessor.tensorSize();
        InputBuffers scratch = buffers.borrow("explain");
        float[] logits;
        ActivationMaps cam;
        try {
            FloatBuffer input = scratch.floats(imageSize);
            try {
                preprocessor.preprocess(image, input);
            } catch (RuntimeException e) {
                throw new InvalidImageException(name, "could not be preprocessed: " + e, e);
            }
            input.position(0);
            Buffer tensor = signature.uint8Input() ? scratch.toUint8(input, imageSize) : input;
            try (OnnxTensor in = createTensor(tensor, inputShape(1));
                    OrtSession.Result result =
                            session.run(
                                    Map.of(signature.inputName(), in),
                                    Set.of(signature.outputName(), signature.camOutputName()))) {
                logits = readLogits(result, 1)[0];
                cam = ActivationMaps.read(result, signature.camOutputName(), logits.length, model);
            } catch (OrtException e) {
                throw new InferenceException(
                        "ONNX Runtime failed running model " + model + ": " + e.getMessage(), e);
            }
        } finally {
            buffers.giveBack(scratch);
        }
        checkFinite(new float[][] {logits});
        Prediction prediction = decoder.decode(logits);
        float[] coarse = cam.classMap(prediction.classIndex(), logits.length);
        return new Explanation(
                prediction,
                BufferedImageConverter.toBufferedImage(photo),
                ActivationMaps.upsample(
                        coarse, cam.width(), cam.height(), photo.cols(), photo.rows()),
                coarse,
                cam.width(),
                cam.height());
    }

    /**
     * Runs the model on a prepared float32 NCHW tensor, for benchmarks and tests; reached through
     * {@link Internals#runRaw}, which documents it.
     */
    float[][] runRaw(FloatBuffer nchw, int batch) {
        lifecycle.readLock().lock();
        try {
            ensureOpen("runRaw");
            if (signature.uint8Input()) {
                throw new IllegalStateException(
                        "runRaw takes a float32 NCHW tensor, but model "
                                + model
                                + " takes uint8 NHWC input; use classify instead");
            }
            if (batch < 1) {
                throw Arguments.received("batch", batch, ">= 1");
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
                throw Arguments.received(
                        "nchw.order()",
                        nchw.order(),
                        "the native byte order ("
                                + ByteOrder.nativeOrder()
                                + ") for a direct buffer");
            }
            return runSession(nchw.slice(), batch);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Releases the ONNX Runtime session, the preprocessor's native scratch and the input buffers.
     * Idempotent; waits for classifications in progress on other threads.
     *
     * @throws InferenceException if ONNX Runtime reports an error while releasing (everything is
     *     released and the classifier is closed regardless)
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                session.close();
            } finally {
                preprocessor.close();
                buffers.close();
            }
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

    // Holds the read lock from the first decode to the last logit, so close() never releases the
    // session or the scratch under a classification.
    private List<Outcome> classifyAll(String method, List<ImageInput> inputs) {
        lifecycle.readLock().lock();
        try {
            ensureOpen(method);
            int count = inputs.size();
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
                                + " bytes, over the 2 GiB a direct buffer can hold; use batches of"
                                + " at most "
                                + (Integer.MAX_VALUE - 8) / 4 / imageSize
                                + " images");
            }
            InputBuffers scratch = buffers.borrow(method);
            try {
                return preprocessAndRun(inputs, imageSize, scratch);
            } finally {
                buffers.giveBack(scratch);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private List<Outcome> preprocessAndRun(
            List<ImageInput> inputs, int imageSize, InputBuffers scratch) {
        int count = inputs.size();
        FloatBuffer input = scratch.floats(count * imageSize);
        InvalidImageException[] errors = new InvalidImageException[count];
        int good = 0; // the good images are packed at the front, in input order
        for (int i = 0; i < count; i++) {
            ImageInput image = inputs.get(i);
            input.limit(count * imageSize).position(good * imageSize);
            try {
                preprocessor.preprocess(image, input);
                good++;
            } catch (InvalidImageException e) {
                errors[i] = e;
            } catch (RuntimeException e) { // e.g. a CvException: this image's problem alone
                errors[i] =
                        new InvalidImageException(
                                image.name(), "could not be preprocessed: " + e, e);
            }
        }
        float[][] logits = new float[0][];
        if (good > 0) {
            input.position(0).limit(good * imageSize);
            logits =
                    signature.uint8Input()
                            ? runSession(scratch.toUint8(input, good * imageSize), good)
                            : runSession(input, good);
        }
        checkFinite(logits);
        List<Outcome> outcomes = new ArrayList<>(count);
        for (int i = 0, next = 0; i < count; i++) {
            outcomes.add(
                    errors[i] != null
                            ? Outcome.failure(inputs.get(i), errors[i])
                            : Outcome.success(inputs.get(i), decoder.decode(logits[next++])));
        }
        return outcomes;
    }

    private void checkFinite(float[][] logits) {
        for (float[] imageLogits : logits) {
            for (float logit : imageLogits) {
                if (!Float.isFinite(logit)) {
                    // Not the image's fault: a model that computes NaN (a diverged training run)
                    // must not be served as a prediction, nor printed as invalid JSON.
                    throw new InferenceException(
                            "model "
                                    + model
                                    + " computed a logit of "
                                    + logit
                                    + "; it cannot classify (was it trained with a diverging"
                                    + " learning rate?)",
                            null);
                }
            }
        }
    }

    // input: position 0, exactly count images; FloatBuffer (float32 NCHW) or ByteBuffer (uint8
    // NHWC).
    // The caller holds the read lock.
    private float[][] runSession(Buffer input, int count) {
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
    }

    private float[][] runOnce(Buffer input, int count) {
        try (OnnxTensor tensor = createTensor(input, inputShape(count));
                OrtSession.Result result =
                        session.run(
                                Map.of(signature.inputName(), tensor),
                                Set.of(signature.outputName()))) {
            return readLogits(result, count);
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

    private long[] inputShape(int count) {
        return signature.uint8Input()
                ? new long[] {count, metadata.inputHeight(), metadata.inputWidth(), 3}
                : new long[] {count, 3, metadata.inputHeight(), metadata.inputWidth()};
    }

    private float[][] readLogits(OrtSession.Result result, int count) {
        FloatBuffer out =
                ((OnnxTensor) result.get(signature.outputName()).orElseThrow()).getFloatBuffer();
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
