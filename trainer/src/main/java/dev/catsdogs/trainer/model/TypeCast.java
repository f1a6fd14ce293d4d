package dev.catsdogs.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;
import java.util.EnumMap;
import java.util.Map;

/**
 * Casts between float32 and the reduced types of {@link Precision} that a gradient flows through.
 *
 * <p>DJL 0.36 has none: {@code NDArray.toType} runs without recording a gradient, and cannot make
 * bfloat16 at all (its JNI's type table stops before it and aborts the process). Each cast here is
 * a one-line TorchScript module, {@code x.to(type)} ({@code to_float32.pt}, {@code to_bfloat16.pt},
 * {@code to_float16.pt}, written by {@code src/main/torchscript/dtype_casts.py}), loaded on first
 * use into the manager given, which frees them. The result belongs to {@code x}'s manager and keeps
 * its memory layout.
 */
final class TypeCast {

    private final NDManager manager;
    private final Map<Precision, PtSymbolBlock> modules = new EnumMap<>(Precision.class);

    TypeCast(NDManager manager) {
        this.manager = manager;
    }

    /**
     * {@code x} in {@code precision}'s type; a gradient, when recorded, flows back in {@code x}'s.
     *
     * @throws IllegalStateException when the engine is not PyTorch
     */
    NDArray to(NDArray x, Precision precision) {
        return module(precision)
                .forward(new ParameterStore(x.getManager(), false), new NDList(x), true)
                .head();
    }

    private PtSymbolBlock module(Precision precision) {
        PtSymbolBlock module = modules.get(precision);
        if (module == null) {
            if (!(manager instanceof PtNDManager pytorch)) {
                throw new IllegalStateException(
                        "--precision " + precision + " needs the PyTorch engine");
            }
            String file =
                    switch (precision) {
                        case FP32 -> "to_float32.pt";
                        case BF16 -> "to_bfloat16.pt";
                        case FP16 -> "to_float16.pt";
                    };
            module = TorchScriptResource.load(pytorch, TypeCast.class, file);
            modules.put(precision, module);
        }
        return module;
    }
}
