package dev.catsdogs.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * One Keras layer of the network, at its Keras index.
 *
 * @param index position in Keras' layer list ({@code model.layers[index]})
 * @param name the Keras layer name, e.g. {@code block_11_expand_BN}
 * @param kind the layer type
 * @param height output height
 * @param width output width
 * @param channels output channels
 * @param block the DJL block holding the weights, or {@code null} for parameter-free layers
 * @param pad for padding layers the padding, otherwise {@code null}
 * @param residualFrom for {@code Add}: index of the layer whose output is added, otherwise -1
 */
public record Layer(
        int index,
        String name,
        LayerKind kind,
        int height,
        int width,
        int channels,
        Block block,
        Padding pad,
        int residualFrom) {

    /** Every parameter of this layer (trainable or not), in DJL order. */
    public List<Parameter> parameters() {
        return block == null ? List.of() : block.getParameters().values();
    }

    /** Number of scalars in all parameters, as Keras counts them (moving statistics included). */
    public long parameterCount() {
        long total = 0;
        for (Parameter p : parameters()) {
            total += p.getShape().size();
        }
        return total;
    }

    /** Output shape as Keras prints it, e.g. {@code (None, 5, 5, 1280)}. */
    public String outputShape() {
        return "(None, " + height + ", " + width + ", " + channels + ")";
    }
}
