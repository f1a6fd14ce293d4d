package dev.catsdogs.trainer.quantize;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import com.google.gson.JsonObject;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.inference.internal.ModelMetadataWriter;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Makes the int8 model from a float export, and keeps it only if it passes the {@link Int8Gate}:
 *
 * <ol>
 *   <li>calibrates the activations on N training images (a seeded shuffle of the training split);
 *   <li>writes one QDQ graph per {@link RangeMethod} and keeps the one closer to the float model on
 *       the next 256 training images, run with this CPU's fused kernels (a held-out slice: the
 *       validation split never chooses); then, on the same images, switches each layer's weights
 *       between 8 and 7 bits where that brings the logits clearly closer ({@link SaturationGuard});
 *   <li>runs the float and the int8 model on the whole validation split: the gate;
 *   <li>writes the file atomically, with the float model's metadata plus {@value
 *       ModelMetadata#QUANTIZATION}, only when the gate passed.
 * </ol>
 */
public final class Int8Export {

    public static final int DEFAULT_CALIBRATION_IMAGES = 256;

    /** Training images after the calibration ones that choose the range method. */
    static final int HELD_OUT_IMAGES = 256;

    /** U8S8: as fast as S8S8 at equal accuracy on x86 (see docs/performance.md). */
    public static final ActivationType DEFAULT_ACTIVATIONS = ActivationType.U8S8;

    private static final int BATCH = 32;

    /**
     * @param calibrationImages training images the ranges are measured on
     * @param activations the activation type
     * @param seed the run's seed; the image choice derives from it
     */
    public record Settings(int calibrationImages, ActivationType activations, long seed) {
        public Settings {
            if (calibrationImages < 1) {
                throw new IllegalArgumentException(
                        "Received calibrationImages=" + calibrationImages + "; expected >= 1");
            }
        }
    }

    /**
     * What the export did.
     *
     * @param file the written model, or null when the gate refused it
     * @param bytes its size
     * @param method the range method the held-out slice chose
     * @param guard the layers it gave 7-bit weights
     * @param gate the validation comparison
     * @param kernels node counts by op type of the graph ONNX Runtime optimized for this CPU
     */
    public record Result(
            Path file,
            long bytes,
            RangeMethod method,
            SaturationGuard guard,
            Int8Gate gate,
            Map<String, Integer> kernels) {
        public boolean passed() {
            return file != null;
        }

        /** {@code int8 kernels: QLinearConv=52 ...}: what ONNX Runtime runs. */
        public String kernelsLine() {
            StringBuilder s = new StringBuilder("int8 kernels:");
            kernels.forEach((op, n) -> s.append(' ').append(op).append('=').append(n));
            return s.toString();
        }
    }

    private Int8Export() {}

    private static Map<String, String> properties(OnnxMl.ModelProto model) {
        Map<String, String> props = new TreeMap<>();
        model.getMetadataPropsList().forEach(p -> props.put(p.getKey(), p.getValue()));
        return props;
    }

