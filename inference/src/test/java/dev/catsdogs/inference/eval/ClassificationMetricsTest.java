package dev.catsdogs.inference.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The figures on small sets worked out by hand (the arithmetic is in the comments), so that each
 * formula is checked against an independent computation rather than against itself.
 */
class ClassificationMetricsTest {

    private static final double EXACT = 1e-12;

    /**
     * Nine images, two classes; the positive class is 1. Scores (probability of class 1) and the
     * predicted class (threshold 0.5):
     *
     * <pre>
     * true 0: 0.10 -> 0, 0.40 -> 0, 0.35 -> 0, 0.80 -> 1, 0.40 -> 0
     * true 1: 0.90 -> 1, 0.40 -> 0, 0.70 -> 1, 0.20 -> 0
     * </pre>
     */
    static final int[] TRUE = {0, 0, 0, 0, 0, 1, 1, 1, 1};

    static final double[] SCORES = {0.10, 0.40, 0.35, 0.80, 0.40, 0.90, 0.40, 0.70, 0.20};

    static ClassificationMetrics nineImages() {
        int[] predicted = new int[SCORES.length];
        double[][] probabilities = new double[SCORES.length][];
        for (int i = 0; i < SCORES.length; i++) {
            predicted[i] = SCORES[i] >= 0.5 ? 1 : 0;
            probabilities[i] = new double[] {1 - SCORES[i], SCORES[i]};
        }
        return ClassificationMetrics.compute(
                List.of("cats", "dogs"), TRUE, predicted, probabilities);
    }

    @Test
    void binaryFiguresAsComputedByHand() {
        ClassificationMetrics m = nineImages();
        ConfusionMatrix c = m.confusion();
        // cats: 4 right, the 0.80 one wrong; dogs: 0.90 and 0.70 right, 0.40 and 0.20 wrong.
        assertArrayEquals(new long[][] {{4, 1}, {2, 2}}, c.counts());
        assertEquals(9, m.images());
        assertEquals(6.0 / 9, m.accuracy(), EXACT);
        // cats: precision 4 / (4 + 2), recall 4 / 5, F1 = 2 (2/3)(4/5) / (2/3 + 4/5) = 8/11.
        assertEquals(2.0 / 3, c.precision(0), EXACT);
        assertEquals(4.0 / 5, c.recall(0), EXACT);
        assertEquals(8.0 / 11, c.f1(0), EXACT);
        assertEquals(5, c.support(0));
        // dogs: precision 2 / (1 + 2), recall 2 / 4, F1 = 2 (2/3)(1/2) / (2/3 + 1/2) = 4/7.
        assertEquals(2.0 / 3, c.precision(1), EXACT);
        assertEquals(1.0 / 2, c.recall(1), EXACT);
        assertEquals(4.0 / 7, c.f1(1), EXACT);
        assertEquals(4, c.support(1));
        // Macro: plain means. Weighted by support 5 and 4: recall (5 * 4/5 + 4 * 1/2) / 9 = 2/3,
        // F1 (5 * 8/11 + 4 * 4/7) / 9 = (280 + 176) / 77 / 9 = 152/231.
        assertAverage(2.0 / 3, 13.0 / 20, 50.0 / 77, c.macro());
        assertAverage(2.0 / 3, 2.0 / 3, 152.0 / 231, c.weighted());
        // AUC, pair by pair: each dog scores above how many of the 5 cats (a tie counts 1/2)?
        // 0.90: 5; 0.40: 2 below (0.10, 0.35) + 2 ties = 3; 0.70: 4; 0.20: 1. 13 of 4 x 5 pairs.
        assertEquals(13.0 / 20, m.rocAuc().getAsDouble(), EXACT);
        assertTrue(m.topKAccuracy().isEmpty(), "two classes: no top-5");
    }

    private static void assertAverage(
            double precision, double recall, double f1, ConfusionMatrix.Average average) {
        assertEquals(precision, average.precision(), EXACT, "precision");
        assertEquals(recall, average.recall(), EXACT, "recall");
        assertEquals(f1, average.f1(), EXACT, "f1");
    }

    @Test
    void aucByRanksMatchesCountingPairs() {
        // Sorted: 0.10n 0.20p 0.35n 0.40n 0.40p 0.40n 0.70p 0.80n 0.90p; the three 0.40 share
        // rank 5. Positive ranks 2 + 5 + 7 + 9 = 23; U = 23 - 4 * 5 / 2 = 13; AUC 13/20.
        boolean[] positive = new boolean[TRUE.length];
        for (int i = 0; i < TRUE.length; i++) {
            positive[i] = TRUE[i] == 1;
        }
        assertEquals(0.65, ClassificationMetrics.rocAuc(positive, SCORES).getAsDouble(), EXACT);
        // Order does not matter.
        boolean[] reversedPositive = new boolean[positive.length];
        double[] reversedScores = new double[SCORES.length];
        for (int i = 0; i < SCORES.length; i++) {
            reversedPositive[i] = positive[SCORES.length - 1 - i];
            reversedScores[i] = SCORES[SCORES.length - 1 - i];
        }
        assertEquals(
                0.65,
                ClassificationMetrics.rocAuc(reversedPositive, reversedScores).getAsDouble(),
                EXACT);
    }

