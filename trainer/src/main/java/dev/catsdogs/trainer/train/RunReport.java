package dev.catsdogs.trainer.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.catsdogs.trainer.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code report.json}: what the run did and measured. Rewritten atomically at every milestone, so
 * an interrupted run leaves the last consistent state with {@code "status": "interrupted"}.
 */
public final class RunReport {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private final Path file;
    private final JsonObject root = new JsonObject();

    public RunReport(Path file) {
        this.file = file;
        root.addProperty("status", "running");
        root.addProperty("interrupted", false);
    }

    /** The object at a top-level key, created on first use. */
    public synchronized JsonObject section(String key) {
        if (!root.has(key)) {
            root.add(key, new JsonObject());
        }
        return root.getAsJsonObject(key);
    }

    public synchronized void put(String key, String value) {
        root.addProperty(key, value);
    }

    /** Evaluation figures into a section, as val_* or plain keys. */
    public synchronized void putEvaluation(String section, String prefix, Evaluation e) {
        JsonObject s = section(section);
        s.addProperty(prefix + "loss", e.loss());
        s.addProperty(prefix + "accuracy", e.accuracy());
        s.addProperty(prefix + "images", e.images());
    }

    /** Test figures: accuracy, loss, confusion matrix, per-class precision and recall. */
    public synchronized void putTest(Evaluation e, List<String> classNames) {
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

    public synchronized void putArray(String section, String key, JsonArray array) {
        section(section).add(key, array);
    }

    /** Marks the end state: "completed", "interrupted" or "failed". */
    public synchronized void finish(String status, String error) {
        root.addProperty("status", status);
        root.addProperty("interrupted", status.equals("interrupted"));
        if (error != null) {
            root.addProperty("error", error);
        }
    }

    /** Writes the report now (atomically). */
    public synchronized void write() throws IOException {
        AtomicFiles.writeString(file, GSON.toJson(root) + "\n");
    }

    /** A copy of the current content. */
    public synchronized JsonObject snapshot() {
        return root.deepCopy();
    }
}
