package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.internal.Internals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelProfileTest {

    @TempDir Path dir;

    private static String run(long ts) {
        return "{\"cat\":\"Session\",\"name\":\"model_run\",\"ts\":" + ts + ",\"dur\":90}";
    }

    private static String kernel(String node, String op, long ts, long dur) {
        return "{\"cat\":\"Node\",\"name\":\""
                + node
                + "_kernel_time\",\"ts\":"
                + ts
                + ",\"dur\":"
                + dur
                + ",\"args\":{\"op_name\":\""
                + op
                + "\",\"provider\":\"CPUExecutionProvider\"}}";
    }

    /** Two runs of a three-node graph; the first is the warm-up. */
    private static final String TRACE =
            "["
                    + String.join(
                            ",",
                            run(0),
                            kernel("conv_a", "QLinearConv", 1, 1000), // warm-up: left out
                            "{\"cat\":\"Session\",\"name\":\"session_initialization\",\"ts\":0,"
                                    + "\"dur\":5}",
                            run(100),
                            kernel("conv_a", "QLinearConv", 101, 30),
                            "{\"cat\":\"Node\",\"name\":\"conv_a_fence_before\",\"ts\":101,"
                                    + "\"dur\":0,\"args\":{\"op_name\":\"QLinearConv\"}}",
                            kernel("conv_b", "QLinearConv", 131, 50),
                            kernel("add", "QLinearAdd", 181, 20),
                            run(200),
                            kernel("conv_a", "QLinearConv", 201, 30),
                            kernel("conv_b", "QLinearConv", 231, 50),
                            kernel("add", "QLinearAdd", 281, 20))
                    + "]";

    @Test
    void sumsKernelTimePerOpTypeAfterTheWarmUp() {
        KernelProfile p = KernelProfile.parse(TRACE, 1);
        assertEquals(2, p.runs());
        assertEquals(
                List.of(
                        new KernelProfile.OpTime("QLinearConv", 2, 160),
                        new KernelProfile.OpTime("QLinearAdd", 1, 40)),
                p.byOp());
        assertEquals(0.1, p.msPerRun(), 1e-12);
        assertEquals(
                "int8 kernels (ONNX Runtime profiler, batch 1, 1 thread, 2 runs): 0.10 ms per run"
                        + " in kernels: QLinearConv x2 0.08 ms (80%), QLinearAdd x1 0.02 ms (20%)",
                p.line("int8"));
    }

    @Test
    void aTraceWithoutEnoughRunsIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KernelProfile.parse(TRACE, 3));
        assertTrue(e.getMessage().contains("3 model runs"), e.getMessage());
    }

    @Test
    void theInt8GraphRunsIntegerKernelsAndTheFloatGraphDoesNot() throws Exception {
        Path fp32 = Workspace.defaults().model();
        Path int8 = Int8TestModel.write(fp32, dir.resolve("int8.onnx"));
        PreparedBatch input;
        try (ImageClassifier c = ImageClassifier.builder(fp32).build()) {
            input =
                    PreparedBatch.of(
                            Internals.preprocessor(c),
                            SamplePhotos.load(Workspace.defaults().data(), 1),
                            1);
        }
        KernelProfile floatProfile = KernelProfile.measure(fp32, input, 2);
        KernelProfile int8Profile = KernelProfile.measure(int8, input, 2);
        for (KernelProfile p : List.of(floatProfile, int8Profile)) {
            assertEquals(2, p.runs());
            assertTrue(p.msPerRun() > 0, p.toString());
        }
        assertTrue(
                floatProfile.byOp().stream().noneMatch(t -> t.op().startsWith("QLinear")),
                floatProfile.toString());
        // Every Conv of the float graph runs as an integer QLinearConv, except one whose output
        // is a graph output (the activation maps stay float, as the logits do).
        OnnxMl.GraphProto graph = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(fp32)).getGraph();
        Set<String> outputs =
                graph.getOutputList().stream()
                        .map(OnnxMl.ValueInfoProto::getName)
                        .collect(Collectors.toSet());
        long convs = graph.getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).count();
        long outputConvs =
                graph.getNodeList().stream()
                        .filter(n -> n.getOpType().equals("Conv"))
                        .filter(n -> outputs.contains(n.getOutput(0)))
                        .count();
        assertEquals(
                convs - outputConvs, nodes(int8Profile, "QLinearConv"), int8Profile.toString());
        assertEquals(
                outputConvs,
                nodes(int8Profile, "Conv") + nodes(int8Profile, "FusedConv"),
                int8Profile.toString());
    }

    private static long nodes(KernelProfile p, String op) {
        return p.byOp().stream().filter(t -> t.op().equals(op)).mapToInt(t -> t.nodes()).sum();
    }
}
