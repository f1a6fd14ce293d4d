package dev.catsdogs.bench;

import dev.catsdogs.inference.internal.Arguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real JPEG photos held in memory as encoded bytes: the first {@code count} of the validation
 * split, cats and dogs alternating ({@code cat.2000.jpg, dog.2000.jpg, cat.2001.jpg, ...}), so
 * every run and every benchmark sees the same images.
 *
 * @param names file names, for error messages
 * @param encoded the files' bytes, as an upload would deliver them
 */
public record SamplePhotos(List<String> names, List<byte[]> encoded) {

    public SamplePhotos {
        names = List.copyOf(names);
        encoded = List.copyOf(encoded);
        if (encoded.isEmpty()) {
            throw Arguments.received("encoded", "[]", "at least one image");
        }
        if (names.size() != encoded.size()) {
            throw Arguments.received(
                    "names", names.size() + " names", "one per image (" + encoded.size() + ")");
        }
    }

    /**
     * Reads {@code count} photos from {@code data/validation/{cats,dogs}}.
     *
     * @throws IllegalArgumentException if the folders hold fewer than {@code count} JPEGs
     */
    public static SamplePhotos load(Path data, int count) {
        if (count < 1) {
            throw Arguments.received("count", count, ">= 1");
        }
        List<Path> cats = jpegs(data.resolve("validation/cats"));
        List<Path> dogs = jpegs(data.resolve("validation/dogs"));
        List<Path> chosen = new ArrayList<>();
        for (int i = 0; chosen.size() < count && (i < cats.size() || i < dogs.size()); i++) {
            if (i < cats.size()) {
                chosen.add(cats.get(i));
            }
            if (i < dogs.size() && chosen.size() < count) {
                chosen.add(dogs.get(i));
            }
        }
        if (chosen.size() < count) {
            throw new IllegalArgumentException(
                    "need "
                            + count
                            + " JPEGs in "
                            + data.resolve("validation")
                            + "/{cats,dogs}, found "
                            + chosen.size());
        }
        List<String> names = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        for (Path p : chosen) {
            names.add(p.getFileName().toString());
            try {
                bytes.add(Files.readAllBytes(p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p, e);
            }
        }
        return new SamplePhotos(names, bytes);
    }

    /** Number of photos. */
    public int size() {
        return names.size();
    }

    /** The first {@code n} photos. */
    public SamplePhotos first(int n) {
        if (n < 1 || n > size()) {
            throw Arguments.received("n", n, "1.." + size());
        }
        return new SamplePhotos(names.subList(0, n), encoded.subList(0, n));
    }

    private static List<Path> jpegs(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("photo folder not found: " + dir);
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".jpg"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
