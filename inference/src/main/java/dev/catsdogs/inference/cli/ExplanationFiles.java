package dev.catsdogs.inference.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Names the pictures of {@code classify --explain DIR}: the input's file name, escaped as the table
 * prints it ({@link Escapes#path}: no control characters or undecodable bytes in a name we create),
 * with its extension replaced by {@code .png} ({@code photos/cat.7.jpg -> DIR/cat.7.png}); when two
 * inputs would get the same name (case-insensitively, for file systems that ignore case), or a name
 * would replace one of the inputs, the later one gets {@code -2}, {@code -3}, ... ({@code
 * cat.7-2.png}).
 *
 * <p>Inputs and pictures are compared by their real paths, links resolved: {@code DIR} may be a
 * link to the photos' directory (or the photos links into {@code DIR}), and an input must never be
 * written over.
 */
final class ExplanationFiles {

    private final Path dir;
    private final Path realDir;
    private final Set<String> taken = new HashSet<>();
    private final Set<Path> inputs = new HashSet<>();

    /** Names for pictures in {@code dir}, an existing directory, of the given inputs. */
    ExplanationFiles(Path dir, List<Path> inputs) throws IOException {
        this.dir = dir;
        this.realDir = dir.toRealPath();
        for (Path input : inputs) {
            this.inputs.add(realPath(input));
        }
    }

    /** The picture file for {@code input}; each call reserves the name it returns. */
    Path next(Path input) {
        String name = Escapes.path(input.getFileName());
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        for (int n = 1; ; n++) {
            String candidate = (n == 1 ? stem : stem + "-" + n) + ".png";
            if (!isInput(realDir.resolve(candidate))
                    && taken.add(candidate.toLowerCase(Locale.ROOT))) {
                return dir.resolve(candidate);
            }
        }
    }

    // The file itself, or where an existing link of that name leads.
    private boolean isInput(Path file) {
        return inputs.contains(file)
                || (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                        && inputs.contains(realPath(file)));
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) { // a dangling link: compare it as written
            return file.toAbsolutePath().normalize();
        }
    }
}
