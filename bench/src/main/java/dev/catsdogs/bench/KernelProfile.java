package dev.catsdogs.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.inference.internal.Arguments;
import dev.catsdogs.inference.internal.OnnxRuntimeLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which kernels ONNX Runtime ran for a model and where the time went, from its own profiler ({@code
 * SessionOptions.enableProfiling}) over batch-1 runs on one intra-op thread, summed per op type.
 * The op types are those of the graph ORT runs after its fusions ({@code QLinearConv}, not {@code
 * DequantizeLinear -> Conv -> QuantizeLinear}), so the line says whether the integer kernels ran
 * and which of them take the time.
 *
 * @param runs the profiled runs (after the warm-up runs, which are left out)
 * @param byOp per op type, most time first
 */
public record KernelProfile(int runs, List<OpTime> byOp) {

    /** Runs before the profiled ones: the first runs allocate and are slower. */
    static final int WARMUP = 5;

    private static final String KERNEL_SUFFIX = "_kernel_time";

    /**
     * One op type's share.
     *
     * @param op the op type ORT ran ({@code args.op_name} of its kernel events)
     * @param nodes how many nodes of that type the run graph holds
     * @param micros kernel time summed over all nodes and profiled runs, microseconds
     */
    public record OpTime(String op, int nodes, double micros) {}

    public KernelProfile {
        byOp = List.copyOf(byOp);
    }

    /**
     * Profiles {@code runs} runs of {@code model} on {@code input} (after {@value #WARMUP} warm-up
     * runs) in a session of its own, with ORT's default optimizations, as the classifier's; the
     * profiler's file is deleted after reading.
     */
    static KernelProfile measure(Path model, PreparedBatch input, int runs)
            throws OrtException, IOException {
        if (runs < 1) {
            throw Arguments.received("runs", runs, ">= 1");
        }
        Path dir = Files.createTempDirectory("catsdogs-ort-profile");
        String json;
        try {
            OrtEnvironment env = OnnxRuntimeLoader.environment();
            Path trace;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.enableProfiling(dir.resolve("ort").toString());
                try (OrtSession session = env.createSession(model.toString(), options);
                        OnnxTensor tensor =
                                OnnxTensor.createTensor(env, input.floats(), input.shape())) {
                    Map<String, OnnxTensor> feed =
                            Map.of(session.getInputNames().iterator().next(), tensor);
                    for (int i = 0; i < WARMUP + runs; i++) {
                        session.run(feed).close();
                    }
                    trace = Path.of(session.endProfiling());
                }
            }
            // a relative name is relative to this process's working directory
            json = Files.readString(trace.toAbsolutePath(), StandardCharsets.UTF_8);
            Files.deleteIfExists(trace.toAbsolutePath());
        } finally {
            try (var left = Files.list(dir)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        return parse(json, WARMUP);
    }

    /**
     * Reads the profiler's trace (a JSON array of Chrome trace events): the kernel events ({@code
     * cat "Node"}, name {@code <node>_kernel_time}, {@code args.op_name}) that start at or after
     * the {@code warmup + 1}-th {@code model_run}.
     *
     * @throws IllegalArgumentException if the trace has no more runs than {@code warmup}
     */
    static KernelProfile parse(String json, int warmup) {
        List<JsonObject> events = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
            events.add(e.getAsJsonObject());
        }
        List<Long> runStarts = new ArrayList<>();
        for (JsonObject e : events) {
            if ("model_run".equals(string(e, "name"))) {
                runStarts.add(e.get("ts").getAsLong());
            }
        }
        runStarts.sort(Comparator.naturalOrder());
        if (runStarts.size() <= warmup) {
            throw new IllegalArgumentException(
                    "the profile has "
                            + runStarts.size()
                            + " model runs; expected more than the "
                            + warmup
                            + " warm-up runs");
        }
        long from = runStarts.get(warmup);
        Map<String, Double> micros = new HashMap<>();
        Map<String, Set<String>> nodes = new HashMap<>();
        for (JsonObject e : events) {
            String name = string(e, "name");
            if (!"Node".equals(string(e, "cat"))
                    || name == null
                    || !name.endsWith(KERNEL_SUFFIX)
                    || e.get("ts").getAsLong() < from) {
                continue;
            }
            String op = e.getAsJsonObject("args").get("op_name").getAsString();
            micros.merge(op, e.get("dur").getAsDouble(), Double::sum);
            nodes.computeIfAbsent(op, k -> new HashSet<>())
                    .add(name.substring(0, name.length() - KERNEL_SUFFIX.length()));
        }
        List<OpTime> byOp = new ArrayList<>();
        micros.forEach((op, us) -> byOp.add(new OpTime(op, nodes.get(op).size(), us)));
        byOp.sort(Comparator.comparingDouble(OpTime::micros).reversed().thenComparing(OpTime::op));
        return new KernelProfile(runStarts.size() - warmup, byOp);
    }

    private static String string(JsonObject e, String key) {
        JsonElement v = e.get(key);
        return v == null || v.isJsonNull() ? null : v.getAsString();
    }

    /** Kernel time per run, all op types, in milliseconds. */
    public double msPerRun() {
        return byOp.stream().mapToDouble(OpTime::micros).sum() / runs / 1000;
    }

    /**
     * One line for the report: {@code <label> kernels (ONNX Runtime profiler, batch 1, 1 thread, N
     * runs): 4.37 ms per run in kernels: QLinearConv x52 3.10 ms (71%), ...}.
     */
    public String line(String label) {
        double total = byOp.stream().mapToDouble(OpTime::micros).sum();
        StringBuilder s =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%s kernels (ONNX Runtime profiler, batch 1, 1 thread, %d runs):"
                                        + " %.2f ms per run in kernels:",
                                label,
                                runs,
                                msPerRun()));
        String separator = " ";
        for (OpTime t : byOp) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%s%s x%d %.2f ms (%.0f%%)",
                            separator,
                            t.op(),
                            t.nodes(),
                            t.micros() / runs / 1000,
                            100 * t.micros() / total));
            separator = ", ";
        }
        return s.toString();
    }
}
