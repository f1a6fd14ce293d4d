package dev.catsdogs.inference.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.catsdogs.inference.ClassProbability;
import dev.catsdogs.inference.Prediction;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * One JSON object per line: {@code {"path","label","probability","logit"}} for sigmoid models,
 * {@code "logits"} (an array) instead of {@code "logit"} for softmax models, {@code
 * {"path","error"}} for inputs that failed. With {@code --top K}, predictions also have {@code
 * "top": [{"label","probability"}, ...]}, most probable first.
 */
final class JsonLinesWriter implements ResultWriter {

    // Paths may contain '<', '=' or '&': keep them readable rather than \u003c-escaped.
    private static final Gson GSON =
            new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private final PrintWriter out;
    private final boolean singleLogit;
    private final int topK;

    /** {@code topK} 0: no {@code "top"} array. */
    JsonLinesWriter(PrintWriter out, boolean singleLogit, int topK) {
        this.out = out;
        this.singleLogit = singleLogit;
        this.topK = topK;
    }

    @Override
    public void prediction(Path file, Prediction prediction) {
        JsonObject line = new JsonObject();
        line.addProperty("path", Escapes.fileName(file));
        line.addProperty("label", prediction.label());
        line.addProperty("probability", prediction.probability());
        float[] logits = prediction.logits();
        if (singleLogit) {
            line.addProperty("logit", logits[0]);
        } else {
            JsonArray array = new JsonArray(logits.length);
            for (float logit : logits) {
                array.add(logit);
            }
            line.add("logits", array);
        }
        if (topK > 0) {
            JsonArray top = new JsonArray();
            for (ClassProbability c : prediction.topK(topK)) {
                JsonObject entry = new JsonObject();
                entry.addProperty("label", c.label());
                entry.addProperty("probability", c.probability());
                top.add(entry);
            }
            line.add("top", top);
        }
        out.println(GSON.toJson(line));
    }

    @Override
    public void error(Path file, String problem) {
        JsonObject line = new JsonObject();
        line.addProperty("path", Escapes.fileName(file));
        line.addProperty("error", problem);
        out.println(GSON.toJson(line));
    }
}
