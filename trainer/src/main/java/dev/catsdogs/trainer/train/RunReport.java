package dev.catsdogs.trainer.train;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.catsdogs.inference.eval.ClassificationMetrics;
import dev.catsdogs.inference.eval.MetricsJson;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.SkippedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.json}: what the run did and measured. As a listener it records every training event
 * and rewrites the file atomically at every milestone, so an interrupted run leaves the last
 * consistent state with {@code "status": "interrupted"}.
 */
public final class RunReport implements TrainingListener {

    private static final Gson GSON = Json.gsonWithNulls();

    /** The section describing the network: padding style, classes, input size. */
    static final String MODEL = "model";

    /** In {@value #MODEL}: how stride-2 convolutions pad (the imported weights decide). */
    static final String PADDING_STYLE = "padding_style";

    /** The exported model's figures per split, as {@code catsdogs evaluate} gives them. */
    static final String EVALUATION = "evaluation";

    private final Path file;
    private final JsonObject root;
    private TrainingContext context;
    private long phaseBeganNanos;
    // Caches are built before their phase begins; recorded in its section when it does.
    private final Map<String, String> phaseCaches = new LinkedHashMap<>();

    public RunReport(Path file) {
        this(file, new JsonObject());
        root.addProperty("status", "running");
        root.addProperty("interrupted", false);
    }

    private RunReport(Path file, JsonObject root) {
        this.file = file;
        this.root = root;
    }

    /** A report that continues {@code content}, as read from {@code file}, to add to it. */
    static RunReport resume(Path file, JsonObject content) {
        return new RunReport(file, content.deepCopy());
    }

    /** Marks a resumed run's report as running again: an interrupted run continues. */
    synchronized RunReport running() {
        root.addProperty("status", "running");
        root.addProperty("interrupted", false);
        root.remove("error");
        return this;
    }

    @Override
    public synchronized void onResume(TrainingState state) throws IOException {
        JsonObject resumed = new JsonObject();
        resumed.addProperty("after_epoch", state.epochsDone());
        resumed.addProperty("at", java.time.Instant.now().toString());
        JsonArray all = root.has("resumed") ? root.getAsJsonArray("resumed") : new JsonArray();
        all.add(resumed);
        root.add("resumed", all);
        write();
    }

    @Override
    public synchronized void onEarlyStop(
            Phase phase, int stoppedEpoch, int keptEpoch, double bestValLoss) throws IOException {
        JsonObject early = new JsonObject();
        early.addProperty("stopped_after_epoch", stoppedEpoch);
        early.addProperty("kept_epoch", keptEpoch);
        early.addProperty("best_val_loss", bestValLoss);
        section(phase.key()).add("early_stopping", early);
        write();
    }

    @Override
    public synchronized void onTrainingBegin(TrainingContext context) throws IOException {
        this.context = context;
        Dataset dataset = context.dataset();
        JsonObject data = section("data");
        data.addProperty("root", dataset.root().toString());
        data.addProperty("layout", dataset.layout().name().toLowerCase(Locale.ROOT));
        data.add("classes", GSON.toJsonTree(dataset.classNames()));
        data.addProperty("train", dataset.train().size());
        data.addProperty("validation", dataset.validation().size());
        data.addProperty("test", dataset.test().size());
        data.add("counts", GSON.toJsonTree(dataset.counts()));
        JsonObject model = section(MODEL);
        model.addProperty(PADDING_STYLE, context.network().base().paddingStyle().name());
        model.addProperty("classes", dataset.classNames().size());
        model.addProperty("image_size", context.config().data().imageSize());
        TrainingConfig config = context.config();
        float[] weights =
                config.classWeighting().weights(dataset.train(), dataset.classNames().size());
        if (weights != null) {
            JsonObject byClass = new JsonObject();
            for (int k = 0; k < weights.length; k++) {
                byClass.addProperty(dataset.classNames().get(k), weights[k]);
            }
            data.add("class_weights", byClass);
        }
        recordSkipped();
        write();
    }

    @Override
    public synchronized void onEvaluation(Stage stage, Evaluation evaluation) throws IOException {
        if (stage == Stage.INITIAL) {
            putEvaluation(stage.key(), "val_", evaluation);
        } else {
            putTest(evaluation, context.dataset().classNames());
        }
        recordSkipped();
        write();
    }

    @Override
    public synchronized void onCacheBuilt(
            String split, int boundary, int images, double seconds, String location) {
        phaseCaches.put(split, location);
    }