    /** The classifier's reading of the float model's metadata (its preprocessing and outputs). */
    static ModelMetadata metadataOf(OnnxMl.ModelProto floatModel) {
        try {
            return ModelMetadata.parse(properties(floatModel), "the float model");
        } catch (ModelLoadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * @param floatModel the float export (its metadata is the int8 model's too)
     * @param dataset the run's data: training images calibrate, validation images gate
     * @param target the int8 file to write
     * @param stopRequested polled between batches
     * @param progress told after each layer of the weight-width search (about a minute)
     * @throws IllegalArgumentException when {@code floatModel} is not a float NCHW export of the
     *     default graph
     * @throws TrainingInterruptedException when a stop was requested; nothing is written
     */
    public static Result export(
            byte[] floatModel,
            Dataset dataset,
            Settings settings,
            Path target,
            BooleanSupplier stopRequested,
            Consumer<String> progress)
            throws IOException {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(floatModel);
        Map<String, String> props = properties(model);
        ModelMetadata metadata = metadataOf(model);
        if (metadata.inputLayout() != PreprocessingSpec.Layout.NCHW) {
            throw new IllegalArgumentException(
                    "int8 export needs the float NCHW export, not a uint8 NHWC one");
        }
        int size = metadata.inputHeight();
        int units =
                metadata.outputKind() == ModelMetadata.OutputKind.SIGMOID
                        ? 1
                        : metadata.classNames().size();

        List<Sample> train = new ArrayList<>(dataset.train());
        Collections.shuffle(train, new Random(Seeds.derive(settings.seed(), "int8-calibration")));
        int calibrationCount = Math.min(settings.calibrationImages(), train.size());
        PreparedImages calibration =
                PreparedImages.of(train.subList(0, calibrationCount), metadata);
        List<Sample> heldOut =
                train.subList(
                        calibrationCount,
                        Math.min(train.size(), calibrationCount + HELD_OUT_IMAGES));
        Comparer comparer =
                new Comparer(floatModel, metadata, units, metadata.threshold(), stopRequested);
        try {
            List<String> activations = QdqRewriter.calibratedActivations(model.getGraph());
            checkStop(stopRequested);
            Map<String, TensorStatistics> stats =
                    ActivationCalibrator.calibrate(
                            model, activations, calibration, size, comparer.threads);
            Map<String, float[]> inputMeans =
                    ActivationCalibrator.channelMeans(
                            model,
                            QdqRewriter.layerInputChannels(model.getGraph()),
                            calibration,
                            size,
                            comparer.threads);

            // Judged with the fused kernels of this CPU: what the guard protects against exists
            // only in those kernels. First the range method, with 7-bit weights where inputs have
            // an offset; then each layer's weight width in graph order, kept only when the held-out
            // logits move clearly closer to the float model's.
            RangeMethod chosen = RangeMethod.values()[0];
            SaturationGuard guard = SaturationGuard.none();
            Map<String, TensorRange> ranges = ActivationCalibrator.ranges(stats, chosen);
            List<String> layers = List.of();
            LogitComparison best = null;
            if (!heldOut.isEmpty()) {
                for (RangeMethod method : RangeMethod.values()) {
                    Map<String, TensorRange> r = ActivationCalibrator.ranges(stats, method);
                    Map<String, Integer> zeroPoints =
                            QdqRewriter.inputZeroPoints(
                                    model.getGraph(), r, settings.activations());
                    SaturationGuard g =
                            SaturationGuard.offsetInputs(zeroPoints, settings.activations());
                    LogitComparison c =
                            comparer.compare(
                                    QdqRewriter.rewrite(
                                                    model, r, settings.activations(), g, inputMeans)
                                            .toByteArray(),
                                    heldOut,
                                    null);
                    if (best == null || c.closerThan(best)) {
                        best = c;
                        chosen = method;
                        guard = g;
                        ranges = r;
                        layers = List.copyOf(zeroPoints.keySet()); // graph order
                    }
                }
                for (int i = 0; i < layers.size(); i++) {
                    SaturationGuard candidate = guard.toggled(layers.get(i));
                    LogitComparison c =
                            comparer.compare(
                                    QdqRewriter.rewrite(
                                                    model,
                                                    ranges,
                                                    settings.activations(),
                                                    candidate,
                                                    inputMeans)
                                            .toByteArray(),
                                    heldOut,
                                    null);
                    if (c.clearlyCloserThan(best)) {
                        best = c;
                        guard = candidate;
                    }
                    if ((i + 1) % 10 == 0 || i + 1 == layers.size()) {
                        progress.accept(
                                String.format(
                                        Locale.ROOT,
                                        "int8: weight widths %d/%d layers, held-out mean |logit"
                                                + " diff| %.4f",
                                        i + 1,
                                        layers.size(),
                                        best.meanAbsLogitDiff()));
                    }
                }
            }
            OnnxMl.ModelProto int8 =
                    QdqRewriter.rewrite(model, ranges, settings.activations(), guard, inputMeans);

            Path optimized = Files.createTempFile("catsdogs-int8-optimized", ".onnx");
            Map<String, Integer> kernels;
            Int8Gate gate;
            try {
                gate =
                        Int8Gate.of(
                                comparer.compare(
                                        int8.toByteArray(), dataset.validation(), optimized));
                kernels = opCounts(optimized);
            } finally {
                Files.deleteIfExists(optimized);
            }
            checkStop(stopRequested);
            if (!gate.passed()) {
                return new Result(null, 0, chosen, guard, gate, kernels);
            }
            byte[] bytes =
                    withMetadata(int8, props, settings, chosen, guard, calibration.size(), gate)
                            .toByteArray();
            Files.createDirectories(target.toAbsolutePath().getParent());
            AtomicFiles.write(target.toAbsolutePath(), o -> o.write(bytes));
            return new Result(target, bytes.length, chosen, guard, gate, kernels);
        } catch (OrtException e) {
            throw new IOException("int8 export: ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** Runs the float model and an int8 candidate on the same images, batch by batch. */
    static final class Comparer {
        private final byte[] floatModel;
        private final ModelMetadata model;
        private final int units;
        private final float threshold;
        private final BooleanSupplier stopRequested;
        private final int threads = Runtime.getRuntime().availableProcessors();

        Comparer(
                byte[] floatModel,
                ModelMetadata model,
                int units,
                float threshold,
                BooleanSupplier stopRequested) {
            this.floatModel = floatModel;
            this.model = model;
            this.units = units;
            this.threshold = threshold;
            this.stopRequested = stopRequested;
        }

        /**
         * @param optimized where ONNX Runtime writes the int8 graph it runs, or null
         */
        LogitComparison compare(byte[] int8Model, List<Sample> samples, Path optimized)
                throws OrtException {
            LogitComparison c = new LogitComparison(units, threshold);
            int size = model.inputHeight();
            try (OrtRunner f = OrtRunner.open(floatModel, threads, null);
                    OrtRunner q =
                            OrtRunner.open(
                                    int8Model,
                                    threads,
                                    optimized == null ? null : optimized.toString())) {
                for (int from = 0; from < samples.size(); from += BATCH) {
                    checkStop(stopRequested);
                    PreparedImages batch =
                            PreparedImages.of(
                                    samples.subList(from, Math.min(samples.size(), from + BATCH)),
                                    model);
                    if (batch.size() > 0) {
                        c.add(
                                f.logits(batch.tensors(), 3, size, size),
                                q.logits(batch.tensors(), 3, size, size),
                                batch.labels(),
                                0);
                    }
                }
            }
            return c;
        }
    }

    static OnnxMl.ModelProto withMetadata(
            OnnxMl.ModelProto int8,
            Map<String, String> floatProps,
            Settings settings,
            RangeMethod method,
            SaturationGuard guard,
            int calibrationImages,
            Int8Gate gate) {
        JsonObject q = new JsonObject();
        q.addProperty("format", "QDQ");
        q.addProperty("scheme", settings.activations().name());
        q.addProperty("weights", "int8 symmetric, per output channel");
        q.addProperty("weights_7bit", guard.describe());
        q.addProperty("bias_correction", "weight rounding mean shift, on the calibration images");
        q.addProperty(
                "activations",
                (settings.activations() == ActivationType.U8S8 ? "uint8" : "int8")
                        + " per tensor; ReLU6 outputs [0, 6]");
        q.addProperty("ranges", method.describe());
        q.addProperty("calibration_images", calibrationImages);
        q.addProperty("calibration_split", "train");
        Map<String, String> provenance = new TreeMap<>();
        provenance.put("int8.agreement", format(gate.agreement()));
        provenance.put("int8.accuracy_fp32", format(gate.accuracyFloat()));
        provenance.put("int8.accuracy_int8", format(gate.accuracyInt8()));
        provenance.put("int8.validation_images", Integer.toString(gate.images()));
        Map<String, String> props =
                ModelMetadataWriter.quantized(floatProps, q.toString(), provenance);
        OnnxMl.ModelProto.Builder b = int8.toBuilder().clearMetadataProps();
        props.forEach(
                (k, v) ->
                        b.addMetadataProps(
                                OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return b.build();
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Node counts by op type, e.g. {@code QLinearConv=52}, sorted by name. */
    static Map<String, Integer> opCounts(Path model) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (OnnxMl.NodeProto n :
                OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model)).getGraph().getNodeList()) {
            counts.merge(n.getOpType(), 1, Integer::sum);
        }
        return counts;
    }

    private static void checkStop(BooleanSupplier stopRequested) {
        if (stopRequested.getAsBoolean()) {
            throw new TrainingInterruptedException();
        }
    }
}
