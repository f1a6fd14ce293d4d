package dev.catsdogs.bench.train;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Markdown table of {@code bench-train --profile}: self ms per step of each operator, ours
 * (DJL) against PyTorch from Python, for every operator worth at least 1% of either side, then the
 * totals.
 */
public final class ProfileTable {

    /**
     * Operators below this share of both sides' totals are left out of the rows (not the totals).
     */
    static final double MIN_SHARE = 0.01;

    private ProfileTable() {}

    /**
     * The table; {@code pytorch} may be null (PyTorch not installed), which leaves only the DJL
     * column.
     */
    public static String markdown(TraceSummary djl, TraceSummary pytorch) {
        StringBuilder out = new StringBuilder();
        if (pytorch == null) {
            out.append("| operator | DJL ms/step |\n|---|---|\n");
            for (String op : rows(djl, null)) {
                out.append(String.format(Locale.ROOT, "| %s | %.1f |\n", op, djl.selfMs(op)));
            }
            out.append(String.format(Locale.ROOT, "| total | %.1f |\n", djl.totalMs()));
            return out.toString();
        }
        out.append(
                "| operator | DJL ms/step | PyTorch ms/step | DJL/PyTorch |\n|---|---|---|---|\n");
        for (String op : rows(djl, pytorch)) {
            out.append(row(op, djl.selfMs(op), pytorch.selfMs(op)));
        }
        out.append(row("total", djl.totalMs(), pytorch.totalMs()));
        return out.toString();
    }

    /**
     * Operators at or above {@link #MIN_SHARE} of either total, by DJL time (then PyTorch time),
     * largest first.
     */
    static List<String> rows(TraceSummary djl, TraceSummary pytorch) {
        Set<String> ops = new LinkedHashSet<>(djl.selfMsPerStep().keySet());
        if (pytorch != null) {
            ops.addAll(pytorch.selfMsPerStep().keySet());
        }
        Comparator<String> byDjl = Comparator.comparingDouble(djl::selfMs);
        Comparator<String> byPytorch =
                Comparator.comparingDouble(op -> pytorch == null ? 0 : pytorch.selfMs(op));
        return ops.stream()
                .filter(op -> large(djl, op) || (pytorch != null && large(pytorch, op)))
                .sorted(
                        byDjl.thenComparing(byPytorch)
                                .reversed()
                                .thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    /**
     * The Markdown table of operator calls per step issued by the host (see {@link TraceSummary}):
     * every operator with at least {@link #MIN_SHARE} of either side's calls, most first, then the
     * totals. {@code pytorch} may be null, which leaves only the DJL column.
     */
    public static String callsMarkdown(TraceSummary djl, TraceSummary pytorch) {
        StringBuilder out = new StringBuilder();
        out.append(
                pytorch == null
                        ? "| operator | DJL calls/step |\n|---|---|\n"
                        : "| operator | DJL calls/step | PyTorch calls/step |\n|---|---|---|\n");
        Set<String> ops = new LinkedHashSet<>(djl.callsPerStep().keySet());
        if (pytorch != null) {
            ops.addAll(pytorch.callsPerStep().keySet());
        }
        Comparator<String> byDjl = Comparator.comparingDouble(djl::calls);
        Comparator<String> byPytorch =
                Comparator.comparingDouble(op -> pytorch == null ? 0 : pytorch.calls(op));
        List<String> rows =
                ops.stream()
                        .filter(
                                op ->
                                        djl.calls(op) >= MIN_SHARE * djl.opsPerStep()
                                                || (pytorch != null
                                                        && pytorch.calls(op)
                                                                >= MIN_SHARE
                                                                        * pytorch.opsPerStep()))
                        .sorted(
                                byDjl.thenComparing(byPytorch)
                                        .reversed()
                                        .thenComparing(Comparator.naturalOrder()))
                        .toList();
        for (String op : rows) {
            out.append(callsRow(op, djl.calls(op), pytorch == null ? null : pytorch.calls(op)));
        }
        out.append(
                callsRow("total", djl.opsPerStep(), pytorch == null ? null : pytorch.opsPerStep()));
        return out.toString();
    }

    private static String callsRow(String op, double djl, Double pytorch) {
        return "| "
                + op
                + " | "
                + count(djl)
                + (pytorch == null ? "" : " | " + count(pytorch))
                + " |\n";
    }

    /** A mean count per step: whole when it is, else one decimal. */
    static String count(double calls) {
        return calls == Math.rint(calls)
                ? Long.toString(Math.round(calls))
                : String.format(Locale.ROOT, "%.1f", calls);
    }

    private static boolean large(TraceSummary side, String op) {
        return side.selfMs(op) >= MIN_SHARE * side.totalMs();
    }

    private static String row(String op, double djlMs, double pytorchMs) {
        String ratio = pytorchMs > 0 ? String.format(Locale.ROOT, "%.2f", djlMs / pytorchMs) : "-";
        return String.format(
                Locale.ROOT, "| %s | %.1f | %.1f | %s |\n", op, djlMs, pytorchMs, ratio);
    }
}
