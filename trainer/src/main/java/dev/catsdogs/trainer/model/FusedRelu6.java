package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * ReLU6, {@code min(max(x, 0), 6)}, with PyTorch's one-kernel backward.
 *
 * <p>DJL's {@code NDArray.clip} is {@code torch.clamp}, whose backward makes four passes over the
 * activation ({@code ge}, {@code le}, {@code logical_and}, {@code where}); in a MobileNetV2
 * training step on CPU that was 30% of the time. PyTorch's own ReLU6 is {@code hardtanh(x, 0, 6)},
 * whose backward is one fused kernel, but DJL's PyTorch JNI has no hardtanh, so the training
 * forward calls it through a two-line TorchScript module ({@code relu6.pt}, written by {@code
 * src/main/torchscript/relu6.py}). Its gradient is also Keras': zero at exactly 0 and 6, like
 * TensorFlow's {@code Relu6Grad}, where clamp's is one.
 *
 * <p>Values are identical to {@code clip(0, 6)}, which every forward that records no gradient uses,
 * and which stands in when the engine is not PyTorch.
 */
final class FusedRelu6 {

    private static final String RESOURCE = "relu6.pt";

    // Null when the engine is not PyTorch. Owned by the manager it was loaded with.
    private final PtSymbolBlock hardtanh;

    private FusedRelu6(PtSymbolBlock hardtanh) {
        this.hardtanh = hardtanh;
    }

    /** Loads the module into {@code manager}, which frees it when closed. */
    static FusedRelu6 load(NDManager manager) {
        if (!(manager instanceof PtNDManager pytorch)) {
            return new FusedRelu6(null);
        }
        try (InputStream in = FusedRelu6.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the trainer jar");
            }
            return new FusedRelu6(JniUtils.loadModule(pytorch, in, true, false));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE + " from the trainer jar", e);
        }
    }

    /** {@code min(max(x, 0), 6)}; the gradient, when one is recorded, is one kernel. */
    NDArray apply(NDArray x, boolean training) {
        if (hardtanh == null || !training || !JniUtils.isGradMode()) {
            return x.clip(0f, 6f);
        }
        return hardtanh.forward(new ParameterStore(x.getManager(), false), new NDList(x), true)
                .head();
    }
}
