package dev.catsdogs.inference.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;

/**
 * {@link ClassificationMetrics} as a JSON object, the one shape that {@code catsdogs evaluate
 * --json} prints and the run directory's {@code report.json} stores per split:
 *
 * <pre>{@code
 * {"labels": ["cats","dogs"], "images": 1000, "accuracy": 0.98,
 *  "per_class": {"cats": {"precision": .., "recall": .., "f1": .., "support": 500}, ...},
 *  "macro_avg": {"precision": .., "recall": .., "f1": ..}, "weighted_avg": {...},
 *  "confusion": [[490, 10], [10, 490]],
 *  "auc": 0.998}
 * }</pre>
 *
 * {@code confusion} has a row per true class and a column per predicted class, in {@code labels}
 * order. {@code auc} (ROC AUC of the second label) is there for two classes, {@code null} when one
 * of them has no images; {@code top5_accuracy} for {@value ClassificationMetrics#TOP_K} classes or
 * more. Strict JSON: a figure without a value (the accuracy of no images) is {@code null}, never
 * NaN.
 */
public final class MetricsJson {

    private MetricsJson() {}

    /** The metrics as a new JSON object. */
    public static JsonObject toJson(ClassificationMetrics metrics) {
        ConfusionMatrix confusion = metrics.confusion();
        List<String> labels = metrics.labels();
        JsonObject json = new JsonObject();
        JsonArray names = new JsonArray(labels.size());
        labels.forEach(names::add);
        json.add("labels", names);
        json.addProperty("images", metrics.images());
        json.add("accuracy", number(metrics.accuracy()));
        JsonObject perClass = new JsonObject();
        for (int k = 0; k < labels.size(); k++) {
            JsonObject figures =
                    figures(confusion.precision(k), confusion.recall(k), confusion.f1(k));
            figures.addProperty("support", confusion.support(k));
            perClass.add(labels.get(k), figures);
        }
        json.add("per_class", perClass);
        json.add("macro_avg", figures(confusion.macro()));
        json.add("weighted_avg", figures(confusion.weighted()));
        JsonArray rows = new JsonArray(labels.size());
        for (long[] row : confusion.counts()) {
            JsonArray counts = new JsonArray(row.length);
            for (long count : row) {
                counts.add(count);
            }
            rows.add(counts);
        }
        json.add("confusion", rows);
        if (labels.size() == 2) {
            json.add(
                    "auc",
                    metrics.rocAuc().isPresent()
                            ? number(metrics.rocAuc().getAsDouble())
                            : JsonNull.INSTANCE);
        }
        metrics.topKAccuracy()
                .ifPresent(
                        a ->
                                json.add(
                                        "top" + ClassificationMetrics.TOP_K + "_accuracy",
                                        number(a)));
        return json;
    }

    private static JsonObject figures(ConfusionMatrix.Average average) {
        return figures(average.precision(), average.recall(), average.f1());
    }

    private static JsonObject figures(double precision, double recall, double f1) {
        JsonObject json = new JsonObject();
        json.add("precision", number(precision));
        json.add("recall", number(recall));
        json.add("f1", number(f1));
        return json;
    }

    private static JsonElement number(double value) {
        return Double.isFinite(value) ? new JsonPrimitive(value) : JsonNull.INSTANCE;
    }
}