    @Override
    public synchronized void onPhaseBegin(PhaseStart start) throws IOException {
        phaseBeganNanos = System.nanoTime() - (long) (start.cacheSeconds() * 1e9);
        JsonObject section = section(start.phase().key());
        if (start.phase() == Phase.FINE_TUNING) {
            section.addProperty("fine_tune_at", context.config().model().fineTuneAt());
            section.addProperty("trainable_variables", start.trainableVariables());
        }
        section.addProperty("cached_from_layer", start.cachedFromLayer());
        section.addProperty("learning_rate", start.learningRate());
        PhaseSettings settings = context.config().phase(start.phase());
        LearningRateSchedule schedule = settings.learningRateSchedule();
        section.addProperty("learning_rate_schedule", schedule.kind().toString());
        if (schedule.warmupEpochs() > 0) {
            section.addProperty("warmup_epochs", schedule.warmupEpochs());
        }
        if (settings.earlyStopping().enabled()) {
            section.addProperty("early_stopping_patience", settings.earlyStopping().patience());
        }
        section.addProperty("trainable_params", start.trainableParams());
        // Phase time includes building its activation cache: that is part of what the phase costs.
        section.addProperty("cache_seconds", start.cacheSeconds());
        if (!phaseCaches.isEmpty()) {
            section.add("cache_location", GSON.toJsonTree(phaseCaches));
            phaseCaches.clear();
        }
        write();
    }

    @Override
    public synchronized void onEpochEnd(EpochRecord r) throws IOException {
        JsonObject section = section(r.phase().key());
        int first =
                r.phase() == Phase.FINE_TUNING ? context.config().featureExtraction().epochs() : 0;
        section.addProperty("epochs", r.epoch() - first);
        section.addProperty("loss", r.loss());
        section.addProperty("accuracy", r.accuracy());
        section.addProperty("val_loss", r.valLoss());
        section.addProperty("val_accuracy", r.valAccuracy());
        section.addProperty("seconds", (System.nanoTime() - phaseBeganNanos) / 1e9);
        recordSkipped();
        write();
    }

    @Override
    public synchronized void onTrainingEnd(TrainingOutcome outcome) throws IOException {
        if (outcome.status() == TrainingOutcome.Status.COMPLETED) {
            section("timing").addProperty("total_seconds", outcome.seconds());
        }
        recordSkipped(); // also when the data check failed the run before its first epoch ended
        finish(outcome.status().key(), outcome.error());
        write();
    }

    /** Files skipped by the scan (extension) and by decoding so far, each once. */
    private void recordSkipped() {
        if (context == null) {
            return;
        }
        JsonArray array = new JsonArray();
        for (SkippedFile s : context.skipped()) {
            JsonObject o = new JsonObject();
            o.addProperty("path", s.path().toString());
            o.addProperty("reason", s.reason());
            array.add(o);
        }
        JsonObject data = section("data");
        data.add("skipped", array);
        data.addProperty("skipped_count", array.size());
    }

    /** Where the run trains, as the user reads it ({@code cpu, 2 threads (PyTorch 2.7.1)}). */
    public synchronized void recordTrainingDevice(String where) {
        root.addProperty(RunDirectory.TRAINING_DEVICE, where);
    }

    /**
     * Where the run trains, in section {@code device}: name -> value (null where it does not
     * apply).
     */
    public synchronized void recordDevice(Map<String, String> fields) {
        JsonObject device = section("device");
        fields.forEach(device::addProperty);
    }

    /**
     * The float export's figures, in section {@code export}.
     *
     * @param file the written model, or null when the parity check failed
     */
    public synchronized void recordExport(
            Path file, double maxAbsLogitDiff, int parityImages, boolean passed)
            throws IOException {
        JsonObject export = section("export");
        export.addProperty("file", file == null ? null : file.toString());
        export.addProperty("parity_max_abs_logit_diff", maxAbsLogitDiff);
        export.addProperty("parity_images", parityImages);
        export.addProperty("passed", passed);
        write();
    }

    /** The export failed or was interrupted: the run ends so, with {@code error} saying why. */
    public synchronized void recordExportFailure(boolean interrupted, String error)
            throws IOException {
        section("export").addProperty("passed", false);
        finish(interrupted ? "interrupted" : "failed", error);
        write();
    }

