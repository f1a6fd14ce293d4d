package dev.catsdogs.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds directory trees of empty placeholder files for layout tests. */
final class Trees {

    private Trees() {}

    /** Creates empty files at the given relative paths (a path ending in '/' is a directory). */
    static void touch(Path root, String... relativePaths) throws IOException {
        for (String relative : relativePaths) {
            Path path = root.resolve(relative);
            if (relative.endsWith("/")) {
                Files.createDirectories(path);
            } else {
                Files.createDirectories(path.getParent());
                Files.createFile(path);
            }
        }
    }

    /** Creates {@code count} empty files {@code <prefix>NNN.jpg} in {@code dir}. */
    static List<Path> images(Path dir, String prefix, int count) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add(Files.createFile(dir.resolve(String.format("%s%03d.jpg", prefix, i))));
        }
        return files;
    }
}
