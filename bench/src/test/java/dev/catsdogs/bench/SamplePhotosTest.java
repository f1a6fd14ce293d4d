package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplePhotosTest {

    @TempDir Path dir;

    @Test
    void catsAndDogsAlternateInNameOrder() throws Exception {
        write(
                "validation/cats/cat.2.jpg",
                "validation/cats/cat.1.jpg",
                "validation/dogs/dog.1.jpg",
                "validation/dogs/notes.txt");
        SamplePhotos photos = SamplePhotos.load(dir, 3);
        assertEquals(List.of("cat.1.jpg", "dog.1.jpg", "cat.2.jpg"), photos.names());
        assertEquals("validation/dogs/dog.1.jpg", new String(photos.encoded().get(1)));
        assertEquals(List.of("cat.1.jpg"), photos.first(1).names());
    }

    @Test
    void tooFewPhotosNamesTheFolder() throws Exception {
        write("validation/cats/cat.1.jpg", "validation/dogs/dog.1.jpg");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SamplePhotos.load(dir, 3));
        assertTrue(
                e.getMessage().contains("need 3 JPEGs") && e.getMessage().contains("found 2"),
                e.getMessage());
    }

    @Test
    void realPhotosLoad() {
        SamplePhotos photos = SamplePhotos.load(Workspace.defaults().data(), 32);
        assertEquals(32, photos.size());
        assertEquals("cat.2000.jpg", photos.names().get(0));
        assertEquals("dog.2000.jpg", photos.names().get(1));
    }

    @Test
    void workspaceValidationNamesWhatIsMissing() {
        Workspace ws = new Workspace(dir.resolve("none.onnx"), null, dir, null, dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ws::validate);
        assertTrue(
                e.getMessage().contains("none.onnx") && e.getMessage().contains("--model"),
                e.getMessage());
    }

    private void write(String... files) throws Exception {
        for (String f : files) {
            Path p = dir.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f);
        }
    }
}
