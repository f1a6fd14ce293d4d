package dev.catsdogs.trainer.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.catsdogs.trainer.model.ModelSummary;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code catsdogs summary}: the Keras-style layer table of the transfer model. */
@Command(
        name = "summary",
        mixinStandardHelpOptions = true,
        description =
                "Print the model's layers (Keras names and indices), output shapes, parameter"
                        + " counts and what trains.")
final class SummaryCommand implements Callable<Integer> {

    @Option(
            names = "--fine-tune-at",
            paramLabel = "N",
            description =
                    "Show the fine-tuning phase: base layers from Keras index N on train. "
                            + "Without it, the feature-extraction phase (whole base frozen).")
    private Integer fineTuneAt;

    @Option(
            names = "--image-size",
            defaultValue = "160",
            description = "Input height and width (default: ${DEFAULT-VALUE}).")
    private int imageSize;

    @Option(
            names = "--classes",
            defaultValue = "2",
            description = "Number of classes (default: ${DEFAULT-VALUE}).")
    private int classes;

    @Override
    public Integer call() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = TransferNetwork.create(imageSize, classes);
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, imageSize, imageSize));
            if (fineTuneAt == null) {
                network.freezeBase();
            } else {
                network.setTrainableFrom(fineTuneAt);
            }
            System.out.print(ModelSummary.render(network));
        }
        return 0;
    }
}
