package dev.catsdogs.trainer.workflow;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.DecisionRule;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.Outcome;
import dev.catsdogs.inference.Prediction;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.inference.internal.ModelMetadataWriter;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.OnnxExporter;
import dev.catsdogs.trainer.train.Json;
import dev.catsdogs.trainer.train.Objective;
import dev.catsdogs.trainer.train.RunDirectory;
import dev.catsdogs.trainer.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Exports a trained network with its contract and provenance in {@code metadata_props}, then proves
 * the file right before keeping it: DJL and ONNX Runtime (through the inference module, same
 * preprocessing) on the same validation images must agree within 1e-3 on every logit and on every
 * label. The file is written atomically, and only when the proof passes.
 */
public final class ModelExport {

    /** Largest tolerated |DJL logit - ONNX Runtime logit|. */
    public static final double PARITY_TOLERANCE = 1e-3;

    /**
     * What the export did.
     *
     * @param file the written model, or null when parity failed
     * @param bytes the model's size in bytes
     * @param maxAbsLogitDiff the largest logit difference seen
     * @param images images compared
     * @param labelMismatches images whose predicted label differs
     */
    public record Result(
            Path file, long bytes, double maxAbsLogitDiff, int images, int labelMismatches) {

        /** Whether the file passed its parity check and was written. */
        public boolean passed() {
            return file != null;
        }

        /** The one line the commands print: {@code parity: max_abs_logit_diff=<d> images=<n>}. */
        public String parityLine() {
            return String.format(
                    Locale.ROOT,
                    "parity: max_abs_logit_diff=%.3g images=%d",
                    maxAbsLogitDiff,
                    images);
        }

        /** Why the export failed, for the error line; null when it passed. */
        public String failure() {
            if (passed()) {
                return null;
            }
            if (images == 0) {
                return "no validation image could be compared; no file written";
            }
            return String.format(
                    Locale.ROOT,
                    "%d label(s) differ, max logit difference %.3g (tolerance %.0e); no file"
                            + " written",
                    labelMismatches,
                    maxAbsLogitDiff,
                    PARITY_TOLERANCE);
        }

        static boolean within(double maxAbsLogitDiff, int images, int labelMismatches) {
            // NaN compares false: a model that computes NaN never passes.
            return images > 0 && labelMismatches == 0 && maxAbsLogitDiff <= PARITY_TOLERANCE;
        }
    }

    private ModelExport() {}

    /**
     * Exports {@code network} from a run; writes nothing unless the parity check passes.
     *
     * @param run the run directory (its report gives the accuracies in the provenance)
     * @param config the run's settings: provenance, and the JPEG decoding the model records and the
     *     parity check uses
     * @param out target file, or null for the run's {@value RunDirectory#MODEL} (or {@value
     *     RunDirectory#MODEL_UINT8} with preprocessing)
     * @param parityImages validation images to compare
     * @param withPreprocessing uint8 NHWC input with scaling in the graph
     * @param stopRequested polled between parity batches and before the file is kept
     * @throws TrainingInterruptedException when a stop was requested; nothing is written and the
     *     candidate file is removed
     */
    public static Result export(
            RunDirectory run,
            Path out,
            TransferNetwork network,
            Dataset dataset,
            TrainingConfig config,
            int parityImages,
            boolean withPreprocessing,
            BooleanSupplier stopRequested)
            throws IOException {
        Objects.requireNonNull(config, "config");
        Path target =
                out != null
                        ? out
                        : run.file(
                                withPreprocessing ? RunDirectory.MODEL_UINT8 : RunDirectory.MODEL);
        int size = network.base().inputSize();
        byte[] bytes = serialize(run, network, dataset, config, withPreprocessing);

        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path candidate = AtomicFiles.createSibling(target.toAbsolutePath(), ".candidate");
        try {
            Files.write(candidate, bytes);
            Result parity =
                    parity(
                            candidate,
                            network,
                            dataset.validation(),
                            parityImages,
                            size,
                            withPreprocessing,
                            config.data().fastJpegDecode(),
                            stopRequested);
            boolean passed =
                    Result.within(
                            parity.maxAbsLogitDiff(), parity.images(), parity.labelMismatches());
            checkStop(stopRequested);
            if (passed) {
                AtomicFiles.move(candidate, target);
            }
            return new Result(
                    passed ? target : null,
                    bytes.length,
                    parity.maxAbsLogitDiff(),
                    parity.images(),
                    parity.labelMismatches());
        } finally {
            Files.deleteIfExists(candidate);
        }
    }

    /**
     * The export's bytes, graph and metadata, before any check: what {@link #export} proves and
     * writes, and what the int8 export quantizes.
     */
    public static byte[] serialize(
            RunDirectory run,
            TransferNetwork network,
            Dataset dataset,
            TrainingConfig config,
            boolean withPreprocessing)
            throws IOException {
        OnnxExporter.Builder exporter =
                OnnxExporter.builder().optWithPreprocessing(withPreprocessing);
        metadata(network, dataset, config, run.accuracies(), withPreprocessing)
                .toProperties()
                .forEach(exporter::addMetadata);
        return exporter.build().export(network);
    }

