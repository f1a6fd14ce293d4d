package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;

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
 * <p>Without a gradient (cache builds, validation, a frozen forward) on the CPU, a second module
 * ({@code relu6_inference.pt}, from {@code src/main/torchscript/relu6_inference.py}) does what
 * PyTorch's own forward does: clips in place instead of allocating a new activation, and, when
 * Keras' ZeroPadding2D follows, writes the clipped values straight into the padded tensor instead
 * of padding a copy ({@code aten::pad} fills a new tensor and copies into it). In a frozen forward
 * at batch 32 those were 27 of the 60 ms by which ours trailed PyTorch's.
 *
 * <p>Values are identical to {@code clip(0, 6)} (then {@code pad}), which stands in when the engine
 * is not PyTorch.
 */
final class FusedRelu6 {

    private static final String TRAINING = "relu6.pt";
    private static final String INFERENCE = "relu6_inference.pt";

    // Null when the engine is not PyTorch. Owned by the manager they were loaded with.
    private final PtSymbolBlock hardtanh;
    private final PtSymbolBlock inference;

    private FusedRelu6(PtSymbolBlock hardtanh, PtSymbolBlock inference) {
        this.hardtanh = hardtanh;
        this.inference = inference;
    }

    /** Loads the modules into {@code manager}, which frees them when closed. */
    static FusedRelu6 load(NDManager manager) {
        if (!(manager instanceof PtNDManager pytorch)) {
            return new FusedRelu6(null, null);
        }
        return new FusedRelu6(
                TorchScriptResource.load(pytorch, FusedRelu6.class, TRAINING),
                TorchScriptResource.load(pytorch, FusedRelu6.class, INFERENCE));
    }

    /**
     * {@code min(max(x, 0), 6)}; the gradient, when one is recorded, is one kernel.
     *
     * @param mayOverwrite whether {@code x} is an intermediate no one else reads, which a forward
     *     without gradient may then clip in place (and return)
     */
    NDArray apply(NDArray x, boolean training, boolean mayOverwrite) {
        if (mayOverwrite && inferenceApplies(x)) {
            return runInference(x, new Padding(0, 0, 0, 0));
        }
        if (hardtanh == null || !training || !JniUtils.isGradMode()) {
            return x.clip(0f, 6f);
        }
        return hardtanh.forward(new ParameterStore(x.getManager(), false), new NDList(x), true)
                .head();
    }

    /** {@code apply} then zero padding, in one pass over the activation when possible. */
    NDArray applyThenPad(NDArray x, boolean training, Padding pad) {
        if (inferenceApplies(x)) {
            return runInference(x, pad);
        }
        return apply(x, training, false).pad(pad.toDjl(), 0);
    }

    // No gradient recorded (the module runs without autograd) and on the CPU (the module reads the
    // padding with item(), which would wait for a GPU).
    private boolean inferenceApplies(NDArray x) {
        return inference != null && !JniUtils.isGradMode() && !x.getDevice().isGpu();
    }

    private NDArray runInference(NDArray x, Padding pad) {
        NDArray padding =
                x.getManager()
                        .create(new long[] {pad.top(), pad.bottom(), pad.left(), pad.right()});
        // training=true only means "no inference-mode guard": the output stays a normal tensor.
        return inference
                .forward(new ParameterStore(x.getManager(), false), new NDList(x, padding), true)
                .head();
    }
}
