package dev.catsdogs.inference;

import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.JsonStrings;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The model's contract, stored as ONNX {@code metadata_props} by the trainer's exporter and checked
 * when a model is loaded: class names, input size, layout and scaling, and how to read the output.
 *
 * <p>All keys are the constants of this class. {@link #parse} reads them from {@code
 * OrtSession.getMetadata().getCustomMetadata()}. Instances come only from {@link #parse}: the
 * writer side (for the exporter) is {@code dev.catsdogs.inference.internal.ModelMetadataWriter},
 * which writes with these constants and parses its own output back, so the two cannot drift apart.
 * Immutable; equal when every field is.
 */
public final class ModelMetadata {

    public static final String FORMAT_VERSION = "catsdogs.format_version";
    public static final String CLASS_NAMES = "catsdogs.class_names";
    public static final String INPUT_HEIGHT = "catsdogs.input_height";
    public static final String INPUT_WIDTH = "catsdogs.input_width";
    public static final String INPUT_LAYOUT = "catsdogs.input_layout";
    public static final String INPUT_SCALE = "catsdogs.input_scale";
    public static final String INPUT_OFFSET = "catsdogs.input_offset";
    public static final String OUTPUT_KIND = "catsdogs.output_kind";
    public static final String THRESHOLD = "catsdogs.threshold";

    /**
     * Optional: the name of the output holding the class activation maps {@code [N, logits, h, w]}
     * (see {@link ImageClassifier#explain}). Models without it classify but cannot explain.
     */
    public static final String CAM_OUTPUT = "catsdogs.cam_output";

    /**
     * Optional: how an integer model was quantized (a JSON object written by the trainer's int8
     * export); absent from float models. The classifier runs both kinds alike.
     */
    public static final String QUANTIZATION = "catsdogs.quantization";

    /**
     * Optional: how the model's training decoded JPEGs, {@value #JPEG_DECODE_SCALED} (straight at
     * 1/2, 1/4 or 1/8 size, see {@link ImagePreprocessor.Builder#optFastJpegDecode}) or {@value
     * #JPEG_DECODE_FULL}. Absent means full: models from before the key decoded at full size.
     */
    public static final String INPUT_JPEG_DECODE = "catsdogs.input_jpeg_decode";

    /** {@value #INPUT_JPEG_DECODE} of a model trained with scaled JPEG decoding. */
    public static final String JPEG_DECODE_SCALED = "scaled";

    /** {@value #INPUT_JPEG_DECODE} of a model trained with full-size JPEG decoding. */
    public static final String JPEG_DECODE_FULL = "full";

    /** Prefix of free-form provenance entries (trainer settings, seed, versions, time, ...). */
    public static final String PROVENANCE_PREFIX = "catsdogs.provenance.";

    /** The only {@value #FORMAT_VERSION} this library reads. */
    public static final String SUPPORTED_FORMAT_VERSION = "1";

    /** Keys every model must carry. */
    public static final List<String> REQUIRED_KEYS =
            List.of(
                    FORMAT_VERSION,
                    CLASS_NAMES,
                    INPUT_HEIGHT,
                    INPUT_WIDTH,
                    INPUT_LAYOUT,
                    INPUT_SCALE,
                    INPUT_OFFSET,
                    OUTPUT_KIND,
                    THRESHOLD);

    /** How the model's output is read. */
    public enum OutputKind {
        /** One logit per image; {@code p = 1 / (1 + exp(-logit))} is the probability of class 1. */
        SIGMOID("sigmoid"),
        /** One logit per class; softmax, then argmax. */
        SOFTMAX("softmax");

        private final String value;

        OutputKind(String value) {
            this.value = value;
        }

        /** The metadata value, {@code "sigmoid"} or {@code "softmax"}. */
        public String value() {
            return value;
        }

        static OutputKind fromValue(String value) {
            for (OutputKind kind : values()) {
                if (kind.value.equals(value)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException(
                    OUTPUT_KIND
                            + "=\""
                            + value
                            + "\" is not supported; expected one of \"sigmoid\", \"softmax\"");
        }
    }

    private final List<String> classNames;
    private final int inputHeight;
    private final int inputWidth;
    private final PreprocessingSpec.Layout inputLayout;
    private final float inputScale;
    private final float inputOffset;
    private final OutputKind outputKind;
    private final float threshold;
    private final String camOutput; // null: the model has no activation maps
    private final String quantization;
    private final boolean fastJpegDecode;
    private final SortedMap<String, String> provenance;

    // Package-private: only parse() (and tests) make instances, so every one was read or
    // round-tripped through the same keys.
    ModelMetadata(
            List<String> classNames,
            int inputHeight,
            int inputWidth,
            PreprocessingSpec.Layout inputLayout,
            float inputScale,
            float inputOffset,
            OutputKind outputKind,
            float threshold,
            String camOutput,
            String quantization,
            boolean fastJpegDecode,
            SortedMap<String, String> provenance) {
        this.classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        this.inputLayout = Objects.requireNonNull(inputLayout, "inputLayout");
        this.outputKind = Objects.requireNonNull(outputKind, "outputKind");
        this.provenance =
                Collections.unmodifiableSortedMap(
                        new TreeMap<>(Objects.requireNonNull(provenance, "provenance")));
        checkClassNames(this.classNames, outputKind);
        checkSide(INPUT_HEIGHT, inputHeight);
        checkSide(INPUT_WIDTH, inputWidth);
        checkFinite(INPUT_SCALE, inputScale);
        checkFinite(INPUT_OFFSET, inputOffset);
        if (!(threshold >= 0f && threshold <= 1f)) {
            throw Arguments.received(THRESHOLD, threshold, "0 <= threshold <= 1");
        }
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        this.inputScale = inputScale;
        this.inputOffset = inputOffset;
        this.threshold = threshold;
        if (camOutput != null && camOutput.isBlank()) {
            throw new IllegalArgumentException(CAM_OUTPUT + " is blank; expected an output name");
        }
        this.camOutput = camOutput;
        if (quantization != null && !isJsonObject(quantization)) {
            throw new IllegalArgumentException(
                    QUANTIZATION
                            + " is "
                            + (quantization.isBlank() ? "present but blank" : "not a JSON object")
                            + "; expected e.g. {\"format\":\"QDQ\",...}");
        }
        this.quantization = quantization;
        this.fastJpegDecode = fastJpegDecode;
    }

    // Strict JSON: a lenient parse takes unquoted words and trailing garbage for an object.
    private static boolean isJsonObject(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            boolean object = JsonParser.parseReader(reader).isJsonObject();
            return object && reader.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Labels by output index; sigmoid models have exactly two ({@code [0]} below the threshold,
     * {@code [1]} at or above it).
     */
    public List<String> classNames() {
        return classNames;
    }

    /** Model input height in pixels. */
    public int inputHeight() {
        return inputHeight;
    }

    /** Model input width in pixels. */
    public int inputWidth() {
        return inputWidth;
    }

    /** {@code NCHW} (float32 input, scaled here) or {@code NHWC} (uint8, the graph scales). */
    public PreprocessingSpec.Layout inputLayout() {
        return inputLayout;
    }

    /** {@code x * scale + offset} for NCHW models; unused for NHWC. */
    public float inputScale() {
        return inputScale;
    }

    /** See {@link #inputScale()}. */
    public float inputOffset() {
        return inputOffset;
    }

    /** How to turn the output logits into a prediction. */
    public OutputKind outputKind() {
        return outputKind;
    }

    /** Sigmoid decision threshold in [0, 1] (see {@link DecisionRule}); unused for softmax. */
    public float threshold() {
        return threshold;
    }

    /**
     * The output holding the class activation maps ({@value #CAM_OUTPUT}), or empty for a model
     * exported without them.
     */
    public Optional<String> camOutput() {
        return Optional.ofNullable(camOutput);
    }

    /** The {@value #QUANTIZATION} description of an integer model; empty for a float model. */
    public Optional<String> quantization() {
        return Optional.ofNullable(quantization);
    }

    /**
     * Whether the model was trained on JPEGs decoded at reduced size ({@value #INPUT_JPEG_DECODE} =
     * {@value #JPEG_DECODE_SCALED}); false for {@value #JPEG_DECODE_FULL} and for models without
     * the key. The classifier preprocesses the same way.
     */
    public boolean fastJpegDecode() {
        return fastJpegDecode;
    }

    /** The {@code catsdogs.provenance.*} entries, keyed without that prefix, sorted. */
    public SortedMap<String, String> provenance() {
        return provenance;
    }

    private static void checkSide(String key, int value) {
        if (value < 1 || value > PreprocessingSpec.MAX_SIDE) {
            throw Arguments.received(key, value, "1.." + PreprocessingSpec.MAX_SIDE);
        }
    }

    private static void checkFinite(String key, float value) {
        if (!Float.isFinite(value)) {
            throw Arguments.received(key, value, "a finite number");
        }
    }

    private static void checkClassNames(List<String> names, OutputKind kind) {
        if (kind == OutputKind.SIGMOID && names.size() != 2) {
            throw new IllegalArgumentException(
                    CLASS_NAMES
                            + " has "
                            + names.size()
                            + " names "
                            + names
                            + ", but "
                            + OUTPUT_KIND
                            + "=sigmoid needs exactly 2");
        }
        if (kind == OutputKind.SOFTMAX && names.size() < 2) {
            throw new IllegalArgumentException(
                    CLASS_NAMES
                            + " has "
                            + names.size()
                            + " names "
                            + names
                            + ", but "
                            + OUTPUT_KIND
                            + "=softmax needs at least 2");
        }
        if (names.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(
                    CLASS_NAMES + " " + names + " contains a blank name");
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException(CLASS_NAMES + " " + names + " contains duplicates");
        }
    }

    /**
     * Reads and validates the metadata of a model.
     *
     * @param properties the model's {@code metadata_props}
     * @param model the model file or name, for error messages
     * @throws ModelLoadException naming the model and every missing key, or the key and value that
     *     is invalid
     */
    public static ModelMetadata parse(Map<String, String> properties, String model)
            throws ModelLoadException {
        String version = properties.get(FORMAT_VERSION);
        if (version != null && !version.equals(SUPPORTED_FORMAT_VERSION)) {
            throw new ModelLoadException(
                    model,
                    "unsupported "
                            + FORMAT_VERSION
                            + "=\""
                            + version
                            + "\"; this library reads version "
                            + SUPPORTED_FORMAT_VERSION
                            + " (re-export the model, or use a matching dev.catsdogs:inference)");
        }
        List<String> missing = new ArrayList<>();
        for (String key : REQUIRED_KEYS) {
            if (!properties.containsKey(key)) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new ModelLoadException(
                    model,
                    "missing required metadata key(s) "
                            + missing
                            + "; found "
                            + new TreeMap<>(properties).keySet()
                            + ". Was it exported by the catsdogs trainer?");
        }
        try {
            SortedMap<String, String> provenance = new TreeMap<>();
            properties.forEach(
                    (key, value) -> {
                        if (key.startsWith(PROVENANCE_PREFIX)) {
                            provenance.put(key.substring(PROVENANCE_PREFIX.length()), value);
                        }
                    });
            return new ModelMetadata(
                    parseClassNames(properties.get(CLASS_NAMES)),
                    parseInt(properties, INPUT_HEIGHT),
                    parseInt(properties, INPUT_WIDTH),
                    parseLayout(properties.get(INPUT_LAYOUT)),
                    parseFloat(properties, INPUT_SCALE),
                    parseFloat(properties, INPUT_OFFSET),
                    OutputKind.fromValue(properties.get(OUTPUT_KIND)),
                    parseFloat(properties, THRESHOLD),
                    properties.get(CAM_OUTPUT),
                    properties.get(QUANTIZATION),
                    parseJpegDecode(properties.get(INPUT_JPEG_DECODE)),
                    provenance);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(model, "invalid metadata: " + e.getMessage(), e);
        }
    }

    /** The preprocessing this model expects; NHWC (uint8) models get raw 0..255 values. */
    public PreprocessingSpec preprocessingSpec() {
        return inputLayout == PreprocessingSpec.Layout.NHWC
                ? new PreprocessingSpec(inputHeight, inputWidth, 1f, 0f, inputLayout)
                : new PreprocessingSpec(
                        inputHeight, inputWidth, inputScale, inputOffset, inputLayout);
    }

    private static List<String> parseClassNames(String json) {
        try {
            return JsonStrings.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    CLASS_NAMES + "=" + json + " is " + e.getMessage(), e);
        }
    }

    private static int parseInt(Map<String, String> properties, String key) {
        String value = properties.get(key);
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=\"" + value + "\" is not an integer", e);
        }
    }

    private static float parseFloat(Map<String, String> properties, String key) {
        String value = properties.get(key);
        try {
            return Float.parseFloat(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=\"" + value + "\" is not a number", e);
        }
    }

    private static boolean parseJpegDecode(String value) {
        if (value == null || value.equals(JPEG_DECODE_FULL)) {
            return false;
        }
        if (value.equals(JPEG_DECODE_SCALED)) {
            return true;
        }
        throw new IllegalArgumentException(
                INPUT_JPEG_DECODE
                        + "=\""
                        + value
                        + "\" is not supported; expected one of \""
                        + JPEG_DECODE_SCALED
                        + "\", \""
                        + JPEG_DECODE_FULL
                        + "\"");
    }

    private static PreprocessingSpec.Layout parseLayout(String value) {
        for (PreprocessingSpec.Layout layout : PreprocessingSpec.Layout.values()) {
            if (layout.name().equals(value)) {
                return layout;
            }
        }
        throw new IllegalArgumentException(
                INPUT_LAYOUT
                        + "=\""
                        + value
                        + "\" is not supported; expected one of \"NCHW\", \"NHWC\"");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelMetadata m
                && classNames.equals(m.classNames)
                && inputHeight == m.inputHeight
                && inputWidth == m.inputWidth
                && inputLayout == m.inputLayout
                && Float.compare(inputScale, m.inputScale) == 0
                && Float.compare(inputOffset, m.inputOffset) == 0
                && outputKind == m.outputKind
                && Float.compare(threshold, m.threshold) == 0
                && Objects.equals(camOutput, m.camOutput)
                && Objects.equals(quantization, m.quantization)
                && fastJpegDecode == m.fastJpegDecode
                && provenance.equals(m.provenance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                classNames,
                inputHeight,
                inputWidth,
                inputLayout,
                inputScale,
                inputOffset,
                outputKind,
                threshold,
                camOutput,
                quantization,
                fastJpegDecode,
                provenance);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "ModelMetadata[classes=%s, input=%dx%d %s, JPEG decode %s, %s, threshold=%s%s]",
                classNames,
                inputHeight,
                inputWidth,
                inputLayout,
                fastJpegDecode ? JPEG_DECODE_SCALED : JPEG_DECODE_FULL,
                outputKind.value(),
                threshold,
                camOutput == null ? "" : ", cam=" + camOutput);
    }
}
