package dev.catsdogs.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.Map;

/**
 * A parameter store that hands the convolutions and the Dense layer copies of their weights and
 * biases in a smaller type: the float32 parameters stay the master weights, and the copy is an
 * operation of the forward, so when a gradient is recorded it flows back through the cast and
 * arrives in float32. BatchNorm's parameters are handed over as they are: PyTorch normalizes a
 * reduced-type input with float32 statistics (what autocast does too).
 *
 * <p>One store per batch: each parameter is cast once per store, and the copies belong to the
 * store's manager, which the batch closes.
 */
final class CastingParameterStore extends ParameterStore {

    private final Precision precision;
    private final TypeCast cast;
    private final Map<String, NDArray> copies = new HashMap<>();

    /**
     * @param scope the batch's manager: the copies are attached to it
     * @param precision the type convolution and Dense weights are cast to
     * @param cast the differentiable cast
     */
    CastingParameterStore(NDManager scope, Precision precision, TypeCast cast) {
        super(scope, false);
        this.precision = precision;
        this.cast = cast;
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        NDArray value = super.getValue(parameter, device, training);
        if (value == null
                || value.getDataType() != DataType.FLOAT32
                || parameter.getType() != Parameter.Type.WEIGHT
                        && parameter.getType() != Parameter.Type.BIAS) {
            return value;
        }
        return copies.computeIfAbsent(
                parameter.getId(),
                id -> {
                    NDArray copy = cast.to(value, precision);
                    copy.attach(getManager()); // not the model's manager, which lives on
                    return copy;
                });
    }
}
