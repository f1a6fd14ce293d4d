package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.internal.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code curves.png}: the seed's two plots, accuracy and loss, training vs validation, over both
 * phases, with a vertical "Start Fine Tuning" marker.
 */
public final class CurvesPlot implements TrainingListener {

    private final Path png;
    private final List<EpochRecord> records = new ArrayList<>();
    private int fineTuningStartsAfter;
    // Epochs whose weights early stopping kept, one per phase that stopped early.
    private final List<Integer> kept = new ArrayList<>();

    /** A listener that redraws {@code png} after every epoch. */
    public CurvesPlot(Path png) {
        this.png = png;
    }

    @Override
    public void onTrainingBegin(TrainingContext context) {
        TrainingConfig config = context.config();
        fineTuningStartsAfter =
                config.fineTuning().epochs() > 0 ? config.featureExtraction().epochs() : 0;
    }

    @Override
    public void onResume(TrainingState state) {
        records.addAll(state.history());
    }

    @Override
    public void onEpochEnd(EpochRecord record) throws IOException {
        records.add(record);
        write(png, records, fineTuningStartsAfter, kept);
    }

    @Override
    public void onEarlyStop(Phase phase, int stoppedEpoch, int keptEpoch, double bestValLoss)
            throws IOException {
        kept.add(keptEpoch);
        write(png, records, fineTuningStartsAfter, kept);
    }

    /**
     * Writes the plot atomically.
     *
     * @param fineTuningStartsAfter the last feature-extraction epoch (the marker), or 0 for none
     */
    public static void write(Path png, List<EpochRecord> records, int fineTuningStartsAfter)
            throws IOException {
        write(png, records, fineTuningStartsAfter, List.of());
    }

    /**
     * Writes the plot atomically, with the epochs early stopping kept ({@code keptEpochs}) marked
     * on the validation curves.
     */
    public static void write(
            Path png,
            List<EpochRecord> records,
            int fineTuningStartsAfter,
            List<Integer> keptEpochs)
            throws IOException {
        if (records.isEmpty()) {
            return;
        }
        XYChart accuracy =
                chart(
                        "Training and Validation Accuracy",
                        "Accuracy",
                        records,
                        fineTuningStartsAfter,
                        keptEpochs,
                        true);
        XYChart loss =
                chart(
                        "Training and Validation Loss",
                        "Cross Entropy",
                        records,
                        fineTuningStartsAfter,
                        keptEpochs,
                        false);
        BufferedImage top = BitmapEncoder.getBufferedImage(accuracy);
        BufferedImage bottom = BitmapEncoder.getBufferedImage(loss);
        BufferedImage both =
                new BufferedImage(
                        top.getWidth(),
                        top.getHeight() + bottom.getHeight(),
                        BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, both.getWidth(), both.getHeight());
        g.drawImage(top, 0, 0, null);
        g.drawImage(bottom, 0, top.getHeight(), null);
        g.dispose();
        AtomicFiles.write(png, out -> ImageIO.write(both, "png", out));
    }

    private static XYChart chart(
            String title,
            String yLabel,
            List<EpochRecord> records,
            int marker,
            List<Integer> keptEpochs,
            boolean accuracy) {
        XYChart chart =
                new XYChartBuilder()
                        .width(800)
                        .height(400)
                        .title(title)
                        .xAxisTitle("Epoch")
                        .yAxisTitle(yLabel)
                        .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        double[] epochs = new double[records.size()];
        double[] train = new double[records.size()];
        double[] validation = new double[records.size()];
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int i = 0; i < records.size(); i++) {
            EpochRecord r = records.get(i);
            epochs[i] = r.epoch();
            train[i] = accuracy ? r.accuracy() : r.loss();
            validation[i] = accuracy ? r.valAccuracy() : r.valLoss();
            min = Math.min(min, Math.min(train[i], validation[i]));
            max = Math.max(max, Math.max(train[i], validation[i]));
        }
        chart.addSeries(accuracy ? "Training Accuracy" : "Training Loss", epochs, train);
        chart.addSeries(accuracy ? "Validation Accuracy" : "Validation Loss", epochs, validation);
        if (marker > 0 && records.get(records.size() - 1).epoch() > marker) {
            double pad = Math.max(1e-3, (max - min) * 0.05);
            // Between the last feature-extraction epoch and the first fine-tuning one, as the seed
            // draws it.
            XYSeries line =
                    chart.addSeries(
                            "Start Fine Tuning",
                            new double[] {marker + 0.5, marker + 0.5},
                            new double[] {min - pad, max + pad});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(Color.GRAY);
        }
        List<double[]> keptPoints = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (keptEpochs.contains(records.get(i).epoch())) {
                keptPoints.add(new double[] {epochs[i], validation[i]});
            }
        }
        if (!keptPoints.isEmpty()) {
            XYSeries keptSeries =
                    chart.addSeries(
                            "Early Stopping: Weights Kept",
                            keptPoints.stream().mapToDouble(p -> p[0]).toArray(),
                            keptPoints.stream().mapToDouble(p -> p[1]).toArray());
            keptSeries.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            keptSeries.setMarker(SeriesMarkers.DIAMOND);
            keptSeries.setMarkerColor(Color.RED);
        }
        return chart;
    }
}
