package dev.catsdogs.trainer.device;

/**
 * The device the user asked for cannot be used, with the cause and what to do, in one line. A usage
 * error (exit 2): nothing ran.
 */
public final class DeviceUnavailableException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    DeviceUnavailableException(String message) {
        super(message);
    }
}
