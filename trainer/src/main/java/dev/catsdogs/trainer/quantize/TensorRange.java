package dev.catsdogs.trainer.quantize;

/**
 * The real interval an activation is quantized over; values outside it saturate.
 *
 * @param min the lowest represented value
 * @param max the highest represented value
 */
public record TensorRange(float min, float max) {

    public TensorRange {
        if (!(min <= max)) {
            throw new IllegalArgumentException("range [" + min + ", " + max + "] is empty or NaN");
        }
    }

    /** This range with both ends multiplied by {@code factor} (to test how the gate reacts). */
    public TensorRange scaled(float factor) {
        return new TensorRange(min * factor, max * factor);
    }
}
