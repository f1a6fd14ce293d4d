package dev.catsdogs.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Parsing workflow.py's last line, and the {@code workflow:} line and ratio made from it. */
class WorkflowComparisonTest {

    /** A last line as workflow.py prints it (from a --every 10 run). */
    private static final String LINE =
            "{\"torch\": \"1.13.0a0\", \"threads\": 2, \"train_images\": 200,"
                    + " \"validation_images\": 100, \"fe_cache_s\": 14.59, \"fe_s\": 14.61,"
                    + " \"ft_cache_s\": 6.37, \"ft_s\": 10.83, \"total_s\": 25.44,"
                    + " \"fe_val_accuracy\": 0.4, \"ft_val_accuracy\": 0.76}";

    @Test
    void readsTheScriptsFigures() {
        WorkflowComparison w = WorkflowComparison.parse(LINE);
        assertEquals(25.44, w.pytorchSeconds(), 1e-12);
        assertEquals(14.61, w.featureExtractionSeconds(), 1e-12);
        assertEquals(10.83, w.fineTuningSeconds(), 1e-12);
        assertEquals(0.4, w.featureExtractionAccuracy(), 1e-12);
        assertEquals(0.76, w.fineTuningAccuracy(), 1e-12);
    }

    @Test
    void wholeVsPytorchIsOursOverTheirs() {
        WorkflowComparison w = WorkflowComparison.parse(LINE);
        assertEquals(2.0, w.wholeVsPytorch(50.88), 1e-12);
        assertEquals(0.5, w.wholeVsPytorch(12.72), 1e-12);
    }

    @Test
    void workflowLineStartsWithBothTotals() {
        String line = WorkflowComparison.parse(LINE).line(31.25);
        assertTrue(line.startsWith("workflow: ours_s=31.3 pytorch_s=25.4 "), () -> "got: " + line);
        assertTrue(line.contains("val_accuracy 0.4000 / 0.7600"), () -> "got: " + line);
    }

    @Test
    void phaseWithoutEpochsHasNoAccuracy() {
        WorkflowComparison w =
                WorkflowComparison.parse(
                        "{\"fe_s\": 3, \"ft_s\": 1, \"total_s\": 4,"
                                + " \"fe_val_accuracy\": 0.9, \"ft_val_accuracy\": null}");
        assertTrue(Double.isNaN(w.fineTuningAccuracy()));
        assertEquals(0.9, w.featureExtractionAccuracy(), 1e-12);
    }

    @Test
    void missingTotalIsNamed() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> WorkflowComparison.parse("{\"fe_s\": 3, \"ft_s\": 1}"));
        assertTrue(e.getMessage().contains("no total_s"), e::getMessage);
    }

    @Test
    void nonPositiveTimeIsRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                WorkflowComparison.parse(
                                        "{\"fe_s\": 3, \"ft_s\": 1, \"total_s\": 0}"));
        assertTrue(e.getMessage().contains("total_s is 0.0"), e::getMessage);
    }

    @Test
    void lineThatIsNotJsonIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> WorkflowComparison.parse("Traceback (most recent call last):"));
        assertThrows(IllegalArgumentException.class, () -> WorkflowComparison.parse("[1, 2]"));
    }
}
