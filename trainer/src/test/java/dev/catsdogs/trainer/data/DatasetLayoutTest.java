package dev.catsdogs.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.trainer.TestPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLayoutTest {

    @TempDir Path root;

    @Test
    void readsASplitLayoutWithoutTest() throws IOException {
        Trees.touch(
                root,
                "train/dogs/d1.jpg",
                "train/dogs/d0.JPEG",
                "train/cats/c0.png",
                "validation/cats/c9.bmp",
                "validation/dogs/d9.jpg",
                "README.md");

        Dataset data = Dataset.load(root, 0);

        assertEquals(DatasetLayout.SPLIT, data.layout());
        assertEquals(List.of("cats", "dogs"), data.classNames());
        assertEquals(
                List.of(
                        new Sample(root.resolve("train/cats/c0.png"), 0),
                        new Sample(root.resolve("train/dogs/d0.JPEG"), 1),
                        new Sample(root.resolve("train/dogs/d1.jpg"), 1)),
                data.train());
        assertEquals(2, data.validation().size());
        assertEquals(List.of(), data.test());
        assertEquals(Map.of("cats", 0, "dogs", 0), data.counts().get(Split.TEST));
        assertEquals(Map.of("cats", 1, "dogs", 2), data.counts().get(Split.TRAIN));
    }

    @Test
    void readsTheOptionalTestSplit() throws IOException {
        Trees.touch(
                root,
                "train/a/1.jpg",
                "train/b/2.jpg",
                "validation/a/3.jpg",
                "validation/b/4.jpg",
                "test/a/5.jpg",
                "test/b/6.jpg",
                "test/b/7.jpg");

        Dataset data = Dataset.load(root, 0);

        assertEquals(Map.of("a", 1, "b", 2), data.counts().get(Split.TEST));
        assertEquals(new Sample(root.resolve("test/b/7.jpg"), 1), data.test().get(2));
    }

    @Test
    void listsNonImagesAsSkippedAndIgnoresHiddenFiles() throws IOException {
        Trees.touch(
                root,
                "train/cats/c.jpg",
                "train/cats/notes.txt",
                "train/cats/.DS_Store",
                "train/cats/nested/x.jpg",
                "train/dogs/d.jpg",
                "train/dogs/Thumbs.db",
                "train/.hidden/h.jpg",
                "validation/cats/c.jpg",
                "validation/dogs/d.jpg",
                "validation/dogs/noext");

        Dataset data = Dataset.load(root, 0);

        assertEquals(List.of("cats", "dogs"), data.classNames());
        assertEquals(
                List.of(
                        new SkippedFile(
                                root.resolve("train/cats/nested"), ClassFolders.NESTED_DIRECTORY),
                        new SkippedFile(
                                root.resolve("train/cats/notes.txt"), "unsupported extension"),
                        new SkippedFile(
                                root.resolve("train/dogs/Thumbs.db"), "unsupported extension"),
                        new SkippedFile(
                                root.resolve("validation/dogs/noext"), "unsupported extension")),
                data.skipped());
        assertEquals(2, data.train().size());
    }

    @Test
    void classSetsMustMatchAcrossSplits() throws IOException {
        Trees.touch(
                root,
                "train/cats/c.jpg",
                "train/dogs/d.jpg",
                "validation/cats/c.jpg",
                "validation/horses/h.jpg");

        IOException e = assertThrows(IOException.class, () -> Dataset.load(root, 0));

        assertTrue(
                e.getMessage().contains("Class folders differ between splits in " + root),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("train/ has [cats, dogs], validation/ has [cats, horses]"),
                e.getMessage());
    }

    @Test
    void testClassesMustMatchToo() throws IOException {
        Trees.touch(
                root,
                "train/cats/c.jpg",
                "train/dogs/d.jpg",
                "validation/cats/c.jpg",
                "validation/dogs/d.jpg",
                "test/cats/c.jpg");

        IOException e = assertThrows(IOException.class, () -> Dataset.load(root, 0));

        assertTrue(e.getMessage().contains("test/ has [cats]"), e.getMessage());
    }

    @Test
    void neitherLayoutIsAnErrorNamingTheDirectory() throws IOException {
        Trees.touch(root, "a.jpg", "b.jpg", "only/c.jpg");

        IOException e = assertThrows(IOException.class, () -> Dataset.load(root, 0));

        assertTrue(e.getMessage().startsWith("Not a dataset directory: " + root), e.getMessage());
        assertTrue(e.getMessage().contains("found only [only]"), e.getMessage());
    }

    @Test
    void suggestsTheSubfolderWhenGivenItsParent() throws IOException {
        Trees.touch(
                root,
                "cats_and_dogs_filtered/train/cats/c.jpg",
                "cats_and_dogs_filtered/validation/cats/c.jpg");

        IOException e = assertThrows(IOException.class, () -> Dataset.load(root, 0));

        assertTrue(
                e.getMessage()
                        .contains("did you mean --data " + root.resolve("cats_and_dogs_filtered")),
                e.getMessage());
    }

    @Test
    void otherErrorsNameTheDirectory() throws IOException {
        Path missing = root.resolve("missing");
        IOException notThere = assertThrows(IOException.class, () -> Dataset.load(missing, 0));
        assertTrue(
                notThere.getMessage().contains(missing + " does not exist"), notThere.getMessage());

        Trees.touch(root, "empty/");
        IOException empty =
                assertThrows(IOException.class, () -> Dataset.load(root.resolve("empty"), 0));
        assertTrue(
                empty.getMessage().contains(root.resolve("empty") + ": expected"),
                empty.getMessage());
        assertTrue(empty.getMessage().contains("found no subfolders"), empty.getMessage());

        Trees.touch(root, "trainonly/train/cats/c.jpg", "trainonly/train/dogs/d.jpg");
        IOException noValidation =
                assertThrows(IOException.class, () -> Dataset.load(root.resolve("trainonly"), 0));
        assertTrue(noValidation.getMessage().contains("no validation/"), noValidation.getMessage());

        Trees.touch(root, "oneclass/train/cats/c.jpg", "oneclass/validation/cats/c.jpg");
        IOException oneClass =
                assertThrows(IOException.class, () -> Dataset.load(root.resolve("oneclass"), 0));
        assertTrue(
                oneClass.getMessage().contains("1 class folder [cats]; at least 2"),
                oneClass.getMessage());

        Trees.touch(root, "noimages/Cat/a.jpg", "noimages/Dog/readme.txt");
        IOException noImages =
                assertThrows(IOException.class, () -> Dataset.load(root.resolve("noimages"), 0));
        assertTrue(
                noImages.getMessage()
                        .contains(
                                "Class folder " + root.resolve("noimages/Dog") + " has no images"),
                noImages.getMessage());
    }

    @Test
    void readsTheSharedTutorialData() throws IOException {
        Path shared = TestPaths.catsAndDogs();

        Dataset data = Dataset.load(shared, 0);

        assertEquals(DatasetLayout.SPLIT, data.layout());
        assertEquals(List.of("cats", "dogs"), data.classNames());
        assertEquals(Map.of("cats", 1000, "dogs", 1000), data.counts().get(Split.TRAIN));
        assertEquals(Map.of("cats", 500, "dogs", 500), data.counts().get(Split.VALIDATION));
        assertEquals(List.of(), data.skipped());
        assertEquals(shared.resolve("train/cats/cat.0.jpg"), data.train().get(0).file());
    }
}
