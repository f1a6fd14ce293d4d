package dev.catsdogs.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self times per step from a small Chrome trace whose answer is worked out by hand. */
class TraceSummaryTest {

    private static final double EPS = 1e-12;

    // Two steps. Thread 1, times in microseconds:
    //   conv2d [0, 100) > convolution [10, 90) > mkldnn_convolution [20, 80); add [95.5, 100) in
    // conv2d
    //   empty [100, 110) starts where conv2d ends, so it is not inside it
    //   conv2d [200, 250) > convolution [200, 240): same start, the longer one is the parent
    // Thread 2 overlaps thread 1 in time but nests only within itself:
    //   convolution_backward [50, 350) > add [60, 80)
    // Listed out of order, with a metadata event and an instant event that must be ignored.
    private static final String TRACE =
            """
            [
              {"name": "aten::convolution_backward", "ph": "X", "ts": 50, "dur": 300, "tid": 2, "pid": "CPU Functions", "args": {}},
              {"name": "aten::mkldnn_convolution", "ph": "X", "ts": 20, "dur": 60, "tid": 1, "pid": "CPU Functions", "args": {}},
              {"name": "aten::add", "ph": "X", "ts": 95.5, "dur": 4.5, "tid": 1},
              {"name": "aten::convolution", "ph": "X", "ts": 200, "dur": 40, "tid": 1},
              {"name": "thread_name", "ph": "M", "ts": 0, "tid": 1, "args": {"name": "main"}},
              {"name": "aten::conv2d", "ph": "X", "ts": 0, "dur": 100, "tid": 1},
              {"name": "aten::empty", "ph": "X", "ts": 100, "dur": 10, "tid": 1},
              {"name": "aten::add", "ph": "X", "ts": 60, "dur": 20, "tid": 2},
              {"name": "marker", "ph": "i", "ts": 30, "tid": 1},
              {"name": "aten::convolution", "ph": "X", "ts": 10, "dur": 80, "tid": 1},
              {"name": "aten::conv2d", "ph": "X", "ts": 200, "dur": 50, "tid": 1}
            ]
            """;

    @Test
    void selfTimePerStepSubtractsDirectChildrenOnTheSameThreadOnly() {
        TraceSummary summary = TraceSummary.parse(TRACE, 2);

        // Self us: conv2d (100 - 80 - 4.5) + (50 - 40) = 25.5; convolution (80 - 60) + 40 = 60;
        // mkldnn_convolution 60; add 4.5 + 20 = 24.5; empty 10; convolution_backward 300 - 20 =
        // 280.
        assertEquals(0.14, summary.selfMs("aten::convolution_backward"), EPS);
        assertEquals(0.03, summary.selfMs("aten::convolution"), EPS);
        assertEquals(0.03, summary.selfMs("aten::mkldnn_convolution"), EPS);
        assertEquals(0.01275, summary.selfMs("aten::conv2d"), EPS);
        assertEquals(0.01225, summary.selfMs("aten::add"), EPS);
        assertEquals(0.005, summary.selfMs("aten::empty"), EPS);
        assertEquals(0.0, summary.selfMs("thread_name"), EPS);
        assertEquals(6, summary.selfMsPerStep().size());
        // The outermost events cover 100 + 10 + 50 + 300 us over two steps.
        assertEquals(0.23, summary.totalMs(), EPS);
    }

    @Test
    void callsPerStepCountOnlyOperatorsTheHostIssued() {
        TraceSummary summary = TraceSummary.parse(TRACE, 2);

        // Thread 1 issues conv2d twice and empty once (convolution, mkldnn_convolution and add run
        // inside conv2d); thread 2 issues convolution_backward once (add runs inside it).
        assertEquals(1.0, summary.calls("aten::conv2d"), EPS);
        assertEquals(0.5, summary.calls("aten::empty"), EPS);
        assertEquals(0.5, summary.calls("aten::convolution_backward"), EPS);
        assertEquals(0.0, summary.calls("aten::add"), EPS);
        assertEquals(0.0, summary.calls("aten::convolution"), EPS);
        assertEquals(2.0, summary.opsPerStep(), EPS);
        assertEquals(
                List.of("aten::conv2d", "aten::convolution_backward", "aten::empty"),
                List.copyOf(summary.callsPerStep().keySet()));
    }

