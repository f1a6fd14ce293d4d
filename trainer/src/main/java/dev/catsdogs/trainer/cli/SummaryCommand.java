package dev.catsdogs.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.trainer.model.KerasPadding;
import dev.catsdogs.trainer.model.ModelSummary;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.train.DataSettings;
import dev.catsdogs.trainer.train.ModelSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Spec private CommandSpec spec;

    @Override
    public Integer call() {
        if (fineTuneAt != null && (fineTuneAt < 0 || fineTuneAt > ModelSettings.MAX_FINE_TUNE_AT)) {
            throw usageError(
                    "Received --fine-tune-at "
                            + fineTuneAt
                            + "; expected 0.."
                            + ModelSettings.MAX_FINE_TUNE_AT
                            + " (a Keras layer index of the base)");
        }
        if (imageSize < 32 || imageSize > DataSettings.MAX_IMAGE_SIZE) {
            throw usageError(
                    "Received --image-size "
                            + imageSize
                            + "; expected 32.."
                            + DataSettings.MAX_IMAGE_SIZE);
        }
        if (classes < 2) {
            throw usageError("Received --classes " + classes + "; expected at least 2");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network =
                    TransferNetwork.initialized(
                            imageSize, KerasPadding.Style.KERAS, classes, 0f, manager);
            if (fineTuneAt == null) {
                network.freezeBase();
            } else {
                network.setTrainableFrom(fineTuneAt);
            }
            System.out.print(ModelSummary.render(network));
        }
        return 0;
    }

    private CommandLine.ParameterException usageError(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
