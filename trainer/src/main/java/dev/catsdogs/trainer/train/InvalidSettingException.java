package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.internal.Arguments;
import java.util.Objects;

/**
 * A training setting out of its range: which one ({@link #setting()}), the value received and what
 * was expected, so that a command line can say it in terms of its own options.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final Setting setting;
    private final String value;
    private final String expected;

    public InvalidSettingException(Setting setting, Object value, String expected) {
        super(Arguments.message(setting.key(), value, expected));
        this.setting = Objects.requireNonNull(setting, "setting");
        this.value = String.valueOf(value);
        this.expected = Objects.requireNonNull(expected, "expected");
    }

    /** The setting out of range. */
    public Setting setting() {
        return setting;
    }

    /** The value received, as text. */
    public String value() {
        return value;
    }

    /** What the setting accepts, e.g. {@code 1..4096}. */
    public String expected() {
        return expected;
    }
}
