package dev.catsdogs.inference.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Names the pictures of {@code classify --explain DIR}: the input's file name with its extension
 * replaced by {@code .png} ({@code photos/cat.7.jpg -> DIR/cat.7.png}); when two inputs would get
 * the same name (case-insensitively, for file systems that ignore case), or a name would replace
 * one of the inputs, the later one gets {@code -2}, {@code -3}, ... ({@code cat.7-2.png}).
 */
final class ExplanationFiles {

    private final Path dir;
    private final Set<String> taken = new HashSet<>();
    private final Set<Path> inputs = new HashSet<>();

    /** Names for pictures in {@code dir} of the given inputs. */
    ExplanationFiles(Path dir, List<Path> inputs) {
        this.dir = dir;
        for (Path input : inputs) {
            this.inputs.add(input.toAbsolutePath().normalize());
        }
    }

    /** The picture file for {@code input}; each call reserves the name it returns. */
    Path next(Path input) {
        String name = String.valueOf(input.getFileName());
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        for (int n = 1; ; n++) {
            String candidate = (n == 1 ? stem : stem + "-" + n) + ".png";
            Path file = dir.resolve(candidate);
            if (!inputs.contains(file.toAbsolutePath().normalize())
                    && taken.add(candidate.toLowerCase(Locale.ROOT))) {
                return file;
            }
        }
    }
}