    /**
     * DJL vs ONNX Runtime on the first {@code count} decodable validation images. A uint8 graph
     * sees the resized pixels rounded to whole levels, so DJL is given the same rounded pixels.
     * DJL's tensors are decoded as {@code fastJpegDecode} says; the classifier decodes as the
     * model's metadata says, so a model recording the wrong decoding fails here.
     */
    static Result parity(
            Path model,
            TransferNetwork network,
            List<Sample> validation,
            int count,
            int size,
            boolean uint8Input,
            boolean fastJpegDecode,
            BooleanSupplier stopRequested)
            throws IOException {
        PreprocessingSpec spec = PreprocessingSpec.mobileNetV2(size);
        // A uint8 graph is fed whole pixel levels: resize at 0..255, round, as the classifier does.
        List<Path> files = new ArrayList<>();
        List<float[]> tensors = new ArrayList<>();
        try (ImagePreprocessor pre =
                ImagePreprocessor.builder(
                                uint8Input
                                        ? new PreprocessingSpec(
                                                size, size, 1f, 0f, PreprocessingSpec.Layout.NHWC)
                                        : spec)
                        .optFastJpegDecode(fastJpegDecode)
                        .build()) {
            for (Sample s : validation) {
                if (files.size() == count) {
                    break;
                }
                try {
                    float[] tensor = pre.preprocess(ImageInput.of(s.file()));
                    tensors.add(uint8Input ? roundedPixelsToNchw(tensor, spec) : tensor);
                    files.add(s.file());
                } catch (InvalidImageException e) {
                    // a bad file is not a parity failure; the next one takes its place
                }
            }
        }
        double maxDiff = 0;
        int mismatches = 0;
        try (ImageClassifier classifier = ImageClassifier.builder(model).build();
                NDManager manager = NDManager.newBaseManager()) {
            for (int start = 0; start < files.size(); start += 16) {
                checkStop(stopRequested);
                int n = Math.min(16, files.size() - start);
                List<Outcome> ort =
                        classifier.classifyAll(
                                files.subList(start, start + n).stream()
                                        .map(ImageInput::of)
                                        .toList());
                float[] batch = new float[n * spec.tensorSize()];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(
                            tensors.get(start + i),
                            0,
                            batch,
                            i * spec.tensorSize(),
                            spec.tensorSize());
                }
                float[] djl;
                // One scope per batch: every intermediate activation of the full network lives in
                // it, and kept for all batches they were most of train's peak memory (+1.9 GB).
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(batch, new Shape(n, 3, size, size));
                    djl =
                            network.forward(new ParameterStore(scope, false), new NDList(x), false)
                                    .head()
                                    .toFloatArray();
                }
                int units = djl.length / n;
                for (int i = 0; i < n; i++) {
                    Prediction prediction = ort.get(i).predictionOrThrow(); // decoded fine above
                    float[] logits = prediction.logits();
                    int djlClass =
                            DecisionRule.classIndex(djl, i * units, units, Objective.THRESHOLD);
                    for (int k = 0; k < units; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(logits[k] - djl[i * units + k]));
                    }
                    mismatches += djlClass == prediction.classIndex() ? 0 : 1;
                }
            }
        } catch (InvalidImageException | ModelLoadException e) {
            throw new IOException("parity check: " + e.getMessage(), e);
        }
        return new Result(model, Files.size(model), maxDiff, files.size(), mismatches);
    }

    private static void checkStop(BooleanSupplier stopRequested) {
        if (stopRequested.getAsBoolean()) {
            throw new TrainingInterruptedException();
        }
    }

    /**
     * NHWC 0..255 floats -> rounded levels -> NCHW scaled as the graph does: level * scale +
     * offset.
     */
    private static float[] roundedPixelsToNchw(float[] hwc, PreprocessingSpec spec) {
        int pixels = spec.height() * spec.width();
        float[] chw = new float[hwc.length];
        for (int i = 0; i < pixels; i++) {
            for (int c = 0; c < 3; c++) {
                int level = Math.max(0, Math.min(255, Math.round(hwc[i * 3 + c])));
                chw[c * pixels + i] = level * spec.scale() + spec.offset();
            }
        }
        return chw;
    }

    private static ModelMetadataWriter metadata(
            TransferNetwork network,
            Dataset dataset,
            TrainingConfig config,
            Map<String, String> accuracies,
            boolean withPreprocessing) {
        int size = network.base().inputSize();
        TreeMap<String, String> provenance = new TreeMap<>();
        provenance.put("created", Instant.now().toString());
        provenance.put(
                "architecture",
                "MobileNetV2 1.0 (Keras layout, padding "
                        + network.base().paddingStyle()
                        + ") + GlobalAveragePooling2D + Dense("
                        + network.head().units()
                        + ")");
        provenance.put("data.root", dataset.root().getFileName().toString());
        provenance.put("data.counts", Json.gson().toJson(dataset.counts()).replaceAll("\\s+", ""));
        provenance.put("data.files_sha256", dataset.fileListChecksum());
        provenance.put("settings", Json.gson().toJson(config).replaceAll("\\s+", " "));
        provenance.putAll(accuracies);
        provenance.put(
                "versions",
                "catsdogs "
                        + BuildInfo.version()
                        + "; DJL "
                        + Engine.getDjlVersion()
                        + "; java "
                        + System.getProperty("java.version"));
        PreprocessingSpec spec = PreprocessingSpec.mobileNetV2(size);
        boolean binary = network.head().units() == 1;
        return new ModelMetadataWriter(
                        dataset.classNames(),
                        size,
                        size,
                        withPreprocessing
                                ? PreprocessingSpec.Layout.NHWC
                                : PreprocessingSpec.Layout.NCHW,
                        spec.scale(),
                        spec.offset(),
                        binary
                                ? ModelMetadata.OutputKind.SIGMOID
                                : ModelMetadata.OutputKind.SOFTMAX,
                        Objective.THRESHOLD,
                        config.data().fastJpegDecode(),
                        provenance)
                .withCamOutput(OnnxExporter.CAM);
    }
}
