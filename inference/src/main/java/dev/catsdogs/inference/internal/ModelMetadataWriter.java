package dev.catsdogs.inference.internal;

import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.inference.PreprocessingSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Not API. The writer side of {@link ModelMetadata}, for the trainer's exporter: builds the {@code
 * metadata_props} a model carries, with the reader's key constants, and proves them by parsing them
 * back with {@link ModelMetadata#parse}, so the exporter cannot write what the classifier would
 * refuse.
 *
 * <pre>{@code
 * ModelMetadataWriter writer = new ModelMetadataWriter(classNames, 160, 160, Layout.NCHW,
 *         1f / 127.5f, -1f, OutputKind.SIGMOID, 0.5f, preprocessor.fastJpegDecode(), provenance);
 * writer.toProperties().forEach(exporter::addMetadata);
 * }</pre>
 */
public final class ModelMetadataWriter {

    private final Map<String, String> properties;
    private final ModelMetadata metadata;

    /**
     * @param classNames labels by output index; sigmoid models have exactly two
     * @param inputHeight model input height in pixels
     * @param inputWidth model input width in pixels
     * @param inputLayout NCHW (float32 input) or NHWC (uint8 input, scaled in the graph)
     * @param inputScale {@code x * scale + offset}
     * @param inputOffset see {@code inputScale}
     * @param outputKind sigmoid (one logit) or softmax (one per class)
     * @param threshold sigmoid decision threshold in [0, 1]
     * @param fastJpegDecode whether training decoded JPEGs at reduced size (written as {@link
     *     ModelMetadata#INPUT_JPEG_DECODE}, always, so the model says which)
     * @param provenance free-form entries, keyed without {@link ModelMetadata#PROVENANCE_PREFIX}
     * @throws IllegalArgumentException naming the key and value that the reader would refuse
     */
    public ModelMetadataWriter(
            List<String> classNames,
            int inputHeight,
            int inputWidth,
            PreprocessingSpec.Layout inputLayout,
            float inputScale,
            float inputOffset,
            ModelMetadata.OutputKind outputKind,
            float threshold,
            boolean fastJpegDecode,
            Map<String, String> provenance) {
        Objects.requireNonNull(classNames, "classNames");
        Objects.requireNonNull(inputLayout, "inputLayout");
        Objects.requireNonNull(outputKind, "outputKind");
        Map<String, String> props = new LinkedHashMap<>();
        props.put(ModelMetadata.FORMAT_VERSION, ModelMetadata.SUPPORTED_FORMAT_VERSION);
        props.put(ModelMetadata.CLASS_NAMES, JsonStrings.format(classNames));
        props.put(ModelMetadata.INPUT_HEIGHT, Integer.toString(inputHeight));
        props.put(ModelMetadata.INPUT_WIDTH, Integer.toString(inputWidth));
        props.put(ModelMetadata.INPUT_LAYOUT, inputLayout.name());
        props.put(ModelMetadata.INPUT_SCALE, Float.toString(inputScale));
        props.put(ModelMetadata.INPUT_OFFSET, Float.toString(inputOffset));
        props.put(ModelMetadata.OUTPUT_KIND, outputKind.value());
        props.put(ModelMetadata.THRESHOLD, Float.toString(threshold));
        props.put(
                ModelMetadata.INPUT_JPEG_DECODE,
                fastJpegDecode ? ModelMetadata.JPEG_DECODE_SCALED : ModelMetadata.JPEG_DECODE_FULL);
        new TreeMap<>(Objects.requireNonNull(provenance, "provenance"))
                .forEach((key, value) -> props.put(ModelMetadata.PROVENANCE_PREFIX + key, value));
        this.metadata = proven(props);
        this.properties = Collections.unmodifiableMap(props);
    }

    private ModelMetadataWriter(Map<String, String> properties) {
        this.metadata = proven(properties);
        this.properties = Collections.unmodifiableMap(properties);
    }

    /**
     * These entries plus {@value ModelMetadata#CAM_OUTPUT}: the model's output {@code output} holds
     * its class activation maps.
     */
    public ModelMetadataWriter withCamOutput(String output) {
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.put(ModelMetadata.CAM_OUTPUT, Objects.requireNonNull(output, "output"));
        return new ModelMetadataWriter(props);
    }

    // Parsed back with the reader: the exporter cannot write what the classifier would refuse.
    private static ModelMetadata proven(Map<String, String> props) {
        try {
            return ModelMetadata.parse(props, "<exported model>");
        } catch (ModelLoadException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
    }

    /**
     * The metadata of an integer model made from a float one: the float model's entries, plus
     * {@link ModelMetadata#QUANTIZATION} and more provenance, checked by parsing them back.
     *
     * @param floatProperties the float model's {@code metadata_props}
     * @param quantization the {@value ModelMetadata#QUANTIZATION} value
     * @param provenance entries to add, keyed without {@link ModelMetadata#PROVENANCE_PREFIX}
     * @throws IllegalArgumentException naming the key and value that the reader would refuse
     */
    public static Map<String, String> quantized(
            Map<String, String> floatProperties,
            String quantization,
            Map<String, String> provenance) {
        Map<String, String> props = new LinkedHashMap<>(floatProperties);
        props.put(ModelMetadata.QUANTIZATION, Objects.requireNonNull(quantization, "quantization"));
        new TreeMap<>(provenance)
                .forEach((key, value) -> props.put(ModelMetadata.PROVENANCE_PREFIX + key, value));
        try {
            ModelMetadata.parse(props, "<exported model>");
        } catch (ModelLoadException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
        return Collections.unmodifiableMap(props);
    }

    /**
     * All entries as {@code metadata_props}: the required keys in order, the JPEG decoding, then
     * provenance, then the optional ones.
     */
    public Map<String, String> toProperties() {
        return properties;
    }

    /** What the classifier will read from these properties. */
    public ModelMetadata metadata() {
        return metadata;
    }
}
