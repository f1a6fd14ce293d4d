package dev.catsdogs.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.catsdogs.inference.Prediction;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    @Test
    void namesTheArgumentItsValueAndWhatIsAllowed() {
        assertEquals(
                "Received threads=0; expected >= 1",
                Arguments.received("threads", 0, ">= 1").getMessage());
        assertEquals(
                "Received scale=NaN; expected a finite number",
                Arguments.received("scale", Float.NaN, "a finite number").getMessage());
    }

    @Test
    void libraryArgumentsUseIt() {
        Prediction p = new Prediction("dog", 0.8f, new float[] {1.4f}, 1, List.of("cat", "dog"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.topK(0));
        assertEquals("Received k=0; expected >= 1", e.getMessage());
    }
}
