package dev.catsdogs.inference.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * {@code confusion.png}: the confusion matrix as a grid, true class by row and predicted class by
 * column, each cell with its count and its share of the row, shaded by that share. The trainer's
 * run directory and {@code catsdogs evaluate --out} both draw it here.
 */
public final class ConfusionPicture {

    private static final int GAP = 8;
    private static final int TITLE_HEIGHT = 30;
    private static final int MIN_CELL = 90;
    private static final int MIN_LABEL_WIDTH = 110;

    private ConfusionPicture() {}

    /**
     * @param title the first line, e.g. {@code validation: 1000 images}
     * @param labels the class names, in the matrix's order
     * @param matrix the counts
     */
    public static BufferedImage render(String title, List<String> labels, ConfusionMatrix matrix) {
        int n = matrix.classes();
        if (labels.size() != n) {
            throw new IllegalArgumentException(
                    labels.size() + " labels for a " + n + " x " + n + " confusion matrix");
        }
        // Measured with the font the names are drawn in, so that long class names still fit.
        Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D p = probe.createGraphics();
        FontMetrics probeMetrics = p.getFontMetrics(plain);
        int widest = 0;
        for (String label : labels) {
            widest = Math.max(widest, probeMetrics.stringWidth(label));
        }
        p.dispose();
        int cell = Math.max(MIN_CELL, widest + 12);
        int labelWidth = Math.max(MIN_LABEL_WIDTH, widest + GAP);
        int top = TITLE_HEIGHT + 40;
        BufferedImage image =
                new BufferedImage(
                        labelWidth + n * cell + 2 * GAP,
                        top + n * cell + GAP,
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Canvas.white(image);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, GAP, 21);
            g.setFont(plain);
            g.drawString("rows: true class, columns: predicted", GAP, TITLE_HEIGHT + 10);
            FontMetrics metrics = g.getFontMetrics();
            for (int c = 0; c < n; c++) {
                String name = labels.get(c);
                int x = labelWidth + GAP + c * cell + (cell - metrics.stringWidth(name)) / 2;
                g.drawString(name, x, top - 6);
                g.drawString(name, GAP, top + c * cell + cell / 2 + 4);
            }
            for (int t = 0; t < n; t++) {
                long rowTotal = matrix.support(t);
                for (int q = 0; q < n; q++) {
                    double share = rowTotal == 0 ? 0 : (double) matrix.count(t, q) / rowTotal;
                    int x = labelWidth + GAP + q * cell;
                    int y = top + t * cell;
                    int shade = (int) Math.round(255 - 185 * share);
                    g.setColor(new Color(shade, shade, 255));
                    g.fillRect(x, y, cell - 2, cell - 2);
                    g.setColor(share > 0.6 ? Color.WHITE : Color.BLACK);
                    String count = Long.toString(matrix.count(t, q));
                    String percent = String.format(Locale.ROOT, "%.1f%%", 100 * share);
                    g.drawString(
                            count, x + (cell - metrics.stringWidth(count)) / 2, y + cell / 2 - 4);
                    g.drawString(
                            percent,
                            x + (cell - metrics.stringWidth(percent)) / 2,
                            y + cell / 2 + 12);
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }
}
