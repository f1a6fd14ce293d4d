package dev.catsdogs.inference;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * What {@link ImageClassifier#explain} found: the prediction, the photo it was made from, and the
 * class activation map of the predicted class, upsampled to the photo.
 *
 * <p>The map is in logit units: the model's {@code h x w} map ({@link #coarseMap()}, 5 x 5 for a
 * 160-pixel model) averages to the predicted class's logit minus the Dense bias, so a positive
 * value is evidence for the predicted class at that place and a negative one evidence against it.
 * For a sigmoid model the one map is the logit of class 1, negated when class 0 is predicted. The
 * upsampled map ({@link #value}, {@link #map()}) is that map resized bilinearly (half-pixel
 * centres, as the input was resized) to {@link #width()} x {@link #height()}: the model stretched
 * the whole photo to its input, so each cell covers the same fraction of the photo.
 *
 * <p>Immutable apart from {@link #image()}, which is the caller's to draw on or keep.
 */
public final class Explanation {

    private final Prediction prediction;
    private final BufferedImage image;
    private final float[] map;
    private final float[] coarseMap;
    private final int coarseWidth;
    private final int coarseHeight;

    Explanation(
            Prediction prediction,
            BufferedImage image,
            float[] map,
            float[] coarseMap,
            int coarseWidth,
            int coarseHeight) {
        this.prediction = Objects.requireNonNull(prediction, "prediction");
        this.image = Objects.requireNonNull(image, "image");
        if (map.length != image.getWidth() * image.getHeight()
                || coarseMap.length != coarseWidth * coarseHeight) {
            throw new IllegalArgumentException(
                    "map sizes "
                            + map.length
                            + " and "
                            + coarseMap.length
                            + " do not match the "
                            + image.getWidth()
                            + "x"
                            + image.getHeight()
                            + " image and the "
                            + coarseWidth
                            + "x"
                            + coarseHeight
                            + " model map");
        }
        this.map = map;
        this.coarseMap = coarseMap;
        this.coarseWidth = coarseWidth;
        this.coarseHeight = coarseHeight;
    }

    /** The classification, as {@link ImageClassifier#classify} gives it. */
    public Prediction prediction() {
        return prediction;
    }

    /**
     * The photo, decoded upright ({@code TYPE_3BYTE_BGR}), at its own size: what the map is aligned
     * with. Not copied.
     */
    public BufferedImage image() {
        return image;
    }

    /** The photo's width, and the map's. */
    public int width() {
        return image.getWidth();
    }

    /** The photo's height, and the map's. */
    public int height() {
        return image.getHeight();
    }

    /** The upsampled map at photo pixel {@code (x, y)}. */
    public float value(int x, int y) {
        Objects.checkIndex(x, width());
        Objects.checkIndex(y, height());
        return map[y * width() + x];
    }

    /** A copy of the upsampled map, row by row: {@code width() * height()} values. */
    public float[] map() {
        return map.clone();
    }

    /** A copy of the model's own map for the predicted class, row by row. */
    public float[] coarseMap() {
        return coarseMap.clone();
    }

    /** Columns of {@link #coarseMap()}: the model input width / 32. */
    public int coarseWidth() {
        return coarseWidth;
    }

    /** Rows of {@link #coarseMap()}. */
    public int coarseHeight() {
        return coarseHeight;
    }

    /** The upsampled map without a copy, for the drawing code in this package. */
    float[] mapView() {
        return map;
    }

    @Override
    public String toString() {
        return "Explanation["
                + prediction
                + ", "
                + width()
                + "x"
                + height()
                + " image, "
                + coarseWidth
                + "x"
                + coarseHeight
                + " map]";
    }
}