    @Test
    void operatorsInsideWrappersCountOnceEach() {
        // A TorchScript call or Python's Optimizer.step is a wrapper, not an operator: the
        // operators it issues count, not what they call.
        String wrapped =
                """
                [
                  {"name": "forward", "ph": "X", "ts": 0, "dur": 100, "tid": 1},
                  {"name": "aten::_foreach_mul_", "ph": "X", "ts": 10, "dur": 30, "tid": 1},
                  {"name": "aten::mul_", "ph": "X", "ts": 12, "dur": 5, "tid": 1},
                  {"name": "aten::mul_", "ph": "X", "ts": 20, "dur": 5, "tid": 1},
                  {"name": "aten::_foreach_sqrt_", "ph": "X", "ts": 50, "dur": 30, "tid": 1},
                  {"name": "aten::sqrt_", "ph": "X", "ts": 55, "dur": 5, "tid": 1}
                ]
                """;
        TraceSummary summary = TraceSummary.parse(wrapped, 1);

        assertEquals(2.0, summary.opsPerStep(), EPS);
        assertEquals(1.0, summary.calls("aten::_foreach_mul_"), EPS);
        assertEquals(0.0, summary.calls("forward"), EPS);
        assertEquals(0.0, summary.calls("aten::mul_"), EPS);
    }

    @Test
    void operatorsComeLargestFirstAndTiesByName() {
        TraceSummary summary = TraceSummary.parse(TRACE, 2);

        assertEquals(
                List.of(
                        "aten::convolution_backward",
                        "aten::convolution",
                        "aten::mkldnn_convolution",
                        "aten::conv2d",
                        "aten::add",
                        "aten::empty"),
                List.copyOf(summary.selfMsPerStep().keySet()));
    }

    @Test
    void aChildRoundedToEndOneMicrosecondAfterItsParentIsStillInside() {
        String oneOver =
                """
                [
                  {"name": "parent", "ph": "X", "ts": 0, "dur": 10, "tid": 1},
                  {"name": "child", "ph": "X", "ts": 5, "dur": 6, "tid": 1}
                ]
                """;
        String twoOver = oneOver.replace("\"dur\": 6", "\"dur\": 7");

        TraceSummary inside = TraceSummary.parse(oneOver, 1);
        assertEquals(0.004, inside.selfMs("parent"), EPS);
        assertEquals(0.006, inside.selfMs("child"), EPS);
        TraceSummary outside = TraceSummary.parse(twoOver, 1);
        assertEquals(0.010, outside.selfMs("parent"), EPS);
        assertEquals(0.007, outside.selfMs("child"), EPS);
    }

    @Test
    void readsATraceFileAndTheTraceEventsForm(@TempDir Path dir) throws Exception {
        Path array = Files.writeString(dir.resolve("array.json"), TRACE);
        Path object =
                Files.writeString(dir.resolve("object.json"), "{\"traceEvents\": " + TRACE + "}");

        assertEquals(0.46, TraceSummary.read(array, 1).totalMs(), EPS);
        assertEquals(0.0255, TraceSummary.read(object, 1).selfMs("aten::conv2d"), EPS);
    }

    @Test
    void rejectsNoStepsAndUnreadableFiles(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TraceSummary.parse(TRACE, 0));
        Path broken =
                Files.writeString(
                        dir.resolve("broken.json"), "[{\"name\": \"aten::add\", \"ph\": \"X\"");
        assertThrows(java.io.IOException.class, () -> TraceSummary.read(broken, 1));
    }
}
