package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.quantize.Int8Export;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --calibration-images N}, shared by {@code export --int8} and {@code train --int8}. */
final class CalibrationImagesOption {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(
            names = "--calibration-images",
            paramLabel = "N",
            description =
                    "With --int8: training images the activation ranges are measured on (default:"
                            + " ${DEFAULT-VALUE}).")
    private int count = Int8Export.DEFAULT_CALIBRATION_IMAGES;

    /**
     * The number of calibration images, given that the command's {@code --int8} is {@code int8}.
     *
     * @throws CommandLine.ParameterException (a usage error) when it is below 1, or given without
     *     {@code --int8} (it would be ignored)
     */
    int value(boolean int8) {
        if (!int8
                && command.commandLine()
                        .getParseResult()
                        .hasMatchedOption("--calibration-images")) {
            throw new CommandLine.ParameterException(
                    command.commandLine(),
                    "--calibration-images applies to the int8 model; it needs --int8");
        }
        if (count < 1) {
            throw new CommandLine.ParameterException(
                    command.commandLine(),
                    "Received --calibration-images " + count + "; expected at least 1");
        }
        return count;
    }
}
