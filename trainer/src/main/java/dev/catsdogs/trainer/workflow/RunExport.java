package dev.catsdogs.trainer.workflow;

import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.quantize.Int8Export;
import dev.catsdogs.trainer.train.ErrorPictures;
import dev.catsdogs.trainer.train.RunDirectory;
import dev.catsdogs.trainer.train.RunReport;
import dev.catsdogs.trainer.train.TrainingConfig;
import dev.catsdogs.trainer.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.util.function.Consumer;

/**
 * The exports at the end of {@code train}: the float model, proven equal to DJL, then (with {@code
 * --int8}) the gated int8 model made from it; each recorded in the run's report. The command line
 * only prints what they return.
 */
public final class RunExport {

    private RunExport() {}

    /**
     * The float export and, when it passed, the run's mistakes ({@code errors.png}, {@code
     * confusion.png}, the report's evaluation block).
     *
     * @param mistakes null when the export did not pass
     */
    public record FloatOutcome(ModelExport.Result result, ErrorPictures.Summary mistakes) {}

    /**
     * Exports the trained {@code network} of {@code run} to its {@code model.onnx}; an interruption
     * leaves {@code status: interrupted} and no model file.
     */
    public static FloatOutcome exportModel(TrainingRun run, TransferNetwork network)
            throws IOException {
        RunReport report = run.report();
        Dataset dataset = run.dataset();
        TrainingConfig config = run.config();
        ModelExport.Result result;
        try {
            result =
                    ModelExport.export(
                            run.directory(),
                            null,
                            network,
                            dataset,
                            config,
                            config.outputs().parityImages(),
                            false,
                            run::stopRequested);
        } catch (IOException | RuntimeException e) {
            boolean interrupted = e instanceof TrainingInterruptedException;
            report.recordExportFailure(
                    interrupted,
                    interrupted ? "interrupted during the export" : "export failed: " + e);
            throw e;
        }
        report.recordExport(
                result.file(), result.maxAbsLogitDiff(), result.images(), result.passed());
        ErrorPictures.Summary mistakes =
                result.passed()
                        ? ErrorPictures.write(
                                run.directory(), report, result.file(), dataset, run::stopRequested)
                        : null;
        return new FloatOutcome(result, mistakes);
    }

    /**
     * The int8 model from the run's proven float export, calibrated on {@code calibrationImages}
     * training images and gated on the validation split; {@code progress} gets its progress lines.
     */
    public static Int8Export.Result exportInt8(
            TrainingRun run, int calibrationImages, Consumer<String> progress) throws IOException {
        RunDirectory directory = run.directory();
        Int8Export.Result result =
                Int8Export.export(
                        Files.readAllBytes(directory.file(RunDirectory.MODEL)),
                        run.dataset(),
                        new Int8Export.Settings(
                                calibrationImages,
                                Int8Export.DEFAULT_ACTIVATIONS,
                                run.config().seed()),
                        directory.file(RunDirectory.MODEL_INT8),
                        run::stopRequested,
                        progress);
        run.report()
                .recordInt8(
                        result.file(),
                        result.method().describe(),
                        result.guard().describe(),
                        result.gate().agreement(),
                        result.gate().accuracyFloat(),
                        result.gate().accuracyInt8(),
                        result.gate().images(),
                        result.passed());
        return result;
    }
}
