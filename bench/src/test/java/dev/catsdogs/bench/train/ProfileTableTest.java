package dev.catsdogs.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** Which operators make the table, in which order, and how the figures are printed. */
class ProfileTableTest {

    // One step each; ms per step. DJL totals 1000, PyTorch 800.
    private static final TraceSummary DJL =
            summary(
                    Map.of(
                            "aten::convolution_backward",
                            500,
                            "aten::mkldnn_convolution",
                            300,
                            "aten::native_batch_norm_backward",
                            150,
                            "aten::copy_",
                            40,
                            "aten::tiny",
                            5,
                            "aten::noise",
                            5));
    private static final TraceSummary PYTORCH =
            summary(
                    Map.of(
                            "aten::convolution_backward",
                            400,
                            "aten::mkldnn_convolution",
                            250,
                            "aten::native_batch_norm_backward",
                            100,
                            "aten::addcdiv_",
                            29,
                            "aten::tiny",
                            20,
                            "aten::noise",
                            1));

    @Test
    void listsOperatorsOfAtLeastOnePercentOfEitherSideByDjlTime() {
        // tiny is 0.5% of DJL but 2.5% of PyTorch: in. noise is under 1% on both sides: only in the
        // totals.
        assertEquals(
                """
                | operator | DJL ms/step | PyTorch ms/step | DJL/PyTorch |
                |---|---|---|---|
                | aten::convolution_backward | 500.0 | 400.0 | 1.25 |
                | aten::mkldnn_convolution | 300.0 | 250.0 | 1.20 |
                | aten::native_batch_norm_backward | 150.0 | 100.0 | 1.50 |
                | aten::copy_ | 40.0 | 0.0 | - |
                | aten::tiny | 5.0 | 20.0 | 0.25 |
                | aten::addcdiv_ | 0.0 | 29.0 | 0.00 |
                | total | 1000.0 | 800.0 | 1.25 |
                """,
                ProfileTable.markdown(DJL, PYTORCH));
    }

    @Test
    void withoutPytorchOnlyTheDjlColumn() {
        assertEquals(
                """
                | operator | DJL ms/step |
                |---|---|
                | aten::convolution_backward | 500.0 |
                | aten::mkldnn_convolution | 300.0 |
                | aten::native_batch_norm_backward | 150.0 |
                | aten::copy_ | 40.0 |
                | total | 1000.0 |
                """,
                ProfileTable.markdown(DJL, null));
    }

    @Test
    void callsTableListsOperatorsOfAtLeastOnePercentOfEitherSidesCalls() {
        // DJL: 300 calls in 2 steps (150 per step); PyTorch 100 per step. mul 1 of 150 (0.7%) and
        // of 100 (1%): in; neg 0.5 of 150 and none of 100: only in the totals.
        TraceSummary djl =
                calls(
                        Map.of("aten::add", 200, "aten::sqrt", 97, "aten::mul", 2, "aten::neg", 1),
                        2);
        TraceSummary pytorch =
                calls(Map.of("aten::add", 60, "aten::addcdiv_", 39, "aten::mul", 1), 1);
        assertEquals(
                """
                | operator | DJL calls/step | PyTorch calls/step |
                |---|---|---|
                | aten::add | 100 | 60 |
                | aten::sqrt | 48.5 | 0 |
                | aten::mul | 1 | 1 |
                | aten::addcdiv_ | 0 | 39 |
                | total | 150 | 100 |
                """,
                ProfileTable.callsMarkdown(djl, pytorch));
        assertEquals(
                """
                | operator | DJL calls/step |
                |---|---|
                | aten::add | 100 |
                | aten::sqrt | 48.5 |
                | total | 150 |
                """,
                ProfileTable.callsMarkdown(djl, null));
    }

    /** A trace of {@code steps} steps with {@code calls} back-to-back 1 us events per operator. */
    private static TraceSummary calls(Map<String, Integer> calls, int steps) {
        StringJoiner events = new StringJoiner(",\n", "[\n", "\n]");
        long ts = 0;
        for (Map.Entry<String, Integer> op : calls.entrySet()) {
            for (int i = 0; i < op.getValue(); i++) {
                events.add(
                        "{\"name\": \""
                                + op.getKey()
                                + "\", \"ph\": \"X\", \"ts\": "
                                + ts++
                                + ", \"dur\": 1, \"tid\": 1}");
            }
        }
        return TraceSummary.parse(events.toString(), steps);
    }

    /**
     * A trace of one step with one top-level event per operator, {@code ms} long, one after
     * another.
     */
    private static TraceSummary summary(Map<String, Integer> ms) {
        StringJoiner events = new StringJoiner(",\n", "[\n", "\n]");
        long ts = 0;
        for (Map.Entry<String, Integer> op : ms.entrySet()) {
            long dur = op.getValue() * 1000L;
            events.add(
                    "{\"name\": \""
                            + op.getKey()
                            + "\", \"ph\": \"X\", \"ts\": "
                            + ts
                            + ", \"dur\": "
                            + dur
                            + ", \"tid\": 1}");
            ts += dur;
        }
        return TraceSummary.parse(events.toString(), 1);
    }
}
