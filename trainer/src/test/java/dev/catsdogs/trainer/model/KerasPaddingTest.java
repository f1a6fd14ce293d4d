package dev.catsdogs.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KerasPaddingTest {

    @Test
    void evenInputPadsBottomRightOnly() {
        assertArrayEquals(
                new int[] {0, 1}, KerasPadding.correctPad(KerasPadding.Style.KERAS, 160, 3));
        assertArrayEquals(
                new int[] {0, 1}, KerasPadding.correctPad(KerasPadding.Style.KERAS, 80, 3));
    }

    @Test
    void oddInputPadsBothSides() {
        assertArrayEquals(
                new int[] {1, 1}, KerasPadding.correctPad(KerasPadding.Style.KERAS, 161, 3));
        assertArrayEquals(
                new int[] {1, 1}, KerasPadding.correctPad(KerasPadding.Style.KERAS, 7, 3));
    }

    @Test
    void symmetricIgnoresParity() {
        assertArrayEquals(
                new int[] {1, 1}, KerasPadding.correctPad(KerasPadding.Style.SYMMETRIC, 160, 3));
        assertArrayEquals(
                new int[] {1, 1}, KerasPadding.correctPad(KerasPadding.Style.SYMMETRIC, 161, 3));
    }

    @Test
    void outputMatchesTensorFlowSamePadding() {
        // TF "same" with stride 2 gives ceil(n / 2) for odd and even n.
        for (int n : new int[] {7, 8, 159, 160, 161}) {
            int[] p = KerasPadding.correctPad(KerasPadding.Style.KERAS, n, 3);
            assertEquals((n + 1) / 2, KerasPadding.convOutputSize(n + p[0] + p[1], 3, 2), "n=" + n);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThrows(
                IllegalArgumentException.class,
                () -> KerasPadding.correctPad(KerasPadding.Style.KERAS, 0, 3));
    }
}
