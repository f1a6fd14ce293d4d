package dev.catsdogs.inference.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Expands command-line paths into image files: files as given, directories recursed. */
final class ImageFiles {

    /** Extensions taken from directories (lower case); files named explicitly are always taken. */
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp");

    private ImageFiles() {}

    /**
     * Returns the files in argument order; each directory contributes its image files, recursively,
     * sorted by path.
     *
     * @throws NoSuchFileException for the first path that does not exist
     * @throws IOException if a directory cannot be walked
     */
    static List<Path> collect(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString());
            }
            if (!Files.isDirectory(path)) {
                files.add(path);
                continue;
            }
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile)
                        .filter(ImageFiles::hasImageExtension)
                        .sorted()
                        .forEachOrdered(files::add);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return files;
    }

    static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
