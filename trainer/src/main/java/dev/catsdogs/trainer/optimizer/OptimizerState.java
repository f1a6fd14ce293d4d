package dev.catsdogs.trainer.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What an optimizer has learnt, for a checkpoint: its update count and its state tensors ({@code
 * slots} per parameter: RMSprop's mean square, Adam's two moments), parameter-major in the order of
 * the parameters. A parameter never updated has zeros, as a new optimizer would start it with.
 *
 * @param steps updates made so far
 * @param slots state tensors per parameter
 * @param tensors {@code slots x parameters} tensors
 * @param lossScale where float16's loss scaling stands ({@link LossScaledOptimizer}), or null
 */
public record OptimizerState(long steps, int slots, NDList tensors, LossScale lossScale) {

    /**
     * Float16's dynamic loss scale: the scale, the good steps since it last changed and the steps
     * skipped so far, so that a resumed run scales as the uninterrupted one would.
     */
    public record LossScale(float scale, int goodSteps, int skippedSteps) {}

    /** This state with float16's loss scale. */
    public OptimizerState withLossScale(LossScale lossScale) {
        return new OptimizerState(steps, slots, tensors, lossScale);
    }

    /**
     * The state held in {@code state} for {@code parameters}; the tensors are copies owned by
     * {@code manager}.
     */
    static OptimizerState of(
            long steps,
            int slots,
            List<Parameter> parameters,
            Map<Parameter, NDArray[]> state,
            NDManager manager) {
        NDList tensors = new NDList(slots * parameters.size());
        for (Parameter p : parameters) {
            NDArray[] s = state.get(p);
            for (int j = 0; j < slots; j++) {
                NDArray weight = p.getArray();
                NDArray copy =
                        s == null
                                ? manager.zeros(weight.getShape(), weight.getDataType())
                                : s[j].toDevice(manager.getDevice(), true);
                copy.attach(manager);
                tensors.add(copy);
            }
        }
        return new OptimizerState(steps, slots, tensors, null);
    }

    /**
     * Fills {@code state} for {@code parameters} from this checkpoint, each tensor a copy made by
     * {@code copy} (which places it where the optimizer keeps its state).
     *
     * @throws IllegalArgumentException when the shapes do not match the parameters
     */
    void restoreInto(
            List<Parameter> parameters,
            Map<Parameter, NDArray[]> state,
            int expectedSlots,
            Function<NDArray, NDArray> copy) {
        if (slots != expectedSlots || tensors.size() != slots * parameters.size()) {
            throw new IllegalArgumentException(
                    "optimizer state of "
                            + tensors.size()
                            + " tensors ("
                            + slots
                            + " per parameter) does not fit "
                            + parameters.size()
                            + " parameters with "
                            + expectedSlots
                            + " each");
        }
        int i = 0;
        for (Parameter p : parameters) {
            NDArray[] s = new NDArray[slots];
            for (int j = 0; j < slots; j++) {
                NDArray saved = tensors.get(i++);
                if (!saved.getShape().equals(p.getArray().getShape())) {
                    throw new IllegalArgumentException(
                            "optimizer state of "
                                    + p.getName()
                                    + " has shape "
                                    + saved.getShape()
                                    + ", the parameter "
                                    + p.getArray().getShape());
                }
                s[j] = copy.apply(saved);
            }
            NDArray[] old = state.put(p, s);
            if (old != null) {
                for (NDArray a : old) {
                    a.close();
                }
            }
        }
    }
}
