package dev.catsdogs.trainer.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.model.ClassifierHead;
import dev.catsdogs.trainer.model.KerasPadding;
import dev.catsdogs.trainer.model.MobileNetV2;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.ModelExport;
import dev.catsdogs.trainer.train.Json;
import dev.catsdogs.trainer.train.RunReport;
import dev.catsdogs.trainer.train.TrainingConfig;
import dev.catsdogs.trainer.train.TrainingRun;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code catsdogs export}: a run directory's trained network to ONNX, proven equal to DJL before it is kept. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export a trained run to ONNX (opset 13, BatchNorm folded, dynamic batch) with the metadata the "
                    + "inference module reads, after a parity check of DJL vs ONNX Runtime on validation images.",
            "Prints exactly one line 'parity: max_abs_logit_diff=<value> images=<N>'; exits non-zero and leaves no "
                    + "file when the difference exceeds 1e-3 or a predicted label differs."
        })
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "A run directory written by 'train'.")
    private Path run;

    @Option(names = "--out", paramLabel = "FILE.onnx", description = "Output file (default: DIR/model.onnx).")
    private Path out;

    @Option(names = "--parity-images", defaultValue = "64",
            description = "Validation images of the parity check (default: ${DEFAULT-VALUE}).")
    private int parityImages;

    @Option(names = "--with-preprocessing", negatable = false,
            description = "Export a graph taking uint8 RGB NHWC pixels at the model size (scaling and layout in the "
                    + "graph), for consumers without our preprocessing (e.g. Python, C++, web).")
    private boolean withPreprocessing;

    @Override
    public Integer call() throws Exception {
        JsonObject config = readJson(run.resolve(TrainingRun.CONFIG));
        JsonObject report = readJson(run.resolve(TrainingRun.REPORT));
        Path params = run.resolve(TrainingRun.PARAMETERS);
        if (!Files.isRegularFile(params)) {
            throw new IOException(params + ": no trained parameters in this run directory");
        }
        int imageSize = config.get("imageSize").getAsInt();
        long seed = config.get("seed").getAsLong();
        Dataset dataset = Dataset.load(Path.of(config.get("data_root").getAsString()), seed);
        JsonObject model = report.has("model") ? report.getAsJsonObject("model") : new JsonObject();
        KerasPadding.Style style = model.has("padding_style")
                ? KerasPadding.Style.valueOf(model.get("padding_style").getAsString()) : KerasPadding.Style.KERAS;
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = new TransferNetwork(new MobileNetV2(imageSize, style),
                    new ClassifierHead(dataset.classNames().size()));
            network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, imageSize, imageSize));
            try (InputStream in = Files.newInputStream(params)) {
                network.loadParameters(manager, new DataInputStream(in));
            }
            TrainingConfig settings = Json.gson().fromJson(config, TrainingConfig.class);
            ModelExport.Result result = ModelExport.export(run, out, network, dataset, settings, report,
                    parityImages, withPreprocessing);
            return result.passed() ? 0 : 1;
        }
    }

    /** Export at the end of {@code train}. */
    static ModelExport.Result exportRun(Path runDir, TransferNetwork network, Dataset dataset, TrainingConfig config,
            RunReport report, Path out, boolean withPreprocessing) throws IOException {
        ModelExport.Result result = ModelExport.export(runDir, out, network, dataset, config, report.snapshot(),
                config.parityImages(), withPreprocessing);
        JsonObject export = report.section("export");
        export.addProperty("file", result.file() == null ? null : result.file().toString());
        export.addProperty("parity_max_abs_logit_diff", result.maxAbsLogitDiff());
        export.addProperty("parity_images", result.images());
        export.addProperty("passed", result.passed());
        report.write();
        return result;
    }

    private static JsonObject readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not found; --run must be a directory written by 'catsdogs train'");
        }
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }
}