    /**
     * The int8 export's choices and gate, in section {@code int8}.
     *
     * @param file the written model, or null when the gate refused it
     */
    public synchronized void recordInt8(
            Path file,
            String ranges,
            String weights7bit,
            double agreement,
            double accuracyFloat,
            double accuracyInt8,
            int validationImages,
            boolean passed)
            throws IOException {
        JsonObject section = section("int8");
        section.addProperty("file", file == null ? null : file.toString());
        section.addProperty("ranges", ranges);
        section.addProperty("weights_7bit", weights7bit);
        section.addProperty("agreement", agreement);
        section.addProperty("accuracy_fp32", accuracyFloat);
        section.addProperty("accuracy_int8", accuracyInt8);
        section.addProperty("validation_images", validationImages);
        section.addProperty("passed", passed);
        write();
    }

    /** The object at a top-level key, created on first use. */
    synchronized JsonObject section(String key) {
        if (!root.has(key)) {
            root.add(key, new JsonObject());
        }
        return root.getAsJsonObject(key);
    }

    /** Evaluation figures into a section, as val_* or plain keys. */
    private synchronized void putEvaluation(String section, String prefix, Evaluation e) {
        JsonObject s = section(section);
        s.addProperty(prefix + "loss", e.loss());
        s.addProperty(prefix + "accuracy", e.accuracy());
        s.addProperty(prefix + "images", e.images());
    }

    /** Test figures: accuracy, loss, confusion matrix, per-class precision and recall. */
    private synchronized void putTest(Evaluation e, List<String> classNames) {
        putEvaluation("test", "", e);
        JsonObject test = section("test");
        test.add("confusion_matrix", GSON.toJsonTree(e.confusion()));
        test.add("confusion_matrix_labels", GSON.toJsonTree(classNames));
        JsonObject precision = new JsonObject();
        JsonObject recall = new JsonObject();
        for (int k = 0; k < classNames.size(); k++) {
            precision.addProperty(classNames.get(k), e.precision(k));
            recall.addProperty(classNames.get(k), e.recall(k));
        }
        test.add("precision", precision);
        test.add("recall", recall);
    }

    /**
     * The {@value #EVALUATION} section: the file measured and, per split ({@code validation},
     * {@code test}), its figures as {@link MetricsJson} writes them. Replaces an earlier one.
     */
    public synchronized void putModelEvaluation(
            Path model, Map<String, ClassificationMetrics> bySplit) {
        JsonObject section = new JsonObject();
        section.addProperty("model", model.toString());
        bySplit.forEach((split, metrics) -> section.add(split, MetricsJson.toJson(metrics)));
        root.add(EVALUATION, section);
    }

    /** Marks the end state: "completed", "interrupted" or "failed". */
    synchronized void finish(String status, String error) {
        root.addProperty("status", status);
        root.addProperty("interrupted", status.equals("interrupted"));
        if (error != null) {
            root.addProperty("error", error);
        }
    }

    /**
     * Writes the report now (atomically), as strict JSON: a number that is not finite (a NaN loss
     * of an empty split, say) is written as {@code null}, and {@code non_finite} lists where and
     * what it was.
     */
    public synchronized void write() throws IOException {
        JsonObject strict = root.deepCopy();
        JsonArray nonFinite = new JsonArray();
        replaceNonFinite(strict, "", nonFinite);
        if (!nonFinite.isEmpty()) {
            strict.add("non_finite", nonFinite);
        }
        AtomicFiles.writeString(file, GSON.toJson(strict) + "\n");
    }

    private static void replaceNonFinite(JsonElement element, String path, JsonArray found) {
        if (element.isJsonObject()) {
            JsonObject object = element.getAsJsonObject();
            for (String key : List.copyOf(object.keySet())) {
                JsonElement value = object.get(key);
                String at = path.isEmpty() ? key : path + "." + key;
                if (isNonFinite(value)) {
                    found.add(at + " was " + value.getAsString());
                    object.add(key, JsonNull.INSTANCE);
                } else {
                    replaceNonFinite(value, at, found);
                }
            }
        } else if (element.isJsonArray()) {
            JsonArray array = element.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                String at = path + "[" + i + "]";
                if (isNonFinite(array.get(i))) {
                    found.add(at + " was " + array.get(i).getAsString());
                    array.set(i, JsonNull.INSTANCE);
                } else {
                    replaceNonFinite(array.get(i), at, found);
                }
            }
        }
    }

    private static boolean isNonFinite(JsonElement value) {
        return value.isJsonPrimitive()
                && value.getAsJsonPrimitive().isNumber()
                && !Double.isFinite(value.getAsDouble());
    }

    /** A copy of the current content. */
    public synchronized JsonObject snapshot() {
        return root.deepCopy();
    }
}
