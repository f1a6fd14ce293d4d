package dev.catsdogs.trainer.model;

import ai.djl.nn.Parameter;
import java.util.Locale;

/**
 * A Keras-style {@code model.summary()} of a {@link TransferNetwork}: one row per layer, then
 * totals.
 */
public final class ModelSummary {

    private static final String ROW = "%-5s %-36s %-20s %-22s %12s  %s%n";

    private ModelSummary() {}

    /** Renders the table; the network must be initialized. */
    public static String render(TransferNetwork network) {
        StringBuilder out = new StringBuilder();
        MobileNetV2 base = network.base();
        out.append(
                String.format(
                        Locale.ROOT,
                        ROW,
                        "#",
                        "Layer",
                        "Type",
                        "Output Shape",
                        "Param #",
                        "Trainable"));
        out.append("=".repeat(110)).append('\n');
        long baseParams = 0;
        for (Layer layer : base.layers()) {
            long count = layer.parameterCount();
            baseParams += count;
            out.append(
                    String.format(
                            Locale.ROOT,
                            ROW,
                            layer.index(),
                            layer.name(),
                            layer.kind().kerasName(),
                            layer.outputShape(),
                            thousands(count),
                            trainability(layer)));
        }
        int units = network.head().units();
        out.append(
                String.format(
                        Locale.ROOT,
                        ROW,
                        "",
                        "global_average_pooling2d",
                        "GlobalAveragePooling2D",
                        "(None, " + base.outputChannels() + ")",
                        "0",
                        ""));
        if (network.head().dropout() > 0) { // Keras lists Dropout as a layer of no weights
            out.append(
                    String.format(
                            Locale.ROOT,
                            ROW,
                            "",
                            "dropout",
                            "Dropout",
                            "(None, " + base.outputChannels() + ")",
                            "0",
                            ""));
        }
        long headParams = 0;
        for (Parameter p : network.head().getParameters().values()) {
            headParams += p.getShape().size();
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        ROW,
                        "",
                        "dense",
                        "Dense",
                        "(None, " + units + ")",
                        thousands(headParams),
                        "yes"));
        out.append("=".repeat(110)).append('\n');

        long total = 0;
        long trainable = 0;
        for (Parameter p : network.getParameters().values()) {
            total += p.getShape().size();
            if (p.requiresGradient()) {
                trainable += p.getShape().size();
            }
        }
        out.append("Base (MobileNetV2) params: ").append(thousands(baseParams)).append('\n');
        out.append("Total params: ").append(thousands(total)).append('\n');
        out.append("Trainable params: ").append(thousands(trainable)).append('\n');
        out.append("Non-trainable params: ").append(thousands(total - trainable)).append('\n');
        out.append("Trainable variables: ")
                .append(network.trainableParameters().size())
                .append('\n');
        return out.toString();
    }

    private static String trainability(Layer layer) {
        if (layer.block() == null) {
            return "";
        }
        boolean any = layer.parameters().stream().anyMatch(Parameter::requiresGradient);
        return any ? "yes" : "frozen";
    }

    /** {@code 1863873 -> "1,863,873"}, independent of the JVM's locale. */
    public static String thousands(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
