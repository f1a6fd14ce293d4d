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
 */
public final class TraceSummary {

    private final Map<String, Double> selfMsPerStep;

    private TraceSummary(Map<String, Double> selfMsPerStep) {
        this.selfMsPerStep = Collections.unmodifiableMap(selfMsPerStep);
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
        for (List<Event> thread : byThread.values()) {
            addSelfTimes(thread, selfUs);
        }
        Map<String, Double> perStep = new LinkedHashMap<>();
        selfUs.entrySet().stream()
                .sorted(
                        Map.Entry.<String, Double>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .forEach(entry -> perStep.put(entry.getKey(), entry.getValue() / 1000 / steps));
        return new TraceSummary(perStep);
    }

    /** Adds the self time of one thread's events to {@code selfUs}, by operator name. */
    private static void addSelfTimes(List<Event> events, Map<String, Double> selfUs) {
        // A parent starts no later than its children and, when they start together, lasts longer.
        events.sort(
                Comparator.comparingDouble(Event::ts)
                        .thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
        Deque<Open> stack = new ArrayDeque<>();
        for (Event e : events) {
            while (!stack.isEmpty() && !stack.peek().contains(e)) {
                close(stack.pop(), selfUs);
            }
            if (!stack.isEmpty()) {
                stack.peek().self -= e.dur();
            }
            stack.push(new Open(e));
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
        double self;

        Open(Event event) {
            this.event = event;
            this.self = event.dur();
        }

        boolean contains(Event e) {
            return e.ts() < event.end() && e.end() <= event.end() + SLACK_US;
        }
    }
}
