package dev.catsdogs.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The two directory layouts {@code --data DIR} accepts. Hidden entries (names starting with '.')
 * are ignored everywhere; files directly in DIR are ignored.
 */
public enum DatasetLayout {

    /**
     * Already split: {@code DIR/train/} and {@code DIR/validation/}, optionally {@code DIR/test/},
     * each with the same class folders, e.g. {@code train/cats/*.jpg} (the TensorFlow tutorial's
     * {@code cats_and_dogs_filtered}). Other folders in DIR are ignored.
     */
    SPLIT,

    /**
     * One folder per class directly in DIR, e.g. Microsoft PetImages' {@code Cat/} and {@code
     * Dog/}; split 80/10/10 per class from the seed (see {@link Dataset#load}).
     */
    CLASS_FOLDERS;

    /** What a dataset directory may look like, for error messages. */
    static final String EXPECTED =
            "expected either train/ and validation/ (and optionally test/), each with one folder"
                    + " per class, or one folder per class (at least 2, e.g. Cat/ and Dog/)";

    /**
     * Tells which layout {@code dir} has, from its subfolders: {@link #SPLIT} when it has {@code
     * train/} and {@code validation/}, {@link #CLASS_FOLDERS} when it has neither but at least two
     * other subfolders. Does not look inside the class folders.
     *
     * @param dir the dataset directory
     * @return its layout
     * @throws IOException naming {@code dir} if it is missing, not a directory, or neither layout
     */
    public static DatasetLayout detect(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(
                    "Dataset directory "
                            + dir
                            + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
        List<String> subdirs = ClassFolders.names(ClassFolders.subdirectories(dir));
        boolean train = subdirs.contains(Split.TRAIN.dirName());
        boolean validation = subdirs.contains(Split.VALIDATION.dirName());
        if (train && validation) {
            return SPLIT;
        }
        if (train || validation || subdirs.contains(Split.TEST.dirName())) {
            throw new IOException(
                    "Dataset directory "
                            + dir
                            + " has "
                            + subdirs
                            + " but "
                            + (train ? "no validation/" : "no train/")
                            + ": "
                            + EXPECTED);
        }
        if (subdirs.size() >= 2) {
            return CLASS_FOLDERS;
        }
        throw new IOException(
                "Not a dataset directory: "
                        + dir
                        + ": "
                        + EXPECTED
                        + "; found "
                        + (subdirs.isEmpty() ? "no subfolders" : "only " + subdirs)
                        + hint(dir, subdirs));
    }

    /** Suggests the one subfolder when it is itself a dataset (the user named its parent). */
    private static String hint(Path dir, List<String> subdirs) throws IOException {
        if (subdirs.size() != 1) {
            return "";
        }
        Path only = dir.resolve(subdirs.get(0));
        List<Path> inner = ClassFolders.subdirectories(only);
        List<String> innerNames = ClassFolders.names(inner);
        boolean looksLikeDataset =
                innerNames.contains(Split.TRAIN.dirName()) || innerNames.size() >= 2;
        return looksLikeDataset ? " (did you mean --data " + only + " ?)" : "";
    }
}
