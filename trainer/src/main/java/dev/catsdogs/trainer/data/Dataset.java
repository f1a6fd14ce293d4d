package dev.catsdogs.trainer.data;

import dev.catsdogs.inference.internal.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An image-folder dataset: class names and the labelled files of the train, validation and
 * (possibly empty) test splits. Immutable.
 *
 * <p>Classes are the class folder names sorted by name, so label {@code i} is {@code
 * classNames().get(i)} (cats = 0, dogs = 1). Within a class folder, regular files with the
 * extension jpg, jpeg, png or bmp (any case) are the samples; hidden files are ignored; other files
 * and nested folders are listed in {@link #skipped()} with the reason. Each split lists its samples
 * class by class, each class sorted by file name.
 */
public final class Dataset {

    private final Path root;
    private final DatasetLayout layout;
    private final List<String> classNames;
    private final Map<Split, List<Sample>> samples;
    private final List<SkippedFile> skipped;

    private Dataset(
            Path root,
            DatasetLayout layout,
            List<String> classNames,
            Map<Split, List<Sample>> samples,
            List<SkippedFile> skipped) {
        this.root = root;
        this.layout = layout;
        this.classNames = List.copyOf(classNames);
        EnumMap<Split, List<Sample>> copy = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            copy.put(split, List.copyOf(samples.getOrDefault(split, List.of())));
        }
        this.samples = Collections.unmodifiableMap(copy);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * Reads the dataset in {@code dir}, in either {@link DatasetLayout}.
     *
     * <p>{@link DatasetLayout#SPLIT}: each split's class folders are its classes; all splits must
     * have the same class folders. {@link DatasetLayout#CLASS_FOLDERS}: the split is stratified:
     * each class's files, sorted by name, are shuffled with randomness derived from {@code seed}
     * and the class name, then cut at 80% and 90% into train, validation and test, with boundaries
     * rounded as TFDS's percent slicing does (100 files per class give exactly 80/10/10, 15 give
     * 12/2/1, 5 give 4/0/1; see {@code StratifiedSplit}). The same seed and files always give the
     * same split, and every file lands in exactly one split.
     *
     * @param dir the dataset directory
     * @param seed the split seed (used by the class-folder layout only)
     * @return the dataset
     * @throws IOException naming the directory if it is neither layout, has fewer than two classes,
     *     has different classes in different splits, or has a class without images
     */
    public static Dataset load(Path dir, long seed) throws IOException {
        Objects.requireNonNull(dir, "dir");
        DatasetLayout layout = DatasetLayout.detect(dir);
        return layout == DatasetLayout.SPLIT ? loadSplit(dir) : loadClassFolders(dir, seed);
    }

    private static Dataset loadSplit(Path dir) throws IOException {
        List<Split> present = new ArrayList<>(List.of(Split.TRAIN, Split.VALIDATION));
        if (Files.isDirectory(dir.resolve(Split.TEST.dirName()))) {
            present.add(Split.TEST);
        }
        List<String> classNames = null;
        Split first = null;
        Map<Split, List<Sample>> samples = new EnumMap<>(Split.class);
        List<SkippedFile> skipped = new ArrayList<>();
        for (Split split : present) {
            Path splitDir = dir.resolve(split.dirName());
            List<Path> classDirs = ClassFolders.subdirectories(splitDir);
            List<String> names = ClassFolders.names(classDirs);
            if (classNames == null) {
                requireTwoClasses(splitDir, names);
                classNames = names;
                first = split;
            } else if (!names.equals(classNames)) {
                throw new IOException(
                        "Class folders differ between splits in "
                                + dir
                                + ": "
                                + first.dirName()
                                + "/ has "
                                + classNames
                                + ", "
                                + split.dirName()
                                + "/ has "
                                + names);
            }
            List<Sample> splitSamples = new ArrayList<>();
            for (int label = 0; label < classDirs.size(); label++) {
                ClassFolders.Listing listing = requireImages(classDirs.get(label));
                for (Path file : listing.images()) {
                    splitSamples.add(new Sample(file, label));
                }
                skipped.addAll(listing.skipped());
            }
            samples.put(split, splitSamples);
        }
        return new Dataset(dir, DatasetLayout.SPLIT, classNames, samples, skipped);
    }

    private static Dataset loadClassFolders(Path dir, long seed) throws IOException {
        List<Path> classDirs = ClassFolders.subdirectories(dir);
        List<String> classNames = ClassFolders.names(classDirs);
        requireTwoClasses(dir, classNames);
        Map<Split, List<Sample>> samples = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            samples.put(split, new ArrayList<>());
        }
        List<SkippedFile> skipped = new ArrayList<>();
        for (int label = 0; label < classDirs.size(); label++) {
            ClassFolders.Listing listing = requireImages(classDirs.get(label));
            skipped.addAll(listing.skipped());
            StratifiedSplit.Parts parts =
                    StratifiedSplit.split(listing.images(), seed, classNames.get(label));
            addSorted(samples.get(Split.TRAIN), parts.train(), label);
            addSorted(samples.get(Split.VALIDATION), parts.validation(), label);
            addSorted(samples.get(Split.TEST), parts.test(), label);
        }
        return new Dataset(dir, DatasetLayout.CLASS_FOLDERS, classNames, samples, skipped);
    }

    /**
     * SHA-256 over the sorted {@code "split label relative-path"} lines: which files trained the
     * model (its provenance in the exported metadata).
     */
    public String fileListChecksum() {
        return checksum(false);
    }

    /**
     * SHA-256 over the same lines with each file's size: a resumed run must see the same data, so a
     * file replaced by another of a different size counts as a change too.
     *
     * @throws java.io.UncheckedIOException naming a file that can no longer be read
     */
    public String fingerprint() {
        return checksum(true);
    }

    private String checksum(boolean withSizes) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Split, List<Sample>> e : samples.entrySet()) {
            for (Sample s : e.getValue()) {
                String line =
                        e.getKey().dirName()
                                + " "
                                + s.label()
                                + " "
                                + root.relativize(s.file()).toString().replace('\\', '/');
                if (withSizes) {
                    try {
                        line += " " + Files.size(s.file());
                    } catch (IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                }
                lines.add(line);
            }
        }
        lines.sort(null);
        java.security.MessageDigest digest = Sha256.newDigest();
        for (String line : lines) {
            digest.update((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return Sha256.hex(digest);
    }

    private static void addSorted(List<Sample> into, List<Path> files, int label) {
        files.stream()
                .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                .forEach(file -> into.add(new Sample(file, label)));
    }

    private static void requireTwoClasses(Path dir, List<String> classNames) throws IOException {
        if (classNames.size() < 2) {
            throw new IOException(
                    dir
                            + " has "
                            + classNames.size()
                            + " class folder"
                            + (classNames.size() == 1 ? " " + classNames : "s")
                            + "; at least 2 are needed: "
                            + DatasetLayout.EXPECTED);
        }
    }

    private static ClassFolders.Listing requireImages(Path classDir) throws IOException {
        ClassFolders.Listing listing = ClassFolders.list(classDir);
        if (listing.images().isEmpty()) {
            throw new IOException(
                    "Class folder "
                            + classDir
                            + " has no images (expected files"
                            + " ending in "
                            + String.join(
                                    ", ", ClassFolders.IMAGE_EXTENSIONS.stream().sorted().toList())
                            + (listing.skipped().isEmpty()
                                    ? ""
                                    : "; skipped "
                                            + listing.skipped().size()
                                            + " other entries, e.g. "
                                            + listing.skipped().get(0))
                            + ")");
        }
        return listing;
    }

    /** The directory the dataset was read from. */
    public Path root() {
        return root;
    }

    /** The layout of {@link #root()}. */
    public DatasetLayout layout() {
        return layout;
    }

    /** Class names, sorted; label {@code i} is {@code classNames().get(i)}. */
    public List<String> classNames() {
        return classNames;
    }

    /** The samples of {@code split}; empty for a missing test split. */
    public List<Sample> samples(Split split) {
        return samples.get(split);
    }

    /** The training samples. */
    public List<Sample> train() {
        return samples(Split.TRAIN);
    }

    /** The validation samples. */
    public List<Sample> validation() {
        return samples(Split.VALIDATION);
    }

    /** The test samples; empty when a split layout has no {@code test/}. */
    public List<Sample> test() {
        return samples(Split.TEST);
    }

    /**
     * Sample counts: split to class name to count, for every split and class (zeros included), in
     * split and class order.
     */
    public Map<Split, Map<String, Integer>> counts() {
        Map<Split, Map<String, Integer>> counts = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            int[] perClass = new int[classNames.size()];
            for (Sample sample : samples(split)) {
                perClass[sample.label()]++;
            }
            Map<String, Integer> byName = new LinkedHashMap<>();
            for (int i = 0; i < perClass.length; i++) {
                byName.put(classNames.get(i), perClass[i]);
            }
            counts.put(split, Collections.unmodifiableMap(byName));
        }
        return Collections.unmodifiableMap(counts);
    }

    /** Entries of class folders that are not images, with the reason. */
    public List<SkippedFile> skipped() {
        return skipped;
    }

    /**
     * E.g. {@code SPLIT dataset /d: train {cats=1000, dogs=1000}, validation {...}, test {...}, 0
     * skipped}.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(layout + " dataset " + root + ":");
        counts().forEach(
                        (split, perClass) ->
                                text.append(' ')
                                        .append(split.dirName())
                                        .append(' ')
                                        .append(perClass)
                                        .append(','));
        return text.append(' ').append(skipped.size()).append(" skipped").toString();
    }
}
