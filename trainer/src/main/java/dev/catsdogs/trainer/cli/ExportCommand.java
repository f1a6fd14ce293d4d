package dev.catsdogs.trainer.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.ModelExport;
import dev.catsdogs.trainer.train.RunDirectory;
import dev.catsdogs.trainer.train.RunReport;
import dev.catsdogs.trainer.train.TrainingConfig;
import dev.catsdogs.trainer.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code catsdogs export}: a run directory's trained network to ONNX, proven equal to DJL before it
 * is kept.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export a trained run to ONNX (opset 13, BatchNorm folded, dynamic batch) with the"
                    + " metadata the inference module reads, after a parity check of DJL vs ONNX"
                    + " Runtime on validation images.",
            "Prints exactly one line 'parity: max_abs_logit_diff=<value> images=<N>'; exits"
                    + " non-zero and leaves no file when the difference exceeds 1e-3 or a predicted"
                    + " label differs."
        })
final class ExportCommand implements Callable<Integer> {

    @Option(
            names = "--run",
            required = true,
            paramLabel = "DIR",
            description = "A run directory written by 'train'.")
    private Path run;

    @Option(
            names = "--out",
            paramLabel = "FILE.onnx",
            description = "Output file (default: DIR/model.onnx).")
    private Path out;

    @Option(
            names = "--parity-images",
            defaultValue = "64",
            description = "Validation images of the parity check (default: ${DEFAULT-VALUE}).")
    private int parityImages;

    @Option(
            names = "--with-preprocessing",
            negatable = false,
            description =
                    "Export a graph taking uint8 RGB NHWC pixels at the model size (scaling and"
                            + " layout in the graph), for consumers without our preprocessing (e.g."
                            + " Python, C++, web).")
    private boolean withPreprocessing;

    @Override
    public Integer call() throws Exception {
        RunDirectory runDir = RunDirectory.open(run);
        TrainingConfig config = runDir.readConfig();
        Dataset dataset = Dataset.load(runDir.dataRoot(), config.seed());
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = runDir.loadNetwork(manager);
            ModelExport.Result result =
                    ModelExport.export(
                            runDir, out, network, dataset, config, parityImages, withPreprocessing);
            print(result);
            return result.passed() ? 0 : 1;
        }
    }

    /** Export at the end of {@code train}, recorded in the run's report. */
    static ModelExport.Result exportRun(
            TrainingRun run, TransferNetwork network, Dataset dataset, TrainingConfig config)
            throws IOException {
        ModelExport.Result result =
                ModelExport.export(
                        run.directory(),
                        null,
                        network,
                        dataset,
                        config,
                        config.parityImages(),
                        false);
        print(result);
        RunReport report = run.report();
        JsonObject export = report.section("export");
        export.addProperty("file", result.file() == null ? null : result.file().toString());
        export.addProperty("parity_max_abs_logit_diff", result.maxAbsLogitDiff());
        export.addProperty("parity_images", result.images());
        export.addProperty("passed", result.passed());
        report.write();
        return result;
    }

    private static void print(ModelExport.Result result) {
        System.out.println(result.parityLine());
        if (result.passed()) {
            System.out.println(
                    "exported: "
                            + result.file().toAbsolutePath()
                            + " ("
                            + result.bytes()
                            + " bytes)");
        } else {
            System.err.println("export failed: " + result.failure());
        }
    }
}
