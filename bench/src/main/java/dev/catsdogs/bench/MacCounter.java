package dev.catsdogs.bench;

import ai.djl.nn.convolutional.Convolution;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.trainer.model.Layer;
import dev.catsdogs.trainer.model.MobileNetV2;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the multiply-accumulates of one image through the transfer network, summed over its own
 * layers: each {@code Conv2D} and {@code DepthwiseConv2D} of the MobileNetV2 base adds {@code
 * output pixels x output channels x (input channels / groups) x kernel area}, the Dense head {@code
 * features x logits}. BatchNorm, ReLU6, padding, additions and pooling are not counted: they are a
 * rounding error next to the convolutions and no MAC unit does them.
 *
 * <p>The class activation maps the exporter adds as a second output (the Dense kernel as a 1x1
 * convolution) are left out: classification asks ONNX Runtime for the logits alone, so the
 * benchmarked runs never compute them.
 */
public final class MacCounter {

    /** The head's entry in {@link Count#byLayerType()}. */
    static final String DENSE = "Dense";

    /**
     * The count.
     *
     * @param total MACs for one image
     * @param byLayerType MACs per Keras layer type ({@code Conv2D}, {@code DepthwiseConv2D}, {@code
     *     Dense}), in network order
     */
    public record Count(long total, Map<String, Long> byLayerType) {
        public Count {
            byLayerType = Collections.unmodifiableMap(new LinkedHashMap<>(byLayerType));
        }

        /** Floating-point operations of one image: two per multiply-accumulate. */
        public long flops() {
            return 2 * total;
        }
    }

    private MacCounter() {}

    /**
     * Counts the MACs of the network an exported model holds, from its metadata's input size and
     * class names.
     *
     * @throws IllegalArgumentException if the input is not square (MobileNetV2 here is built only
     *     for square inputs)
     */
    public static Count count(ModelMetadata metadata) {
        if (metadata.inputHeight() != metadata.inputWidth()) {
            throw Arguments.received(
                    "input",
                    metadata.inputHeight() + "x" + metadata.inputWidth(),
                    "a square input (MobileNetV2 is built here for square inputs only)");
        }
        // Keras padding: both padding styles give every layer the same output size.
        return count(TransferNetwork.create(metadata.inputHeight(), metadata.classNames().size()));
    }

    /** Counts the MACs of {@code network}; it needs no parameters, only its layer shapes. */
    public static Count count(TransferNetwork network) {
        MobileNetV2 base = network.base();
        Map<String, Long> byType = new LinkedHashMap<>();
        List<Layer> layers = base.layers();
        for (int i = 1; i < layers.size(); i++) {
            long macs = macs(layers.get(i - 1), layers.get(i));
            if (macs > 0) {
                byType.merge(layers.get(i).kind().kerasName(), macs, Long::sum);
            }
        }
        byType.put(DENSE, (long) base.outputChannels() * network.head().units());
        long total = byType.values().stream().mapToLong(Long::longValue).sum();
        return new Count(total, byType);
    }

    /**
     * MACs of {@code layer} on the output of {@code input}; 0 for a layer that is no convolution.
     */
    static long macs(Layer input, Layer layer) {
        if (!(layer.block() instanceof Convolution conv)) {
            return 0;
        }
        long kernelArea = conv.getKernelShape().size();
        long outputs = (long) layer.height() * layer.width() * layer.channels();
        return outputs * (input.channels() / conv.getGroups()) * kernelArea;
    }
}
