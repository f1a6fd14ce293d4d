package dev.catsdogs.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/** A copy of this checkout as a fresh clone has it: no build outputs, runs or git metadata. */
final class Checkout {

    /** Names that are not part of a fresh clone, at any depth. */
    private static final Set<String> NOT_IN_A_CLONE = Set.of(".git", "target", "runs", ".idea");

    private Checkout() {}

    /**
     * Copies {@code root} to {@code copy}, without {@link #NOT_IN_A_CLONE}.
     *
     * @return {@code copy}
     */
    static Path copy(Path root, Path copy) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(p -> !excluded(root.relativize(p))).toList()) {
                Path target = copy.resolve(root.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return copy;
    }

    private static boolean excluded(Path relative) {
        for (Path name : relative) {
            if (NOT_IN_A_CLONE.contains(name.toString())) {
                return true;
            }
        }
        return false;
    }
}
