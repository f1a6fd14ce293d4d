package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PreprocessingSpecTest {

    @Test
    void mobileNetV2MapsPixelsToMinusOneOne() {
        PreprocessingSpec spec = PreprocessingSpec.mobileNetV2(160);
        assertEquals(160, spec.height());
        assertEquals(160, spec.width());
        assertEquals(PreprocessingSpec.Layout.NCHW, spec.layout());
        assertEquals(-1f, 0 * spec.scale() + spec.offset(), 1e-7);
        assertEquals(1f, 255 * spec.scale() + spec.offset(), 1e-6);
        assertEquals(3 * 160 * 160, spec.tensorSize());
    }

    @Test
    void invalidValuesAreEchoed() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new PreprocessingSpec(0, 10, 1f, 0f, PreprocessingSpec.Layout.NCHW));
        assertEquals("Received height=0; expected 1..8192", e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new PreprocessingSpec(
                                        10,
                                        10,
                                        Float.POSITIVE_INFINITY,
                                        0f,
                                        PreprocessingSpec.Layout.NCHW));
        assertEquals("Received scale=Infinity; expected a finite number", e.getMessage());
        assertThrows(NullPointerException.class, () -> new PreprocessingSpec(10, 10, 1f, 0f, null));
    }
}
