package dev.catsdogs.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The three orders of one padding agree with what each library does with them. */
class PaddingTest {

    private final Padding keras = new Padding(0, 1, 2, 3); // Keras' bottom/right-heavy style

    @Test
    void onnxOrderIsBeginsThenEnds() {
        assertArrayEquals(new long[] {0, 2, 1, 3}, keras.toOnnx());
    }

    @Test
    void djlPadsWidthThenHeight() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(1, 1, 2, 2));
            NDArray padded = x.pad(keras.toDjl(), 0);
            assertEquals(new Shape(1, 1, 2 + 0 + 1, 2 + 2 + 3), padded.getShape());
            // The ones sit after 0 rows and 2 columns of zeros.
            assertEquals(1f, padded.getFloat(0, 0, 0, 2));
            assertEquals(0f, padded.getFloat(0, 0, 0, 1));
            assertEquals(0f, padded.getFloat(0, 0, 2, 2));
        }
    }

    @Test
    void symmetryAndSums() {
        assertFalse(keras.symmetric());
        assertTrue(new Padding(1, 1, 1, 1).symmetric());
        assertEquals(new Padding(1, 2, 3, 4), keras.plus(new Padding(1, 1, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Padding(-1, 0, 0, 0));
    }
}
