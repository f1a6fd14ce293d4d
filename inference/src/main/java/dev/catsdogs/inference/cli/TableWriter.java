package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.Prediction;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A table aligned for reading: {@code PATH LABEL PROBABILITY}, and with {@code --top K} a last
 * column {@code TOP}: the K most probable classes as {@code label probability} pairs, comma
 * separated. Column widths come from all inputs and labels up front, so rows can be printed as
 * results arrive. Control characters in paths, labels and messages are printed escaped ({@code \n},
 * {@code \}{@code u001b}), so every input is one row.
 */
final class TableWriter implements ResultWriter {

    private final PrintWriter out;
    private final String rowFormat;
    private final String errorFormat;
    private final int topK;

    /** {@code topK} 0: no TOP column. */
    TableWriter(PrintWriter out, List<Path> files, List<String> labels, int topK) {
        this.out = out;
        this.topK = topK;
        int pathWidth =
                Math.max(
                        "PATH".length(),
                        files.stream().mapToInt(f -> shown(f).length()).max().orElse(0));
        int labelWidth =
                Math.max(
                        "ERROR".length(),
                        labels.stream()
                                .mapToInt(l -> Escapes.controls(l).length())
                                .max()
                                .orElse(0));
        String base = "%-" + pathWidth + "s  %-" + labelWidth + "s  ";
        // The probability column is as wide as its header when a TOP column follows it.
        this.rowFormat = topK > 0 ? base + "%-11s  %s%n" : base + "%s%n";
        this.errorFormat = base + "%s%n";
        if (topK > 0) {
            out.printf(Locale.ROOT, rowFormat, "PATH", "LABEL", "PROBABILITY", "TOP");
        } else {
            out.printf(Locale.ROOT, rowFormat, "PATH", "LABEL", "PROBABILITY");
        }
    }

    @Override
    public void prediction(Path file, Prediction prediction) {
        String probability = String.format(Locale.ROOT, "%.4f", prediction.probability());
        String label = Escapes.controls(prediction.label());
        if (topK == 0) {
            out.printf(Locale.ROOT, rowFormat, shown(file), label, probability);
            return;
        }
        String top =
                prediction.topK(topK).stream()
                        .map(
                                c ->
                                        String.format(
                                                Locale.ROOT,
                                                "%s %.4f",
                                                Escapes.controls(c.label()),
                                                c.probability()))
                        .collect(Collectors.joining(", "));
        out.printf(Locale.ROOT, rowFormat, shown(file), label, probability, top);
    }

    @Override
    public void error(Path file, String problem) {
        // The problem takes the rest of the line (past an empty TOP column).
        out.printf(Locale.ROOT, errorFormat, shown(file), "ERROR", Escapes.controls(problem));
    }

    private static String shown(Path file) {
        return Escapes.path(file);
    }
}
