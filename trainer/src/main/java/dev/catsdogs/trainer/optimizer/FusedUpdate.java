package dev.catsdogs.trainer.optimizer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import dev.catsdogs.trainer.model.TorchScriptResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole optimizer update in one native call: a TorchScript module (written by {@code
 * src/main/torchscript/fused_optimizers.py}) whose {@code forward(params, grads, state, hyper)}
 * updates every parameter with PyTorch's multi-tensor {@code torch._foreach_*} operations, where an
 * update in NDArray operations makes about ten JNI calls per parameter tensor.
 *
 * <p>Every optimizer uses this one mechanism: its module, its number of state slots per parameter
 * (zeros at the start, kept here) and its scalars, in the order its module documents. {@link
 * FusedRmsProp} is the first.
 *
 * <p>PyTorch engine only ({@link #available()}). Owns its native manager, which holds the module
 * and the state; {@link #close()} frees both and may be called more than once.
 */
final class FusedUpdate implements AutoCloseable {

    private final String resource;
    private final int slots;
    private final NDManager manager;
    private final PtSymbolBlock module;
    private final Map<Parameter, NDArray[]> state = new HashMap<>();
    private boolean closed;

    /**
     * Loads {@code resource} (beside this class) with {@code slots} state tensors per parameter.
     *
     * @throws IllegalStateException when the default engine is not PyTorch
     */
    FusedUpdate(String resource, int slots) {
        if (!available()) {
            throw new IllegalStateException(
                    "Fused optimizer updates need the PyTorch engine; the default engine is "
                            + Engine.getDefaultEngineName());
        }
        this.resource = resource;
        this.slots = slots;
        this.manager = NDManager.newBaseManager();
        try {
            this.module =
                    TorchScriptResource.load((PtNDManager) manager, FusedUpdate.class, resource);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Whether the default engine can run fused updates: PyTorch. */
    static boolean available() {
        return "PyTorch".equals(Engine.getDefaultEngineName());
    }

    /**
     * Updates {@code parameters} from their gradients and zeroes the gradients: one call of the
     * module.
     */
    void apply(List<Parameter> parameters, double... hyper) {
        if (closed) {
            throw new IllegalStateException(resource + " update used after close()");
        }
        int n = parameters.size();
        PtNDArray[] weights = new PtNDArray[n];
        PtNDArray[] grads = new PtNDArray[n];
        PtNDArray[] states = new PtNDArray[slots * n];
        try {
            for (int i = 0; i < n; i++) {
                Parameter p = parameters.get(i);
                weights[i] = (PtNDArray) p.getArray();
                grads[i] = (PtNDArray) weights[i].getGradient();
                NDArray[] s = state.computeIfAbsent(p, k -> zeros(k.getArray()));
                for (int j = 0; j < slots; j++) {
                    states[j * n + i] = (PtNDArray) s[j];
                }
            }
            try (IValue w = IValue.listFrom(weights);
                    IValue g = IValue.listFrom(grads);
                    IValue s = IValue.listFrom(states);
                    IValue h = IValue.listFrom(hyper);
                    IValue result = module.forward(w, g, s, h)) {
                // forward returns None: the update is in place.
            }
        } finally {
            for (PtNDArray grad : grads) {
                if (grad != null) {
                    grad.close();
                }
            }
        }
    }

    /** A copy of the state tensors, {@code steps} recorded with them. */
    OptimizerState state(long steps, List<Parameter> parameters, NDManager owner) {
        return OptimizerState.of(steps, slots, parameters, state, owner);
    }

    /** Replaces the state by a checkpoint's. */
    void restore(List<Parameter> parameters, OptimizerState saved) {
        saved.restoreInto(
                parameters,
                state,
                slots,
                t -> {
                    NDArray copy = t.toDevice(t.getDevice(), true);
                    copy.attach(manager);
                    return copy;
                });
    }

    private NDArray[] zeros(NDArray weight) {
        NDArray[] s = new NDArray[slots];
        for (int j = 0; j < slots; j++) {
            s[j] = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
        }
        return s;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            state.clear();
            manager.close();
        }
    }
}
