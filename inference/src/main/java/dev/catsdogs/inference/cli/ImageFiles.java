package dev.catsdogs.inference.cli;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Expands command-line paths into image files: files as given, directories recursed. */
public final class ImageFiles {

    /** Extensions taken from directories (lower case); files named explicitly are always taken. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp");

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
            files.addAll(imagesUnder(path));
        }
        return files;
    }

    /**
     * The entries under {@code dir} with an image extension that are not directories, sorted by
     * path: regular files, and also FIFOs, devices and broken links, which the reader then refuses
     * with one error line each (every such entry is one result, in classify and in score alike).
     * Symbolic links are followed, to directories too; a link that leads back into its own
     * ancestors is skipped (the loop is walked once).
     */
    public static List<Path> imagesUnder(Path dir) throws IOException {
        List<Path> images = new ArrayList<>();
        Files.walkFileTree(
                dir,
                EnumSet.of(FileVisitOption.FOLLOW_LINKS),
                Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        if (!attributes.isDirectory() && hasImageExtension(file)) {
                            images.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e)
                            throws IOException {
                        if (e instanceof FileSystemLoopException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }
                });
        images.sort(null);
        return images;
    }

    /** Whether the file name ends with one of {@link #EXTENSIONS}, in any case. */
    public static boolean hasImageExtension(Path file) {
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
