package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.eval.ClassificationMetrics;
import dev.catsdogs.inference.eval.ConfusionMatrix;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@link ClassificationMetrics} as aligned text for {@code evaluate}: the totals, a per-class table
 * of precision, recall, F1 and support with the macro and weighted averages, and the confusion
 * matrix with true classes as rows. Figures with three decimals; labels with control characters
 * escaped.
 */
final class MetricsTable {

    private static final String MACRO = "macro avg";
    private static final String WEIGHTED = "weighted avg";

    private MetricsTable() {}

    static void print(PrintWriter out, ClassificationMetrics metrics) {
        ConfusionMatrix confusion = metrics.confusion();
        List<String> labels = metrics.labels().stream().map(Escapes::controls).toList();
        out.printf(Locale.ROOT, "%-15s %d%n", "images", metrics.images());
        out.printf(Locale.ROOT, "%-15s %.3f%n", "accuracy", metrics.accuracy());
        if (labels.size() == 2) {
            out.printf(
                    Locale.ROOT,
                    "%-15s %s%n",
                    "ROC AUC",
                    metrics.rocAuc().isPresent()
                            ? String.format(
                                    Locale.ROOT,
                                    "%.3f (%s scored against %s)",
                                    metrics.rocAuc().getAsDouble(),
                                    labels.get(1),
                                    labels.get(0))
                            : "none (needs images of both classes)");
        }
        metrics.topKAccuracy()
                .ifPresent(
                        a ->
                                out.printf(
                                        Locale.ROOT,
                                        "%-15s %.3f%n",
                                        "top-" + ClassificationMetrics.TOP_K + " accuracy",
                                        a));
        int nameWidth = WEIGHTED.length();
        for (String label : labels) {
            nameWidth = Math.max(nameWidth, label.length());
        }
        String header = "%n%-" + nameWidth + "s  %9s  %6s  %6s  %7s%n";
        String row = "%-" + nameWidth + "s  %9.3f  %6.3f  %6.3f  %7d%n";
        out.printf(Locale.ROOT, header, "class", "precision", "recall", "f1", "support");
        for (int k = 0; k < labels.size(); k++) {
            out.printf(
                    Locale.ROOT,
                    row,
                    labels.get(k),
                    confusion.precision(k),
                    confusion.recall(k),
                    confusion.f1(k),
                    confusion.support(k));
        }
        for (String name : List.of(MACRO, WEIGHTED)) {
            ConfusionMatrix.Average a =
                    name.equals(MACRO) ? confusion.macro() : confusion.weighted();
            out.printf(
                    Locale.ROOT, row, name, a.precision(), a.recall(), a.f1(), confusion.images());
        }
        printConfusion(out, labels, confusion);
    }

    private static void printConfusion(
            PrintWriter out, List<String> labels, ConfusionMatrix confusion) {
        out.printf("%nconfusion matrix (rows: true class, columns: predicted class)%n");
        int nameWidth = 0;
        int countWidth = 1;
        for (int t = 0; t < labels.size(); t++) {
            nameWidth = Math.max(nameWidth, labels.get(t).length());
            countWidth = Math.max(countWidth, labels.get(t).length());
            for (int p = 0; p < labels.size(); p++) {
                countWidth = Math.max(countWidth, Long.toString(confusion.count(t, p)).length());
            }
        }
        StringBuilder line = new StringBuilder(" ".repeat(nameWidth));
        for (String label : labels) {
            line.append("  ").append(" ".repeat(countWidth - label.length())).append(label);
        }
        out.println(line);
        for (int t = 0; t < labels.size(); t++) {
            line.setLength(0);
            line.append(labels.get(t)).append(" ".repeat(nameWidth - labels.get(t).length()));
            for (int p = 0; p < labels.size(); p++) {
                String count = Long.toString(confusion.count(t, p));
                line.append("  ").append(" ".repeat(countWidth - count.length())).append(count);
            }
            out.println(line);
        }
    }
}
