package dev.catsdogs.bench.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.Locale;

/**
 * The whole default workflow, ours against {@code bench/pytorch/workflow.py}'s (PyTorch from
 * Python): the figures of the script's last output line, and the {@code workflow:} line and {@code
 * whole_vs_pytorch} ratio bench-train prints from them.
 *
 * @param pytorchSeconds the script's wall time for both phases (cache builds, epochs, validation),
 *     weight loading excluded as on our side
 * @param featureExtractionSeconds its phase 1, cache build included
 * @param fineTuningSeconds its phase 2, cache build included
 * @param featureExtractionAccuracy its validation accuracy after phase 1
 * @param fineTuningAccuracy its validation accuracy after phase 2
 */
public record WorkflowComparison(
        double pytorchSeconds,
        double featureExtractionSeconds,
        double fineTuningSeconds,
        double featureExtractionAccuracy,
        double fineTuningAccuracy) {

    /**
     * Reads workflow.py's last output line, a JSON object.
     *
     * @throws IllegalArgumentException naming what is missing when the line is not the script's
     */
    public static WorkflowComparison parse(String lastLine) {
        JsonObject json;
        try {
            JsonElement element = JsonParser.parseString(lastLine);
            if (!element.isJsonObject()) {
                throw new IllegalArgumentException(
                        "workflow.py's last line is not a JSON object: " + lastLine);
            }
            json = element.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(
                    "workflow.py's last line is not JSON: " + lastLine, e);
        }
        return new WorkflowComparison(
                seconds(json, "total_s"),
                seconds(json, "fe_s"),
                seconds(json, "ft_s"),
                accuracy(json, "fe_val_accuracy"),
                accuracy(json, "ft_val_accuracy"));
    }

    private static double seconds(JsonObject json, String key) {
        if (!json.has(key) || json.get(key).isJsonNull()) {
            throw new IllegalArgumentException(
                    "workflow.py's figures have no " + key + ": " + json);
        }
        double s = json.get(key).getAsDouble();
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException(
                    "workflow.py's "
                            + key
                            + " is "
                            + s
                            + "; expected a positive number of seconds");
        }
        return s;
    }

    /** NaN when the script ran no epoch of that phase (it writes null). */
    private static double accuracy(JsonObject json, String key) {
        return !json.has(key) || json.get(key).isJsonNull()
                ? Double.NaN
                : json.get(key).getAsDouble();
    }

    /** Our whole-run seconds over PyTorch's: the {@code whole_vs_pytorch} ratio (target <= 1.0). */
    public double wholeVsPytorch(double oursSeconds) {
        return oursSeconds / pytorchSeconds;
    }

    /** {@code workflow: ours_s=<a> pytorch_s=<b>}, then PyTorch's phases and accuracies. */
    public String line(double oursSeconds) {
        return String.format(
                Locale.ROOT,
                "workflow: ours_s=%.1f pytorch_s=%.1f (pytorch: feature extraction %.1f s,"
                        + " fine-tuning %.1f s, val_accuracy %.4f / %.4f)",
                oursSeconds,
                pytorchSeconds,
                featureExtractionSeconds,
                fineTuningSeconds,
                featureExtractionAccuracy,
                fineTuningAccuracy);
    }
}
