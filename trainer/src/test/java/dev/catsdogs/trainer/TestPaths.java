package dev.catsdogs.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find the repository and the read-only shared files (data, reference), set by
 * surefire.
 */
public final class TestPaths {

    private TestPaths() {}

    /** The repository root. */
    public static Path root() {
        String root = System.getProperty("catsdogs.root");
        Path p = root != null ? Path.of(root) : Path.of("..");
        return p.toAbsolutePath().normalize();
    }

    /** {@code ../shared} beside the repository. */
    public static Path shared() {
        String shared = System.getProperty("catsdogs.shared");
        Path p = shared != null ? Path.of(shared) : root().resolve("../shared");
        return p.toAbsolutePath().normalize();
    }

    /** The shipped ImageNet MobileNetV2. */
    public static Path imagenetOnnx() {
        return root().resolve(dev.catsdogs.trainer.onnx.MobileNetV2Weights.SHIPPED_FILE);
    }

    /**
     * The cats-vs-dogs data set in {@code ../shared}: the one way tests reach real photos. A test
     * that needs it is skipped, with the reason, where the shared files are not beside the
     * repository (CI has them).
     */
    public static Path catsAndDogs() {
        Path p = shared().resolve("data/cats_and_dogs_filtered");
        Assumptions.assumeTrue(
                Files.isDirectory(p),
                "needs the real photos of ../shared/data/cats_and_dogs_filtered, not found at "
                        + p);
        return p;
    }

    /**
     * Copies photos {@code first .. first+count-1} of each class of the data set's {@code split}
     * ({@code cat.N.jpg}, {@code dog.N.jpg}) into class folders {@code target/cats}, {@code
     * target/dogs}.
     */
    public static void copyPhotos(Path target, String split, int first, int count)
            throws IOException {
        for (String[] c : new String[][] {{"cats", "cat"}, {"dogs", "dog"}}) {
            Files.createDirectories(target.resolve(c[0]));
            for (int i = first; i < first + count; i++) {
                String name = c[1] + "." + i + ".jpg";
                Files.copy(
                        catsAndDogs().resolve(split).resolve(c[0]).resolve(name),
                        target.resolve(c[0]).resolve(name));
            }
        }
    }
}
