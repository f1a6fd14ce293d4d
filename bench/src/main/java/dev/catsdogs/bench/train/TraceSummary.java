package dev.catsdogs.bench.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-operator self time per step of a profiled run, from a Chrome trace as PyTorch's profilers
 * write it: a JSON array of complete events ({@code "ph": "X"}) with {@code name}, {@code ts} and
 * {@code dur} in microseconds, and {@code tid}.
 *
 * <p>Self time, not total: operators nest ({@code aten::conv2d} calls {@code aten::convolution},
 * which calls {@code aten::mkldnn_convolution}), so summing total times would count a kernel once
 * per caller. An event's self time is its duration minus that of the events directly inside it on
 * the same thread; self times add up to the time covered by the outermost events.
 *
 * <p>Also the operator calls per step that the host issues: {@code aten::} events not inside
 * another {@code aten::} event on the same thread. A call from Java (one JNI call), from a
 * TorchScript function or from Python counts once; the operators it calls in turn do not, nor do
 * wrappers such as {@code autograd::engine::evaluate_function} or {@code Optimizer.step} (their
 * operators count).
 */
public final class TraceSummary {

    private static final String OPERATOR_PREFIX = "aten::";

    private final Map<String, Double> selfMsPerStep;
    private final Map<String, Double> callsPerStep;

    private TraceSummary(Map<String, Double> selfMsPerStep, Map<String, Double> callsPerStep) {
        this.selfMsPerStep = Collections.unmodifiableMap(selfMsPerStep);
        this.callsPerStep = Collections.unmodifiableMap(callsPerStep);
    }

    /** Reads {@code trace}, which recorded {@code steps} steps. */
    public static TraceSummary read(Path trace, int steps) throws IOException {
        try (Reader in = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            return of(JsonParser.parseReader(in), steps);
        } catch (RuntimeException e) {
            throw new IOException(
                    "Cannot read the Chrome trace " + trace + ": " + e.getMessage(), e);
        }
    }

    /** Summarises a trace's JSON text, which recorded {@code steps} steps. */
    public static TraceSummary parse(String json, int steps) {
        return of(JsonParser.parseString(json), steps);
    }

    private static TraceSummary of(JsonElement trace, int steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException("Received steps=" + steps + "; expected at least 1");
        }
        // Newer profilers wrap the array as {"traceEvents": [...]}.
        JsonArray events =
                trace.isJsonObject()
                        ? trace.getAsJsonObject().getAsJsonArray("traceEvents")
                        : trace.getAsJsonArray();
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonElement element : events) {
            JsonObject e = element.getAsJsonObject();
            if (e.has("ph") && e.get("ph").getAsString().equals("X")) {
                String tid = e.has("tid") ? e.get("tid").getAsString() : "";
                byThread.computeIfAbsent(tid, k -> new ArrayList<>())
                        .add(
                                new Event(
                                        e.get("name").getAsString(),
                                        e.get("ts").getAsDouble(),
                                        e.get("dur").getAsDouble()));
            }
        }
        Map<String, Double> selfUs = new HashMap<>();
        Map<String, Double> calls = new HashMap<>();
        for (List<Event> thread : byThread.values()) {
            addSelfTimes(thread, selfUs, calls);
        }
        Map<String, Double> perStep = new LinkedHashMap<>();
        selfUs.entrySet().stream()
                .sorted(
                        Map.Entry.<String, Double>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> perStep.put(entry.getKey(), entry.getValue() / 1000 / steps));
        return new TraceSummary(perStep, largestFirst(calls, steps));
    }

    private static Map<String, Double> largestFirst(Map<String, Double> totals, int steps) {
        Map<String, Double> perStep = new LinkedHashMap<>();
        totals.entrySet().stream()
                .sorted(
                        Map.Entry.<String, Double>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> perStep.put(entry.getKey(), entry.getValue() / steps));
        return perStep;
    }

    /**
     * Adds the self time of one thread's events to {@code selfUs}, and its host-issued operator
     * calls to {@code calls}, by operator name.
     */
    private static void addSelfTimes(
            List<Event> events, Map<String, Double> selfUs, Map<String, Double> calls) {
        // A parent starts no later than its children and, when they start together, lasts longer.
        events.sort(
                Comparator.comparingDouble(Event::ts)
                        .thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
        Deque<Open> stack = new ArrayDeque<>();
        for (Event e : events) {
            while (!stack.isEmpty() && !stack.peek().contains(e)) {
                close(stack.pop(), selfUs);
            }
            boolean insideOperator = !stack.isEmpty() && stack.peek().insideOperator;
            if (!stack.isEmpty()) {
                stack.peek().self -= e.dur();
            }
            boolean operator = e.name().startsWith(OPERATOR_PREFIX);
            if (operator && !insideOperator) {
                calls.merge(e.name(), 1.0, Double::sum);
            }
            stack.push(new Open(e, insideOperator || operator));
        }
        while (!stack.isEmpty()) {
            close(stack.pop(), selfUs);
        }
    }

    private static void close(Open open, Map<String, Double> selfUs) {
        selfUs.merge(open.event.name(), open.self, Double::sum);
    }

    /** Self ms per step of every operator, largest first. */
    public Map<String, Double> selfMsPerStep() {
        return selfMsPerStep;
    }

    /** Self ms per step of {@code op}; 0 when the trace does not have it. */
    public double selfMs(String op) {
        return selfMsPerStep.getOrDefault(op, 0.0);
    }

    /**
     * Operator calls per step that the host issued (see the class comment), by operator, most
     * first.
     */
    public Map<String, Double> callsPerStep() {
        return callsPerStep;
    }

    /** Calls per step of {@code op} issued by the host; 0 when the trace does not have it. */
    public double calls(String op) {
        return callsPerStep.getOrDefault(op, 0.0);
    }

    /** All operator calls per step that the host issued: the native calls of a step. */
    public double opsPerStep() {
        return callsPerStep.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Ms per step of all operators: the time the outermost events cover. */
    public double totalMs() {
        return selfMsPerStep.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private record Event(String name, double ts, double dur) {
        double end() {
            return ts + dur;
        }
    }

    /** An event on the stack, with its self time so far. */
    private static final class Open {
        // PyTorch 1.13 writes whole microseconds, rounding start and duration apart, so a child can
        // seem to end 1 us after its parent (about 90 times a step). DJL writes fractions of a
        // microsecond.
        private static final double SLACK_US = 1;

        final Event event;
        // Whether this event is an operator or inside one.
        final boolean insideOperator;
        double self;

        Open(Event event, boolean insideOperator) {
            this.event = event;
            this.insideOperator = insideOperator;
            this.self = event.dur();
        }

        boolean contains(Event e) {
            return e.ts() < event.end() && e.end() <= event.end() + SLACK_US;
        }
    }
}
