package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.eval.LabelledImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images {@code evaluate --data DIR} reads, labelled by their class folder. DIR is a folder of
 * class folders ({@code cats/}, {@code dogs/}), or a split layout whose {@code test/} (if present,
 * else {@code validation/}) is one. Each class folder's name must be one of the model's labels; its
 * image files are found as {@code classify} finds them in a directory ({@link ImageFiles}:
 * recursively, sorted). Hidden folders (a name starting with '.') are not class folders.
 *
 * @param folder the folder whose class folders were read: DIR, or its split folder
 * @param split {@code test} or {@code validation} for a split layout, else null
 * @param images every image, labelled with the index of its folder's label
 * @param unsorted image files directly in {@code folder}, in no class folder (not evaluated)
 */
record LabelledFolders(Path folder, String split, List<LabelledImage> images, int unsorted) {

    /** The split folders looked for, in order of preference. */
    static final List<String> SPLITS = List.of("test", "validation");

    /**
     * Reads DIR.
     *
     * @param labels the model's class names
     * @throws IllegalArgumentException naming the folder, when a class folder is not one of {@code
     *     labels} or there is no class folder
     * @throws IOException if a folder cannot be listed
     */
    static LabelledFolders read(Path dir, List<String> labels) throws IOException {
        String split = null;
        Path folder = dir;
        for (String name : SPLITS) {
            // A model could have a class called "test": then DIR/test is a class folder.
            if (!labels.contains(name) && Files.isDirectory(dir.resolve(name))) {
                split = name;
                folder = dir.resolve(name);
                break;
            }
        }
        List<Path> classFolders = new ArrayList<>();
        int unsorted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(entry)) {
                    classFolders.add(entry);
                } else if (ImageFiles.hasImageExtension(entry)) {
                    unsorted++;
                }
            }
        }
        classFolders.sort(null);
        if (classFolders.isEmpty()) {
            throw new IllegalArgumentException(
                    folder
                            + " has no class folders; expected one folder per label "
                            + labels
                            + ", or train/ with test/ or validation/ holding them");
        }
        List<LabelledImage> images = new ArrayList<>();
        for (Path classFolder : classFolders) {
            String name = classFolder.getFileName().toString();
            int label = labels.indexOf(name);
            if (label < 0) {
                throw new IllegalArgumentException(
                        "class folder "
                                + classFolder
                                + " is not a label of the model (its labels: "
                                + String.join(", ", labels)
                                + ")"
                                + (name.equals("train")
                                        ? "; a split layout needs test/ or validation/ beside"
                                                + " train/"
                                        : ""));
            }
            for (Path file : ImageFiles.collect(List.of(classFolder))) {
                images.add(new LabelledImage(file, label));
            }
        }
        return new LabelledFolders(folder, split, List.copyOf(images), unsorted);
    }
}
