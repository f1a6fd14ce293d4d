package dev.catsdogs.inference;

import dev.catsdogs.inference.internal.Arguments;
import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * Draws an {@link Explanation}: the photo with the predicted class's activation map as a
 * translucent heat overlay (jet colours, stronger where the evidence for the class is stronger) and
 * caption lines in a dark box at the top left. {@code classify --explain} writes one per image; the
 * trainer's {@code errors.png} is a grid of them.
 *
 * <p>The map is scaled per image: its largest positive value is full heat, zero and negative values
 * (no evidence, or evidence against the class) leave the photo as it is. The picture shows where
 * the model looked, not how sure it was; the caption says that.
 */
public final class ExplanationPicture {

    /** Opacity of the heat colour where the map is at its maximum. */
    private static final float MAX_ALPHA = 0.6f;

    private ExplanationPicture() {}

    /**
     * The usual caption: predicted label and its probability, rounded down so that only certainty
     * reads 100%, e.g. {@code dogs 97.3%}.
     */
    public static String caption(Prediction prediction) {
        return String.format(
                Locale.ROOT,
                "%s %.1f%%",
                prediction.label(),
                Math.floor(1000.0 * prediction.probability()) / 10);
    }

    /**
     * The picture, scaled down (never up) so that its longer side is at most {@code maxSide}.
     *
     * @param explanation what to draw
     * @param caption lines written at the top left; may be empty
     * @param maxSide the longest side of the picture in pixels, at least 16
     */
    public static BufferedImage render(Explanation explanation, List<String> caption, int maxSide) {
        if (maxSide < 16) {
            throw Arguments.received("maxSide", maxSide, ">= 16");
        }
        int w = explanation.width();
        int h = explanation.height();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * scale));
        int th = Math.max(1, (int) Math.round(h * scale));
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(explanation.image(), 0, 0, tw, th, null);
            overlayHeat(out, explanation);
            drawCaption(g, caption, tw, th);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void overlayHeat(BufferedImage out, Explanation explanation) {
        float[] map = explanation.mapView();
        int w = explanation.width();
        int h = explanation.height();
        float max = 0;
        for (float v : map) {
            max = Math.max(max, v);
        }
        if (!(max > 0)) {
            return; // no evidence anywhere: nothing to highlight
        }
        int tw = out.getWidth();
        int th = out.getHeight();
        int[] row = new int[tw];
        for (int ty = 0; ty < th; ty++) {
            // The map pixel under the centre of this picture pixel.
            int sy = Math.min(h - 1, (int) ((ty + 0.5) * h / th));
            out.getRGB(0, ty, tw, 1, row, 0, tw);
            for (int tx = 0; tx < tw; tx++) {
                int sx = Math.min(w - 1, (int) ((tx + 0.5) * w / tw));
                float v = Math.max(0f, map[sy * w + sx] / max);
                if (v > 0) {
                    row[tx] = blend(row[tx], jet(v), MAX_ALPHA * v);
                }
            }
            out.setRGB(0, ty, tw, 1, row, 0, tw);
        }
    }

    /** The jet colour map: blue (0), cyan, green, yellow, red (1). */
    static int jet(float v) {
        int r = channel(1.5f - Math.abs(4 * v - 3));
        int g = channel(1.5f - Math.abs(4 * v - 2));
        int b = channel(1.5f - Math.abs(4 * v - 1));
        return (r << 16) | (g << 8) | b;
    }

    private static int channel(float x) {
        return Math.round(255 * Math.max(0f, Math.min(1f, x)));
    }

    private static int blend(int rgb, int heat, float alpha) {
        int r = mix((rgb >> 16) & 0xFF, (heat >> 16) & 0xFF, alpha);
        int g = mix((rgb >> 8) & 0xFF, (heat >> 8) & 0xFF, alpha);
        int b = mix(rgb & 0xFF, heat & 0xFF, alpha);
        return (r << 16) | (g << 8) | b;
    }

    private static int mix(int a, int b, float alpha) {
        return Math.round(a * (1 - alpha) + b * alpha);
    }

    private static void drawCaption(Graphics2D g, List<String> lines, int width, int height) {
        if (lines.isEmpty()) {
            return;
        }
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        // Readable on a thumbnail and on a large photo alike.
        int size = Math.max(11, Math.min(width, height) / 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
        FontMetrics metrics = g.getFontMetrics();
        int pad = Math.max(3, size / 4);
        int textWidth = 0;
        for (String line : lines) {
            textWidth = Math.max(textWidth, metrics.stringWidth(line));
        }
        int boxWidth = Math.min(width, textWidth + 2 * pad);
        int boxHeight = Math.min(height, lines.size() * metrics.getHeight() + 2 * pad);
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.6f));
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, boxWidth, boxHeight);
        g.setComposite(AlphaComposite.SrcOver);
        g.setColor(Color.WHITE);
        int y = pad + metrics.getAscent();
        for (String line : lines) {
            g.drawString(line, pad, y);
            y += metrics.getHeight();
        }
    }
}
