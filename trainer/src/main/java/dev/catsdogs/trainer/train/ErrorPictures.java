package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.Explanation;
import dev.catsdogs.inference.ExplanationPicture;
import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelLoadException;
import dev.catsdogs.inference.Outcome;
import dev.catsdogs.inference.internal.PngFiles;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The exported model's mistakes, as pictures in the run directory: {@value RunDirectory#ERRORS},
 * the first {@value #MAX_SHOWN} images of the test split (or validation, without one) that the
 * model gets wrong, each with its activation map for the wrongly predicted class, the true and
 * predicted label and the probability; and {@value RunDirectory#CONFUSION}, the confusion matrix,
 * when there is a test split or more than two classes.
 *
 * <p>Made with the exported ONNX model through {@link ImageClassifier#explain}, the code behind
 * {@code classify --explain}: the pictures show what a user of that file gets.
 */
public final class ErrorPictures {

    /** Mistakes shown at most. */
    public static final int MAX_SHOWN = 16;

    private static final int COLUMNS = 4;
    private static final int TILE = 224;
    private static final int GAP = 8;
    private static final int TITLE_HEIGHT = 30;
    private static final int LABEL_HEIGHT = 36;
    private static final int BATCH = 32;

    /**
     * What was found.
     *
     * @param split the split looked at ({@code test} or {@code validation})
     * @param images images classified (undecodable files are left out)
     * @param wrong images classified wrongly
     * @param confusion whether {@value RunDirectory#CONFUSION} was written
     */
    public record Summary(String split, int images, int wrong, boolean confusion) {

        /** The line the commands print. */
        public String line(RunDirectory run) {
            return String.format(
                    Locale.ROOT,
                    "mistakes: %d of %d %s images -> %s%s",
                    wrong,
                    images,
                    split,
                    run.file(RunDirectory.ERRORS),
                    confusion ? ", " + run.file(RunDirectory.CONFUSION) : "");
        }
    }

    private ErrorPictures() {}

    /**
     * Classifies the test (else validation) split with {@code model} and writes the pictures.
     *
     * @param stopRequested polled between batches
     * @throws TransferTrainer.TrainingInterruptedException when a stop was requested; no picture is
     *     written then
     * @throws IOException if the model cannot be loaded or a picture cannot be written
     */
    public static Summary write(
            RunDirectory run, Path model, Dataset dataset, BooleanSupplier stopRequested)
            throws IOException {
        boolean test = !dataset.test().isEmpty();
        String split = test ? "test" : "validation";
        List<Sample> samples = test ? dataset.test() : dataset.validation();
        List<String> classes = dataset.classNames();
        int[][] confusion = new int[classes.size()][classes.size()];
        List<Sample> wrong = new ArrayList<>();
        List<BufferedImage> tiles = new ArrayList<>();
        List<String[]> labels = new ArrayList<>();
        int images = 0;
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            for (int start = 0; start < samples.size(); start += BATCH) {
                if (stopRequested.getAsBoolean()) {
                    throw new TransferTrainer.TrainingInterruptedException();
                }
                List<Sample> chunk =
                        samples.subList(start, Math.min(samples.size(), start + BATCH));
                List<Outcome> outcomes =
                        classifier.classifyAll(
                                chunk.stream().map(s -> ImageInput.of(s.file())).toList());
                for (int i = 0; i < chunk.size(); i++) {
                    Sample sample = chunk.get(i);
                    Outcome outcome = outcomes.get(i);
                    if (!outcome.isSuccess()) {
                        continue; // training skipped it too
                    }
                    images++;
                    int predicted = outcome.prediction().orElseThrow().classIndex();
                    confusion[sample.label()][predicted]++;
                    if (predicted != sample.label()) {
                        wrong.add(sample);
                    }
                }
            }
            for (Sample sample : wrong.subList(0, Math.min(MAX_SHOWN, wrong.size()))) {
                Explanation explanation = classifier.explain(sample.file());
                tiles.add(ExplanationPicture.render(explanation, List.of(), TILE));
                labels.add(
                        new String[] {
                            String.valueOf(sample.file().getFileName()),
                            "true "
                                    + classes.get(sample.label())
                                    + ", predicted "
                                    + ExplanationPicture.caption(explanation.prediction())
                        });
            }
        } catch (ModelLoadException | InvalidImageException e) {
            throw new IOException("mistakes of " + model + ": " + e.getMessage(), e);
        }
        String title =
                String.format(
                        Locale.ROOT,
                        "%s: %d of %d images wrong%s",
                        split,
                        wrong.size(),
                        images,
                        wrong.size() > MAX_SHOWN ? " (first " + MAX_SHOWN + " shown)" : "");
        PngFiles.write(grid(title, tiles, labels), run.file(RunDirectory.ERRORS));
        boolean withConfusion = test || classes.size() > 2;
        if (withConfusion) {
            PngFiles.write(
                    confusionMatrix(split + ": " + images + " images", classes, confusion),
                    run.file(RunDirectory.CONFUSION));
        }
        return new Summary(split, images, wrong.size(), withConfusion);
    }

    private static BufferedImage grid(
            String title, List<BufferedImage> tiles, List<String[]> labels) {
        int rows = (tiles.size() + COLUMNS - 1) / COLUMNS;
        int cellHeight = TILE + LABEL_HEIGHT + GAP;
        BufferedImage grid =
                new BufferedImage(
                        COLUMNS * (TILE + GAP) + GAP,
                        TITLE_HEIGHT + rows * cellHeight + GAP,
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(grid);
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
                g.drawString(labels.get(i)[0], x0, y0 + TILE + 14);
                g.drawString(labels.get(i)[1], x0, y0 + TILE + 29);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }

    /** Counts by true class (rows) and predicted class (columns), shaded by row share. */
    private static BufferedImage confusionMatrix(
            String title, List<String> classes, int[][] counts) {
        int n = classes.size();
        int cell = 90;
        int labelWidth = 110;
        int top = TITLE_HEIGHT + 40;
        BufferedImage image =
                new BufferedImage(
                        labelWidth + n * cell + 2 * GAP,
                        top + n * cell + GAP,
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(image);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, GAP, 21);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("rows: true class, columns: predicted", GAP, TITLE_HEIGHT + 10);
            FontMetrics metrics = g.getFontMetrics();
            for (int c = 0; c < n; c++) {
                String name = classes.get(c);
                int x = labelWidth + GAP + c * cell + (cell - metrics.stringWidth(name)) / 2;
                g.drawString(name, x, top - 6);
                g.drawString(name, GAP, top + c * cell + cell / 2 + 4);
            }
            for (int t = 0; t < n; t++) {
                int rowTotal = 0;
                for (int p = 0; p < n; p++) {
                    rowTotal += counts[t][p];
                }
                for (int p = 0; p < n; p++) {
                    double share = rowTotal == 0 ? 0 : (double) counts[t][p] / rowTotal;
                    int x = labelWidth + GAP + p * cell;
                    int y = top + t * cell;
                    int shade = (int) Math.round(255 - 185 * share);
                    g.setColor(new Color(shade, shade, 255));
                    g.fillRect(x, y, cell - 2, cell - 2);
                    g.setColor(share > 0.6 ? Color.WHITE : Color.BLACK);
                    String count = Integer.toString(counts[t][p]);
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

    private static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }
}
