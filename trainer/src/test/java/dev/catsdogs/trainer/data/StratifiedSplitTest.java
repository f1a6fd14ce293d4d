package dev.catsdogs.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StratifiedSplitTest {

    @TempDir Path root;

    @Test
    void splitsEachClass80To10To10() throws IOException {
        Trees.images(root.resolve("Cat"), "c", 100);
        Trees.images(root.resolve("Dog"), "d", 100);

        Dataset data = Dataset.load(root, 7);

        assertEquals(DatasetLayout.CLASS_FOLDERS, data.layout());
        assertEquals(List.of("Cat", "Dog"), data.classNames());
        assertEquals(Map.of("Cat", 80, "Dog", 80), data.counts().get(Split.TRAIN));
        assertEquals(Map.of("Cat", 10, "Dog", 10), data.counts().get(Split.VALIDATION));
        assertEquals(Map.of("Cat", 10, "Dog", 10), data.counts().get(Split.TEST));
        for (Sample sample : data.train()) {
            assertEquals(
                    sample.label() == 0 ? "Cat" : "Dog",
                    sample.file().getParent().getFileName().toString());
        }
    }

    @Test
    void everyFileLandsInExactlyOneSplit() throws IOException {
        List<Path> all = new ArrayList<>(Trees.images(root.resolve("a"), "a", 37));
        all.addAll(Trees.images(root.resolve("b"), "b", 53));

        Dataset data = Dataset.load(root, 3);

        List<Path> union = new ArrayList<>();
        for (Split split : Split.values()) {
            data.samples(split).forEach(s -> union.add(s.file()));
        }
        assertEquals(all.size(), union.size(), "no file in two splits");
        assertEquals(Set.copyOf(all), Set.copyOf(union));
    }

    @Test
    void sameSeedSameSplitDifferentSeedDifferentSplit() throws IOException {
        Trees.images(root.resolve("cats"), "c", 50);
        Trees.images(root.resolve("dogs"), "d", 50);

        Dataset first = Dataset.load(root, 42);
        Dataset again = Dataset.load(root, 42);
        Dataset other = Dataset.load(root, 43);

        for (Split split : Split.values()) {
            assertEquals(first.samples(split), again.samples(split));
        }
        assertNotEquals(new HashSet<>(first.validation()), new HashSet<>(other.validation()));
        assertEquals(first.counts(), other.counts());
    }

    @Test
    void aClassSplitDoesNotDependOnTheOtherClasses() throws IOException {
        Trees.images(root.resolve("cats"), "c", 30);
        Trees.images(root.resolve("dogs"), "d", 30);
        List<Path> catsBefore = filesOf(Dataset.load(root, 5).validation(), "cats");

        Trees.images(root.resolve("birds"), "b", 30);
        List<Path> catsAfter = filesOf(Dataset.load(root, 5).validation(), "cats");

        assertEquals(3, catsBefore.size());
        assertEquals(catsBefore, catsAfter);
    }

    private static List<Path> filesOf(List<Sample> samples, String className) {
        return samples.stream()
                .map(Sample::file)
                .filter(f -> f.getParent().getFileName().toString().equals(className))
                .toList();
    }

    @Test
    void oddCountsRoundLikeTfds() throws IOException {
        Trees.images(root.resolve("c15"), "x", 15);
        Trees.images(root.resolve("c5"), "y", 5);
        Trees.images(root.resolve("c1"), "z", 1);

        Map<Split, Map<String, Integer>> counts = Dataset.load(root, 0).counts();

        assertEquals(Map.of("c1", 1, "c15", 12, "c5", 4), counts.get(Split.TRAIN));
        assertEquals(Map.of("c1", 0, "c15", 2, "c5", 0), counts.get(Split.VALIDATION));
        assertEquals(Map.of("c1", 0, "c15", 1, "c5", 1), counts.get(Split.TEST));
    }

    @Test
    void boundariesRoundHalfToEven() {
        // Python: round(0.9 * 5) == 4, round(0.9 * 15) == 14, round(0.8 * 3) == 2, round(0.9 * 3)
        // == 3.
        assertEquals(4, StratifiedSplit.boundary(90, 5));
        assertEquals(14, StratifiedSplit.boundary(90, 15));
        assertEquals(2, StratifiedSplit.boundary(80, 3));
        assertEquals(3, StratifiedSplit.boundary(90, 3));
        assertEquals(800, StratifiedSplit.boundary(80, 1000));
        assertEquals(0, StratifiedSplit.boundary(80, 0));
        assertEquals(9, StratifiedSplit.boundary(90, 10));
        assertEquals(22, StratifiedSplit.boundary(90, 25)); // 22.5 -> 22
        assertEquals(32, StratifiedSplit.boundary(90, 35)); // 31.5 -> 32
    }

    @Test
    void splitsListSamplesClassByClassSortedByName() throws IOException {
        Trees.images(root.resolve("a"), "a", 20);
        Trees.images(root.resolve("b"), "b", 20);

        List<Sample> train = Dataset.load(root, 1).train();

        List<Sample> sorted = new ArrayList<>(train);
        sorted.sort(
                (x, y) ->
                        x.label() != y.label()
                                ? Integer.compare(x.label(), y.label())
                                : x.file()
                                        .getFileName()
                                        .toString()
                                        .compareTo(y.file().getFileName().toString()));
        assertEquals(sorted, train);
        assertEquals(32, train.size());
    }
}
