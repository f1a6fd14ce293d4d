package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Every help text picocli formats is a valid format string: a bare {@code %} ("99.5% of") makes
 * picocli print warnings above the help of that command instead of the text.
 */
class HelpTextTest {

    @Test
    void everyDescriptionFormats() {
        List<String> broken = new ArrayList<>();
        check(CatsDogs.commandLine(), broken);
        assertEquals(List.of(), broken);
    }

    @Test
    void everyCommandIsChecked() {
        List<String> names = new ArrayList<>();
        collect(CatsDogs.commandLine(), names);
        assertTrue(
                names.containsAll(List.of("train", "export", "summary", "classify", "evaluate")));
    }

    // The annotations' own strings: picocli's model hands descriptions out already unescaped.
    private static void check(CommandLine command, List<String> broken) {
        CommandSpec spec = command.getCommandSpec();
        List<Object> owners = new ArrayList<>();
        owners.add(spec.userObject());
        spec.mixins().values().forEach(m -> owners.add(m.userObject()));
        List<String> texts = new ArrayList<>();
        for (Object owner : owners) {
            Class<?> type = owner instanceof Class<?> c ? c : owner.getClass();
            Command about = type.getAnnotation(Command.class);
            if (about != null) {
                texts.addAll(List.of(about.description()));
            }
            for (Field field : type.getDeclaredFields()) {
                Option option = field.getAnnotation(Option.class);
                if (option != null) {
                    texts.addAll(List.of(option.description()));
                }
                Parameters parameters = field.getAnnotation(Parameters.class);
                if (parameters != null) {
                    texts.addAll(List.of(parameters.description()));
                }
            }
        }
        for (String text : texts) {
            try {
                String.format(text.replace("${DEFAULT-VALUE}", "x"));
            } catch (IllegalFormatException e) {
                broken.add(spec.qualifiedName() + ": " + e.getMessage() + " in '" + text + "'");
            }
        }
        command.getSubcommands().values().forEach(c -> check(c, broken));
    }

    private static void collect(CommandLine command, List<String> names) {
        names.add(command.getCommandName());
        command.getSubcommands().values().forEach(c -> collect(c, names));
    }
}
