package dev.catsdogs.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import dev.catsdogs.trainer.onnx.WeightImportException;
import dev.catsdogs.trainer.train.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The DJL peer: the trainer's {@link TransferNetwork} on the PyTorch engine, in a DJL {@link
 * Model}, run through a {@link Predictor}. Its weights are imported from the shipped ONNX file with
 * the trainer's importer (the same trained network the classifier runs), or loaded from a training
 * run's {@code model.params}.
 *
 * <p>Owns the model (and so every parameter); {@link #close()} releases it and is idempotent.
 * Predictors made by {@link #newPredictor()} belong to the caller and must be closed first.
 */
public final class DjlPeer implements AutoCloseable {

    private final Model model;
    private final String source;
    private boolean closed;

    private DjlPeer(Model model, String source) {
        this.model = model;
        this.source = source;
    }

    /**
     * Builds the network for {@code size x size} images and {@code classes} classes with the
     * weights of {@code workspace.run()} if set, else of {@code workspace.model()}.
     *
     * @throws IOException if a file cannot be read or the weights do not fit the network
     */
    public static DjlPeer load(Workspace workspace, int size, int classes) throws IOException {
        Model model = Model.newInstance("catsdogs-djl-peer", Device.cpu(), "PyTorch");
        try {
            String source;
            if (workspace.run() != null) {
                RunDirectory run = RunDirectory.open(workspace.run());
                TransferNetwork network = run.loadNetwork(model.getNDManager());
                if (network.base().inputSize() != size || run.classNames().size() != classes) {
                    throw new IOException(
                            workspace.run()
                                    + ": a "
                                    + network.base().inputSize()
                                    + " px, "
                                    + run.classNames().size()
                                    + "-class run, but the benchmark model is "
                                    + size
                                    + " px with "
                                    + classes
                                    + " classes");
                }
                model.setBlock(network);
                source = display(run.file(RunDirectory.PARAMETERS));
            } else {
                MobileNetV2Weights weights = MobileNetV2Weights.read(workspace.model());
                // Unfrozen (BatchNorm not folded): the network as an importer would run it.
                TransferNetwork network =
                        TransferNetwork.initialized(
                                size, weights.paddingStyle(), classes, 0f, model.getNDManager());
                weights.applyTo(network.base());
                weights.applyClassifierTo(network.head().dense());
                model.setBlock(network);
                source =
                        display(workspace.model())
                                + " (imported with the trainer's MobileNetV2Weights)";
            }
            // Inference only: no parameter records gradients, so PyTorch builds no autograd graph.
            for (Parameter p : model.getBlock().getParameters().values()) {
                p.getArray().setRequiresGradient(false);
            }
            DjlPeer peer = new DjlPeer(model, source);
            model = null; // owned by the peer
            return peer;
        } catch (WeightImportException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            if (model != null) {
                model.close();
            }
        }
    }

    /** Where the weights came from. */
    public String source() {
        return source;
    }

    /**
     * A predictor taking a prepared batch and returning its logits, {@code batch x units} values.
     * Not thread-safe (DJL's advice: one predictor per thread); close it before the peer.
     */
    public Predictor<PreparedBatch, float[]> newPredictor() {
        if (closed) {
            throw new IllegalStateException(
                    "newPredictor() called on a closed DjlPeer (" + source + ")");
        }
        return model.newPredictor(new TensorTranslator());
    }

    /**
     * Sets PyTorch's intra-op thread count for this process (libtorch's global setting), and turns
     * autograd off on the calling thread (PyTorch's grad mode is per thread).
     */
    public static void pinThreads(int threads) {
        if (threads < 1) {
            throw Arguments.received("threads", threads, ">= 1");
        }
        JniUtils.setNumThreads(threads);
        JniUtils.setGradMode(false);
        if (JniUtils.getNumThreads() != threads) {
            throw new IllegalStateException(
                    "PyTorch kept "
                            + JniUtils.getNumThreads()
                            + " intra-op threads after set_num_threads("
                            + threads
                            + ")");
        }
    }

    /** PyTorch's current intra-op thread count. */
    public static int threads() {
        return JniUtils.getNumThreads();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }

    /** {@code file} relative to the repository when it is inside it. */
    private static String display(Path file) {
        Path root = Workspace.root();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }

    /**
     * Prepared NCHW tensor in, logits out. The input is handed to PyTorch as the direct
     * native-order byte buffer the other engines read (DJL takes a direct {@code ByteBuffer}
     * without an extra Java copy); the output is copied into a {@code float[]}, as ONNX Runtime's
     * and OpenCV's are.
     */
    private static final class TensorTranslator
            implements NoBatchifyTranslator<PreparedBatch, float[]> {

        @Override
        public NDList processInput(TranslatorContext ctx, PreparedBatch input) {
            return new NDList(
                    ctx.getNDManager()
                            .create(input.bytes(), new Shape(input.shape()), DataType.FLOAT32));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.singletonOrThrow().toFloatArray();
        }
    }
}
