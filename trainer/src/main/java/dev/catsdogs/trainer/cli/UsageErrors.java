package dev.catsdogs.trainer.cli;

import dev.catsdogs.trainer.train.InvalidSettingException;
import dev.catsdogs.trainer.train.Setting;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Turns what the settings refuse into usage errors that name the user's options: a setting out of
 * range through a table from {@link Setting} to option (no message rewriting), a value that does
 * not parse with its option in front.
 */
final class UsageErrors {

    private final CommandSpec command;

    UsageErrors(CommandSpec command) {
        this.command = command;
    }

    /**
     * Builds settings; one out of range becomes {@code Received --option value; expected ...} with
     * the option {@code options} names for it (the setting's own message when none does), any other
     * IllegalArgumentException a usage error with its message.
     */
    <T> T build(Supplier<T> settings, Map<Setting, String> options) {
        try {
            return settings.get();
        } catch (InvalidSettingException e) {
            String option = options.get(e.setting());
            throw error(
                    option == null
                            ? e.getMessage()
                            : "Received "
                                    + option
                                    + " "
                                    + e.value()
                                    + "; expected "
                                    + e.expected());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    /**
     * Runs a parse of {@code option}'s value; its IllegalArgumentException becomes a usage error.
     */
    <T> T parse(String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw error(option + " " + e.getMessage());
        }
    }

    /** The constant named {@code value} (as its {@code toString()}), or a usage error. */
    <E extends Enum<E>> E choice(String option, String value, E[] choices) {
        for (E e : choices) {
            if (e.toString().equalsIgnoreCase(value.strip())) {
                return e;
            }
        }
        throw error(
                "Received "
                        + option
                        + " "
                        + value
                        + "; expected one of "
                        + Arrays.stream(choices)
                                .map(Object::toString)
                                .collect(Collectors.joining(", ")));
    }

    /** A usage error of the command: picocli prints it in one line and exits 2. */
    CommandLine.ParameterException error(String message) {
        return new CommandLine.ParameterException(command.commandLine(), message);
    }
}
