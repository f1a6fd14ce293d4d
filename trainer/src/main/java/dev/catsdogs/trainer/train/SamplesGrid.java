package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * {@code samples.png}: the first training batch as the first epoch shuffles it (the tutorial's
 * {@code train_dataset.take(1)} grid), with their labels, as the model sees them (after the shared
 * preprocessing, mapped back from [-1, 1] to pixels).
 */
public final class SamplesGrid implements TrainingListener {

    private static final int COLUMNS = 4;
    private static final int LABEL_HEIGHT = 22;

    private final Path png;
    private final ImagePreprocessor pre;

    /** A listener that draws {@code png} when training begins, with the run's preprocessing. */
    public SamplesGrid(Path png, ImagePreprocessor pre) {
        this.png = png;
        this.pre = pre;
    }

    @Override
    public void onTrainingBegin(TrainingContext context) throws IOException {
        write(
                png,
                firstBatch(context.train(), context.config().data().batchSize()),
                context.dataset().classNames(),
                pre,
                context.config().outputs().sampleImages());
    }

    /** The samples of the first training batch: the start of epoch 0's shuffled order. */
    static List<Sample> firstBatch(BatchLoader train, int batchSize) {
        List<Sample> firstEpoch = train.order(0);
        return firstEpoch.subList(0, Math.min(batchSize, firstEpoch.size()));
    }

    /** Draws up to {@code count} samples; files that fail to decode are left out. */
    public static void write(
            Path png,
            List<Sample> samples,
            List<String> classNames,
            ImagePreprocessor pre,
            int count)
            throws IOException {
        int h = pre.spec().height();
        int w = pre.spec().width();
        int shown = Math.min(count, samples.size());
        int rows = Math.max(1, (shown + COLUMNS - 1) / COLUMNS);
        BufferedImage grid =
                new BufferedImage(
                        COLUMNS * (w + 8),
                        rows * (h + LABEL_HEIGHT + 8),
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int cell = 0;
        for (Sample sample : samples) {
            if (cell == shown) {
                break;
            }
            float[] chw;
            try {
                chw = pre.preprocess(ImageInput.of(sample.file()));
            } catch (InvalidImageException e) {
                continue;
            }
            int x0 = (cell % COLUMNS) * (w + 8) + 4;
            int y0 = (cell / COLUMNS) * (h + LABEL_HEIGHT + 8) + 4;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int r = pixel(chw[y * w + x], pre);
                    int gr = pixel(chw[h * w + y * w + x], pre);
                    int b = pixel(chw[2 * h * w + y * w + x], pre);
                    grid.setRGB(x0 + x, y0 + y, (r << 16) | (gr << 8) | b);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(classNames.get(sample.label()), x0 + 2, y0 + h + 16);
            cell++;
        }
        g.dispose();
        AtomicFiles.write(png, out -> ImageIO.write(grid, "png", out));
    }

    private static int pixel(float value, ImagePreprocessor pre) {
        int v = Math.round((value - pre.spec().offset()) / pre.spec().scale());
        return Math.max(0, Math.min(255, v));
    }
}
