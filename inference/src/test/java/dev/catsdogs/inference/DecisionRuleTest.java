package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DecisionRuleTest {

    @Test
    void sigmoidAtTheDefaultThresholdIsLogitAtLeastZero() {
        float[] logits = {-1e-30f, -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1e-30f, -3f, 3f};
        for (int i = 0; i < logits.length; i++) {
            int expected = logits[i] >= 0 ? 1 : 0;
            assertEquals(
                    expected, DecisionRule.classIndex(logits, i, 1, 0.5f), "logit " + logits[i]);
        }
        // A float sigmoid rounds sigmoid(-1e-8) up to exactly 0.5; the rule must not.
        assertEquals(0, DecisionRule.classIndex(new float[] {-1e-8f}, 0.5f));
    }

    @Test
    void sigmoidThresholdIsMetInProbabilitySpace() {
        // sigmoid(ln 3) = 0.75
        float atThreeQuarters = (float) Math.log(3.0);
        assertEquals(0, DecisionRule.classIndex(new float[] {atThreeQuarters - 1e-3f}, 0.75f));
        assertEquals(1, DecisionRule.classIndex(new float[] {atThreeQuarters + 1e-3f}, 0.75f));
        assertEquals(1, DecisionRule.classIndex(new float[] {-1e30f}, 0f), "threshold 0: all 1");
        assertEquals(0, DecisionRule.classIndex(new float[] {1e30f}, 1f), "threshold 1: none");
        assertEquals(0, DecisionRule.classIndex(new float[] {Float.NaN}, 0.5f));
    }

    @Test
    void severalLogitsTakeTheFirstMaximum() {
        float[] batch = {0f, 5f, 5f, 1f, /* second image */ 2f, 2f, Float.NaN, 1f};
        assertEquals(1, DecisionRule.classIndex(batch, 0, 4, 0.5f));
        assertEquals(0, DecisionRule.classIndex(batch, 4, 4, 0.5f), "first max, NaN never wins");
        assertEquals(2, DecisionRule.classIndex(new float[] {-3f, -2f, -1f}, 0.9f));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> DecisionRule.classIndex(new float[] {1f}, 0, 0, 0.5f));
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> DecisionRule.classIndex(new float[] {1f, 2f}, 1, 2, 0.5f));
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DecisionRule.classIndex(new float[] {1f}, 1.5f));
        assertEquals("Received threshold=1.5; expected 0 <= threshold <= 1", e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> DecisionRule.classIndex(new float[] {1f, 2f}, Float.NaN));
    }
}
