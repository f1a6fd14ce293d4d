package dev.catsdogs.trainer.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Lists class folders and the image files in them, the way every layout does. */
final class ClassFolders {

    /** Image file extensions read, compared case-insensitively. */
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp");

    static final String UNSUPPORTED_EXTENSION = "unsupported extension";
    static final String NESTED_DIRECTORY = "directory inside a class folder (not searched)";
    static final String NOT_A_REGULAR_FILE = "not a regular file";

    private static final Comparator<Path> BY_NAME =
            Comparator.comparing(p -> p.getFileName().toString());

    private ClassFolders() {}

    /** The image files of one class folder, sorted by name, and the files left out. */
    record Listing(List<Path> images, List<SkippedFile> skipped) {}

    /** Non-hidden subdirectories of {@code dir}, sorted by name. */
    static List<Path> subdirectories(Path dir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (Path entry : entries(dir)) {
            if (!isHidden(entry) && Files.isDirectory(entry)) {
                dirs.add(entry);
            }
        }
        return dirs;
    }

    /**
     * Lists {@code classDir}: regular files with an image extension are images; hidden entries are
     * ignored; everything else is skipped with a reason.
     */
    static Listing list(Path classDir) throws IOException {
        List<Path> images = new ArrayList<>();
        List<SkippedFile> skipped = new ArrayList<>();
        for (Path entry : entries(classDir)) {
            if (isHidden(entry)) {
                continue;
            }
            if (Files.isDirectory(entry)) {
                skipped.add(new SkippedFile(entry, NESTED_DIRECTORY));
            } else if (!Files.isRegularFile(entry)) {
                skipped.add(new SkippedFile(entry, NOT_A_REGULAR_FILE));
            } else if (isImage(entry)) {
                images.add(entry);
            } else {
                skipped.add(new SkippedFile(entry, UNSUPPORTED_EXTENSION));
            }
        }
        return new Listing(List.copyOf(images), List.copyOf(skipped));
    }

    static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0
                && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Hidden means the name starts with '.', as on Unix (also on other systems). */
    static boolean isHidden(Path entry) {
        return entry.getFileName().toString().startsWith(".");
    }

    static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    private static List<Path> entries(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(BY_NAME);
        return entries;
    }
}
