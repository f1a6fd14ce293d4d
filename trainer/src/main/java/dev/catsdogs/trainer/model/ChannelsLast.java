package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;

/**
 * Puts a CPU tensor into channels-last memory layout: NHWC strides, the same NCHW shape and values.
 *
 * <p>PyTorch's CPU convolutions (oneDNN) run depthwise and 1x1 convolutions faster in NHWC, and a
 * convolution of a channels-last input returns a channels-last output, which ReLU6, the padding and
 * the residual additions keep: one copy of the network's input buys NHWC for the whole forward. It
 * is what PyTorch's performance guide recommends for CNNs on CPU; in a frozen MobileNetV2 forward
 * at batch 32 it took ours from about 180 to 150 ms. Reading an array back ({@code toFloatArray})
 * still gives the NCHW order ({@code ChannelsLastTest}).
 *
 * <p>DJL's PyTorch JNI has no memory-format call, so this is a one-line TorchScript module ({@code
 * channels_last.pt}, written by {@code src/main/torchscript/channels_last.py}). Only on the CPU,
 * where it was measured; on a GPU, and with other engines, arrays pass through unchanged.
 */
final class ChannelsLast {

    private static final String MODULE = "channels_last.pt";

    // Null when the engine is not PyTorch. Owned by the manager it was loaded with.
    private final PtSymbolBlock module;

    private ChannelsLast(PtSymbolBlock module) {
        this.module = module;
    }

    /** Loads the module into {@code manager}, which frees it when closed. */
    static ChannelsLast load(NDManager manager) {
        if (!(manager instanceof PtNDManager pytorch)) {
            return new ChannelsLast(null);
        }
        return new ChannelsLast(TorchScriptResource.load(pytorch, ChannelsLast.class, MODULE));
    }

    /**
     * {@code x} in channels-last layout when it is a 4-d CPU tensor, otherwise {@code x} itself.
     * The result may share memory with {@code x} (when it already was channels-last); a gradient,
     * when recorded, flows through.
     */
    NDArray apply(NDArray x) {
        if (module == null || x.getDevice().isGpu() || x.getShape().dimension() != 4) {
            return x;
        }
        return module.forward(new ParameterStore(x.getManager(), false), new NDList(x), true)
                .head();
    }
}
