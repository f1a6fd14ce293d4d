package dev.catsdogs.trainer.data;

import dev.catsdogs.inference.internal.Arguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Random changes to training images, with the semantics of Keras' preprocessing layers applied to
 * the resized image: {@code RandomFlip("horizontal")}, {@code RandomRotation(rotation)}, {@code
 * RandomZoom(zoom)} (same factor for height and width) and {@code RandomContrast(contrast)}, in
 * that order, bilinear, {@code fill_mode="reflect"}. {@link #NONE} changes nothing: the seed trains
 * without augmentation.
 *
 * <p>Written as {@code --augment} takes it: {@code flip,rotate=0.2,zoom=0.1,contrast=0.2}, any
 * subset, or {@code none}.
 *
 * @param flip mirror left-right with probability 1/2
 * @param rotation largest rotation as a fraction of a full turn (0.2: up to +-72 degrees), 0 for
 *     none
 * @param zoom largest zoom change (0.1: a scale from 0.9, zoomed in, to 1.1, zoomed out), 0 for
 *     none
 * @param contrast largest contrast change (0.2: a contrast factor from 0.8 to 1.2), 0 for none
 */
public record Augmentation(boolean flip, double rotation, double zoom, double contrast) {

    /** No change: the seed's training. */
    public static final Augmentation NONE = new Augmentation(false, 0, 0, 0);

    public Augmentation {
        check("rotate", rotation, 1);
        check("zoom", zoom, 0.99); // a scale of 0 or below would not be an image
        check("contrast", contrast, 1);
    }

    private static void check(String name, double factor, double max) {
        if (!(factor >= 0 && factor <= max)) {
            throw Arguments.received(name, factor, "0.." + max);
        }
    }

    /** Whether any change is made. */
    public boolean enabled() {
        return flip || rotation > 0 || zoom > 0 || contrast > 0;
    }

    /**
     * Reads {@code none} or a comma-separated list of {@code flip}, {@code rotate=F}, {@code
     * zoom=F}, {@code contrast=F}.
     *
     * @throws IllegalArgumentException echoing the item that is not one of those
     */
    public static Augmentation parse(String text) {
        String spec = text.strip().toLowerCase(Locale.ROOT);
        if (spec.equals("none") || spec.isEmpty()) {
            return NONE;
        }
        boolean flip = false;
        double rotation = 0;
        double zoom = 0;
        double contrast = 0;
        for (String item : spec.split(",")) {
            String[] kv = item.strip().split("=", 2);
            String key = kv[0].strip();
            if (key.equals("flip") && kv.length == 1) {
                flip = true;
                continue;
            }
            if (kv.length != 2) {
                throw badItem(item);
            }
            double value;
            try {
                value = Double.parseDouble(kv[1].strip());
            } catch (NumberFormatException e) {
                throw badItem(item);
            }
            switch (key) {
                case "rotate" -> rotation = value;
                case "zoom" -> zoom = value;
                case "contrast" -> contrast = value;
                default -> throw badItem(item);
            }
        }
        return new Augmentation(flip, rotation, zoom, contrast);
    }

    private static IllegalArgumentException badItem(String item) {
        return new IllegalArgumentException(
                "Received `"
                        + item.strip()
                        + "` in the augmentation; expected none, or a comma-separated list of"
                        + " flip, rotate=F, zoom=F, contrast=F");
    }

    /** The {@code --augment} text of this augmentation, e.g. {@code flip,rotate=0.2}. */
    @Override
    public String toString() {
        List<String> items = new ArrayList<>();
        if (flip) {
            items.add("flip");
        }
        if (rotation > 0) {
            items.add("rotate=" + rotation);
        }
        if (zoom > 0) {
            items.add("zoom=" + zoom);
        }
        if (contrast > 0) {
            items.add("contrast=" + contrast);
        }
        return items.isEmpty() ? "none" : String.join(",", items);
    }

    /**
     * One image's random change. Every draw takes the same four numbers from {@code random}, in the
     * same order, whatever is enabled: turning zoom on does not change the flips and angles.
     */
    public AugmentationDraw draw(Random random) {
        boolean mirror = random.nextDouble() < 0.5;
        double turn = uniform(random, rotation);
        double scale = uniform(random, zoom);
        double contrastChange = uniform(random, contrast);
        return new AugmentationDraw(
                flip && mirror,
                // Keras: the factor is a fraction of 2 pi.
                turn * 2 * Math.PI,
                1 + scale,
                1 + contrastChange);
    }

    /** Uniform in [-factor, factor); 0 when the factor is 0. */
    private static double uniform(Random random, double factor) {
        double u = random.nextDouble();
        return factor == 0 ? 0 : (2 * u - 1) * factor;
    }
}
