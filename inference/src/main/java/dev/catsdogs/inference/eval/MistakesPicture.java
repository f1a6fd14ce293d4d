package dev.catsdogs.inference.eval;

import dev.catsdogs.inference.Explanation;
import dev.catsdogs.inference.ExplanationPicture;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.InvalidImageException;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code errors.png}: the first {@value #MAX_SHOWN} images a model got wrong, four a row, each with
 * its activation map for the wrongly predicted class ({@link ExplanationPicture}), its file name,
 * the true label and the predicted one with its probability. The trainer's run directory and {@code
 * catsdogs evaluate --out} both draw it here.
 */
public final class MistakesPicture {

    /** Mistakes shown at most. */
    public static final int MAX_SHOWN = 16;

    private static final int COLUMNS = 4;
    private static final int TILE = 224;
    private static final int GAP = 8;
    private static final int TITLE_HEIGHT = 30;
    private static final int LABEL_HEIGHT = 36;

    private MistakesPicture() {}

    /**
     * Explains the first mistakes of {@code evaluation} with {@code classifier} (the model that
     * made them) and draws them.
     *
     * @param what the images' name in the title, e.g. {@code validation}
     * @throws InvalidImageException when a mistaken image cannot be decoded again
     * @throws IllegalStateException if the model has no activation maps ({@link
     *     ImageClassifier#hasActivationMaps()})
     */
    public static BufferedImage render(
            ImageClassifier classifier, String what, ModelEvaluation evaluation)
            throws InvalidImageException {
        List<ModelEvaluation.Mistake> mistakes = evaluation.mistakes();
        List<String> labels = evaluation.metrics().labels();
        List<BufferedImage> tiles = new ArrayList<>();
        List<String[]> captions = new ArrayList<>();
        for (ModelEvaluation.Mistake mistake :
                mistakes.subList(0, Math.min(MAX_SHOWN, mistakes.size()))) {
            Explanation explanation = classifier.explain(mistake.image().file());
            tiles.add(ExplanationPicture.render(explanation, List.of(), TILE));
            captions.add(
                    new String[] {
                        String.valueOf(mistake.image().file().getFileName()),
                        "true "
                                + labels.get(mistake.image().trueClass())
                                + ", predicted "
                                + ExplanationPicture.caption(explanation.prediction())
                    });
        }
        String title =
                String.format(
                        Locale.ROOT,
                        "%s: %d of %d images wrong%s",
                        what,
                        mistakes.size(),
                        evaluation.metrics().images(),
                        mistakes.size() > MAX_SHOWN ? " (first " + MAX_SHOWN + " shown)" : "");
        return grid(title, tiles, captions);
    }

    private static BufferedImage grid(
            String title, List<BufferedImage> tiles, List<String[]> captions) {
        int rows = (tiles.size() + COLUMNS - 1) / COLUMNS;
        int cellHeight = TILE + LABEL_HEIGHT + GAP;
        BufferedImage grid =
                new BufferedImage(
                        COLUMNS * (TILE + GAP) + GAP,
                        TITLE_HEIGHT + rows * cellHeight + GAP,
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Canvas.white(grid);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, GAP, 21);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i < tiles.size(); i++) {
                BufferedImage tile = tiles.get(i);
                int x0 = GAP + (i % COLUMNS) * (TILE + GAP);
                int y0 = TITLE_HEIGHT + (i / COLUMNS) * cellHeight;
                // Fitted into a TILE x TILE square (small photos enlarged), centred, whatever its
                // shape.
                double fit = (double) TILE / Math.max(tile.getWidth(), tile.getHeight());
                int w = (int) Math.round(tile.getWidth() * fit);
                int h = (int) Math.round(tile.getHeight() * fit);
                g.drawImage(tile, x0 + (TILE - w) / 2, y0 + (TILE - h) / 2, w, h, null);
                g.drawString(captions.get(i)[0], x0, y0 + TILE + 14);
                g.drawString(captions.get(i)[1], x0, y0 + TILE + 29);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }
}
