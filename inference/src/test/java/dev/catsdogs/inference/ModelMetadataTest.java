package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ModelMetadata.OutputKind;
import dev.catsdogs.inference.PreprocessingSpec.Layout;
import dev.catsdogs.inference.internal.JsonStrings;
import dev.catsdogs.inference.internal.ModelMetadataWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelMetadataTest {

    private static final String MODEL = "models/test.onnx";

    private static ModelMetadata parse(Map<String, String> props) throws ModelLoadException {
        return ModelMetadata.parse(props, MODEL);
    }

    private static ModelLoadException refused(Map<String, String> props, String... fragments) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> parse(props));
        assertEquals(MODEL, e.model());
        assertTrue(e.getMessage().startsWith(MODEL + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(
                    e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
        }
        return e;
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> props = TestModels.sigmoidMetadata();
        props.put(key, value);
        return props;
    }

    @Test
    void parsesTheExporterKeys() throws Exception {
        ModelMetadata m = parse(TestModels.sigmoidMetadata());
        assertEquals(List.of("cats", "dogs"), m.classNames());
        assertEquals(32, m.inputHeight());
        assertEquals(32, m.inputWidth());
        assertEquals(Layout.NCHW, m.inputLayout());
        assertEquals(1 / 127.5f, m.inputScale(), 1e-9);
        assertEquals(-1f, m.inputOffset());
        assertEquals(OutputKind.SIGMOID, m.outputKind());
        assertEquals(0.5f, m.threshold());
        assertEquals(Map.of("seed", "42", "trainer", "TestModels"), m.provenance());
        assertEquals(List.of("seed", "trainer"), List.copyOf(m.provenance().keySet()), "sorted");
        assertEquals(
                new PreprocessingSpec(32, 32, 1 / 127.5f, -1f, Layout.NCHW), m.preprocessingSpec());
    }

    @Test
    void writerRefusesWhatTheReaderWouldRefuse() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new ModelMetadataWriter(
                                        List.of("a", "b", "c"),
                                        32,
                                        32,
                                        Layout.NCHW,
                                        1f,
                                        0f,
                                        OutputKind.SIGMOID,
                                        0.5f,
                                        true,
                                        Map.of()));
        assertTrue(e.getMessage().contains(ModelMetadata.CLASS_NAMES), e.getMessage());
        assertTrue(e.getMessage().contains("sigmoid needs exactly 2"), e.getMessage());
    }

    @Test
    void roundTripsThroughTheWriter() throws Exception {
        ModelMetadataWriter writer =
                new ModelMetadataWriter(
                        List.of("a \"quoted\" cat", "d\u00f6g\\s", "tab\there"),
                        160,
                        128,
                        Layout.NCHW,
                        0.5f,
                        0.25f,
                        OutputKind.SOFTMAX,
                        0.7f,
                        true,
                        Map.of("git.commit", "abc123"));
        Map<String, String> props = writer.toProperties();
        ModelMetadata m = writer.metadata();
        assertEquals(List.of("a \"quoted\" cat", "d\u00f6g\\s", "tab\there"), m.classNames());
        assertEquals(0.7f, m.threshold());
        List<String> keys = List.copyOf(props.keySet());
        assertEquals(ModelMetadata.REQUIRED_KEYS, keys.subList(0, 9), "required keys first");
        assertEquals("1", props.get(ModelMetadata.FORMAT_VERSION));
        assertEquals("scaled", props.get(ModelMetadata.INPUT_JPEG_DECODE));
        assertTrue(m.fastJpegDecode());
        assertEquals("abc123", props.get("catsdogs.provenance.git.commit"));
        assertEquals(
                "[\"a \\\"quoted\\\" cat\",\"d\u00f6g\\\\s\",\"tab\\there\"]",
                props.get(ModelMetadata.CLASS_NAMES));
        assertEquals(m, parse(props));
    }

    @Test
    void jpegDecodeRoundTripsAndDefaultsToFullWithoutTheKey() throws Exception {
        for (boolean fast : new boolean[] {true, false}) {
            ModelMetadataWriter writer =
                    new ModelMetadataWriter(
                            List.of("cats", "dogs"),
                            160,
                            160,
                            Layout.NCHW,
                            1 / 127.5f,
                            -1f,
                            OutputKind.SIGMOID,
                            0.5f,
                            fast,
                            Map.of());
            Map<String, String> props = writer.toProperties();
            assertEquals(fast ? "scaled" : "full", props.get(ModelMetadata.INPUT_JPEG_DECODE));
            ModelMetadata read = parse(props);
            assertEquals(fast, read.fastJpegDecode());
            assertEquals(writer.metadata(), read);
        }
        Map<String, String> old = TestModels.sigmoidMetadata();
        old.remove(ModelMetadata.INPUT_JPEG_DECODE);
        assertFalse(parse(old).fastJpegDecode(), "models from before the key decoded full size");
        assertNotEquals(
                parse(with(ModelMetadata.INPUT_JPEG_DECODE, "scaled")),
                parse(with(ModelMetadata.INPUT_JPEG_DECODE, "full")));
        refused(
                with(ModelMetadata.INPUT_JPEG_DECODE, "Scaled"),
                "catsdogs.input_jpeg_decode=\"Scaled\" is not supported",
                "expected one of \"scaled\", \"full\"");
    }

    @Test
    void classNamesAcceptJsonWhitespaceAndEscapes() throws Exception {
        ModelMetadata m =
                parse(with(ModelMetadata.CLASS_NAMES, " [ \"c\\u0061ts\" ,\n \"dogs\" ] "));
        assertEquals(List.of("cats", "dogs"), m.classNames());
    }

    @Test
    void nhwcModelsGetRawPixelValues() throws Exception {
        ModelMetadata m = parse(with(ModelMetadata.INPUT_LAYOUT, "NHWC"));
        assertEquals(new PreprocessingSpec(32, 32, 1f, 0f, Layout.NHWC), m.preprocessingSpec());
    }

    @Test
    void missingKeysAreAllNamed() {
        Map<String, String> props = TestModels.sigmoidMetadata();
        props.remove(ModelMetadata.THRESHOLD);
        props.remove(ModelMetadata.CLASS_NAMES);
        refused(
                props,
                "missing required metadata key(s) [catsdogs.class_names, catsdogs.threshold]");
    }

    @Test
    void noMetadataAtAll() {
        refused(
                Map.of(),
                "catsdogs.format_version",
                "catsdogs.output_kind",
                "exported by the catsdogs");
    }

    @Test
    void otherFormatVersionsAreRefused() {
        refused(
                with(ModelMetadata.FORMAT_VERSION, "2"),
                "unsupported catsdogs.format_version=\"2\"",
                "reads version 1");
        Map<String, String> onlyVersion = Map.of(ModelMetadata.FORMAT_VERSION, "7");
        refused(onlyVersion, "\"7\""); // the version is reported before missing keys
    }

    @Test
    void badValuesAreEchoed() {
        refused(
                with(ModelMetadata.INPUT_HEIGHT, "abc"),
                "catsdogs.input_height=\"abc\" is not an integer");
        refused(
                with(ModelMetadata.INPUT_WIDTH, "0"),
                "Received catsdogs.input_width=0; expected 1..8192");
        refused(
                with(ModelMetadata.INPUT_LAYOUT, "NWHC"),
                "\"NWHC\"",
                "expected one of \"NCHW\", \"NHWC\"");
        refused(with(ModelMetadata.OUTPUT_KIND, "relu"), "\"relu\"", "\"sigmoid\", \"softmax\"");
        refused(
                with(ModelMetadata.INPUT_SCALE, "NaN"),
                "Received catsdogs.input_scale=NaN; expected a finite number");
        refused(with(ModelMetadata.INPUT_OFFSET, "minus one"), "\"minus one\" is not a number");
        refused(
                with(ModelMetadata.THRESHOLD, "1.5"),
                "Received catsdogs.threshold=1.5; expected 0 <= threshold <= 1");
        refused(
                with(ModelMetadata.CLASS_NAMES, "cats,dogs"),
                "catsdogs.class_names=cats,dogs",
                "not a JSON array of strings");
        refused(
                with(ModelMetadata.CLASS_NAMES, "[\"cats\",\"dogs\",\"foxes\"]"),
                "has 3 names",
                "sigmoid needs exactly 2");
        refused(with(ModelMetadata.CLASS_NAMES, "[\"cats\",\"cats\"]"), "duplicates");
        Map<String, String> softmaxOne = TestModels.softmaxMetadata();
        softmaxOne.put(ModelMetadata.CLASS_NAMES, "[\"only\"]");
        refused(softmaxOne, "softmax needs at least 2");
        refused(
                with(ModelMetadata.QUANTIZATION, "int8 please"),
                "catsdogs.quantization is not a JSON object");
        refused(with(ModelMetadata.QUANTIZATION, "{format: QDQ}"), "not a JSON object");
        refused(
                with(ModelMetadata.QUANTIZATION, "{\"format\":\"QDQ\"} trailing"),
                "not a JSON object");
        refused(with(ModelMetadata.QUANTIZATION, "[1]"), "not a JSON object");
        refused(with(ModelMetadata.QUANTIZATION, " "), "present but blank");
    }

    @Test
    void aQuantizationObjectLoads() throws Exception {
        String value = "{\"format\":\"QDQ\",\"scheme\":\"U8S8\"}";
        assertEquals(
                value, parse(with(ModelMetadata.QUANTIZATION, value)).quantization().orElseThrow());
    }

    @Test
    void jsonParserReportsPosition() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> JsonStrings.parse("[\"a\" \"b\"]"));
        assertTrue(e.getMessage().contains("expected ',' or ']'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JsonStrings.parse("[\"unterminated]"));
        assertThrows(IllegalArgumentException.class, () -> JsonStrings.parse("[1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> JsonStrings.parse("[\"a\"] trailing"));
        assertEquals(List.of(), JsonStrings.parse("[]"));
    }
}
