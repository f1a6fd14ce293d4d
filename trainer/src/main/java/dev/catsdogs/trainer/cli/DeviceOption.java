package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.device.DevicePolicy;
import java.util.Locale;
import picocli.CommandLine;

/**
 * {@code --device auto|cpu|gpu|gpu:N}: the syntax is checked when the option is parsed (a usage
 * error naming the value), the device against the machine when training starts ({@link
 * dev.catsdogs.trainer.device.DeviceSelection#choose}). Shared by {@code train} and {@code
 * bench-train}.
 */
public final class DeviceOption {

    private DeviceOption() {}

    /** picocli converter: normalises the spelling, refuses anything else with the value named. */
    public static final class Converter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String spec = value.toLowerCase(Locale.ROOT);
            if (!DevicePolicy.SPEC.matcher(spec).matches()) {
                throw new CommandLine.TypeConversionException(
                        "Received --device '" + value + "'; expected one of auto, cpu, gpu, gpu:N");
            }
            return spec;
        }
    }
}
