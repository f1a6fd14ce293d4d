package dev.catsdogs.spark;

import dev.catsdogs.inference.Prediction;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * The columns a scored row gets, and their values. Sigmoid models: {@code label, probability,
 * logit, error, model_sha256}; softmax models: {@code label, probability, logits, probabilities,
 * error, model_sha256}. {@code label}, {@code probability} and the logits are null on error rows;
 * {@code error} (the problem, as {@code classify --json} prints it) is null on classified rows.
 *
 * @param label the chosen class
 * @param probability the probability of the label
 * @param logit the raw output of a sigmoid model (float)
 * @param logits the raw outputs of a softmax model (array of float)
 * @param probabilities every class's probability for a softmax model (array of float)
 * @param error why the image could not be classified
 * @param modelSha256 SHA-256 of the model file
 */
public record OutputColumns(
        String label,
        String probability,
        String logit,
        String logits,
        String probabilities,
        String error,
        String modelSha256)
        implements Serializable {

    /** The default names. */
    public static final OutputColumns DEFAULT =
            new OutputColumns(
                    "label",
                    "probability",
                    "logit",
                    "logits",
                    "probabilities",
                    "error",
                    "model_sha256");

    public OutputColumns {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(probability, "probability");
        Objects.requireNonNull(logit, "logit");
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(probabilities, "probabilities");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(modelSha256, "modelSha256");
    }

    /** The column names for a sigmoid or softmax model, in output order. */
    public List<String> names(boolean sigmoid) {
        return sigmoid
                ? List.of(label, probability, logit, error, modelSha256)
                : List.of(label, probability, logits, probabilities, error, modelSha256);
    }

    /** The fields appended to a scored row, all nullable. */
    public List<StructField> fields(boolean sigmoid) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(label, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(probability, DataTypes.FloatType, true));
        if (sigmoid) {
            fields.add(DataTypes.createStructField(logit, DataTypes.FloatType, true));
        } else {
            fields.add(
                    DataTypes.createStructField(
                            logits, DataTypes.createArrayType(DataTypes.FloatType, false), true));
            fields.add(
                    DataTypes.createStructField(
                            probabilities,
                            DataTypes.createArrayType(DataTypes.FloatType, false),
                            true));
        }
        fields.add(DataTypes.createStructField(error, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(modelSha256, DataTypes.StringType, true));
        return fields;
    }

    /** Values for {@link #fields} of a classified image. */
    static Object[] predictionValues(Prediction p, boolean sigmoid, String sha256) {
        return sigmoid
                ? new Object[] {p.label(), p.probability(), p.logits()[0], null, sha256}
                : new Object[] {
                    p.label(),
                    p.probability(),
                    boxed(p.logits()),
                    boxed(p.probabilities()),
                    null,
                    sha256
                };
    }

    /** Values for {@link #fields} of an image that could not be classified. */
    static Object[] errorValues(String problem, boolean sigmoid, String sha256) {
        return sigmoid
                ? new Object[] {null, null, null, problem, sha256}
                : new Object[] {null, null, null, null, problem, sha256};
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float v : values) {
            list.add(v);
        }
        return list;
    }
}