    @Test
    void aucEdgeCases() {
        boolean[] labels = {false, false, true, true};
        assertEquals(
                1.0,
                ClassificationMetrics.rocAuc(labels, new double[] {0.1, 0.2, 0.3, 0.4})
                        .getAsDouble());
        assertEquals(
                0.0,
                ClassificationMetrics.rocAuc(labels, new double[] {0.9, 0.8, 0.3, 0.4})
                        .getAsDouble());
        assertEquals(
                0.5,
                ClassificationMetrics.rocAuc(labels, new double[] {1, 1, 1, 1}).getAsDouble(),
                "all tied: every pair counts one half");
        assertEquals(
                OptionalDouble.empty(),
                ClassificationMetrics.rocAuc(new boolean[] {true, true}, new double[] {0.1, 0.2}),
                "no negatives: no AUC");
    }

    @Test
    void zeroDenominatorsGiveZero() {
        // Three classes; class 2 has no images and is never predicted, class 1 is never
        // predicted. True 0,0,1 -> predicted 0,0,0.
        ConfusionMatrix c = ConfusionMatrix.of(3, new int[] {0, 0, 1}, new int[] {0, 0, 0});
        assertArrayEquals(new long[][] {{2, 0, 0}, {1, 0, 0}, {0, 0, 0}}, c.counts());
        assertEquals(2.0 / 3, c.precision(0), EXACT);
        assertEquals(1.0, c.recall(0), EXACT);
        assertEquals(0.8, c.f1(0), EXACT); // 2 (2/3)(1) / (5/3)
        assertEquals(0, c.precision(1), "never predicted");
        assertEquals(0, c.recall(1));
        assertEquals(0, c.f1(1), "precision and recall both 0");
        assertEquals(0, c.recall(2), "no images");
        assertEquals(0, c.support(2));
        // Macro over all three classes; weighted by support 2, 1, 0.
        assertAverage(2.0 / 9, 1.0 / 3, 0.8 / 3, c.macro());
        assertAverage(4.0 / 9, 2.0 / 3, 1.6 / 3, c.weighted());
        assertTrue(Double.isNaN(new ConfusionMatrix(new long[2][2]).accuracy()), "no images");
        assertEquals(
                new ConfusionMatrix.Average(0, 0, 0),
                new ConfusionMatrix(new long[2][2]).weighted());
    }

    @Test
    void twoClassesWithOneMissingHaveNoAuc() {
        ClassificationMetrics m =
                ClassificationMetrics.compute(
                        List.of("cats", "dogs"),
                        new int[] {0, 0},
                        new int[] {0, 1},
                        new double[][] {{0.9, 0.1}, {0.3, 0.7}});
        assertFalse(m.rocAuc().isPresent());
        assertEquals(0.5, m.accuracy(), EXACT);
    }

    @Test
    void topFiveAccuracyRanksTiesInClassOrder() {
        // Six classes. Image 1 (true 5): classes 0, 1, 2 are more probable and 3, 4 tie with it
        // but come first: 5 ahead, a miss. Image 2 (true 3): 3 ahead, a hit. Image 3 (true 0):
        // all five others are more probable, a miss. 1 of 3.
        double[] shared = {0.3, 0.2, 0.2, 0.1, 0.1, 0.1};
        double[][] probabilities = {shared, shared, {0.0, 0.2, 0.2, 0.2, 0.2, 0.2}};
        int[] trueClasses = {5, 3, 0};
        assertEquals(
                1.0 / 3, ClassificationMetrics.topKAccuracy(5, trueClasses, probabilities), EXACT);
        ClassificationMetrics m =
                ClassificationMetrics.compute(
                        List.of("a", "b", "c", "d", "e", "f"),
                        trueClasses,
                        new int[] {0, 0, 1},
                        probabilities);
        assertEquals(1.0 / 3, m.topKAccuracy().getAsDouble(), EXACT);
        assertTrue(m.rocAuc().isEmpty(), "six classes: no AUC");
        assertEquals(
                1.0,
                ClassificationMetrics.topKAccuracy(6, trueClasses, probabilities),
                "every class is in the top 6");
    }

    @Test
    void fourClassesHaveNeitherAucNorTopFive() {
        ClassificationMetrics m =
                ClassificationMetrics.compute(
                        List.of("a", "b", "c", "d"),
                        new int[] {0, 1},
                        new int[] {0, 1},
                        new double[][] {{0.7, 0.1, 0.1, 0.1}, {0.1, 0.7, 0.1, 0.1}});
        assertTrue(m.rocAuc().isEmpty());
        assertTrue(m.topKAccuracy().isEmpty());
        assertEquals(1.0, m.accuracy());
    }

    @Test
    void refusesInconsistentInput() {
        List<String> labels = List.of("cats", "dogs");
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ClassificationMetrics.compute(
                                labels, new int[] {0}, new int[] {0, 1}, new double[2][2]));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ClassificationMetrics.compute(
                                labels, new int[] {2}, new int[] {0}, new double[][] {{1, 0}}),
                "class 2 of two");
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ClassificationMetrics.compute(
                                labels, new int[] {0}, new int[] {0}, new double[][] {{1}}),
                "one probability for two classes");
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ClassificationMetrics.compute(
                                labels,
                                new int[] {0},
                                new int[] {0},
                                new double[][] {{Double.NaN, 1}}));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ConfusionMatrix(new long[][] {{1, 2}, {3}}),
                "not square");
        assertThrows(
                IllegalArgumentException.class, () -> new ConfusionMatrix(new long[][] {{-1}}));
    }
}
