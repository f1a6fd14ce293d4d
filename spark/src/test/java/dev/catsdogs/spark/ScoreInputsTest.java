package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code score} lists local inputs itself: every file under an input is listed, including the names
 * and kinds Spark's reader failed on or dropped; paths are literal (no globbing), also for Spark's
 * reader of remote inputs.
 */
class ScoreInputsTest {

    @TempDir Path dir;

    @Test
    void everyImageFileUnderAnInputIsListedWhateverItsNameOrKind() throws Exception {
        Path odd = dir.resolve("odd");
        List<Path> oddFiles =
                TestData.writeOddFiles(
                        odd, TestData.photos("validation").resolve("cats/cat.2000.jpg"));
        Files.writeString(odd.resolve("notes.txt"), "not an image name");
        Files.createDirectories(odd.resolve("folder.jpg")); // a directory is not a file
        Path broken = Files.createSymbolicLink(odd.resolve("broken.jpg"), odd.resolve("gone"));

        List<Path> expected = new ArrayList<>(oddFiles);
        expected.add(broken); // its row will say "file not found"
        expected.sort(null);
        assertEquals(expected, ScoreInputs.list(List.of(odd.toString())).localFiles());
        assertEquals(9, expected.size(), "test data: 5 photos, FIFO, /dev/zero, huge, broken");

        // Named explicitly, a file is taken whatever its name, as classify takes it.
        Path notes = odd.resolve("notes.txt");
        assertEquals(List.of(notes), ScoreInputs.list(List.of(notes.toString())).localFiles());
    }

    @Test
    void pathsAreLiteralNotGlobPatterns() throws Exception {
        Path photo = TestData.photos("validation").resolve("cats/cat.2000.jpg");
        Path brackets = Files.createDirectories(dir.resolve("in[1]"));
        Files.copy(photo, brackets.resolve("a.jpg"));
        Path decoy = Files.createDirectories(dir.resolve("in1")); // what the glob in[1] matches
        Files.copy(photo, decoy.resolve("b.jpg"));
        Path braces = Files.createDirectories(dir.resolve("{x,y}*?"));
        Files.copy(photo, braces.resolve("c.jpg"));

        assertEquals(
                List.of(brackets.resolve("a.jpg"), braces.resolve("c.jpg")),
                ScoreInputs.list(List.of(brackets.toString(), braces.toString())).localFiles());

        // Remote inputs go to Spark's reader, which globs: escaped, they match only themselves.
        FileSystem local = FileSystem.getLocal(new Configuration());
        for (Path literal : List.of(brackets, braces)) {
            FileStatus[] matches =
                    local.globStatus(
                            new org.apache.hadoop.fs.Path(
                                    ScoreInputs.literal(ScoreInputs.sparkName(literal))));
            assertNotNull(matches, literal.toString());
            assertEquals(1, matches.length, literal.toString());
            assertEquals(literal.toString(), matches[0].getPath().toUri().getPath());
        }
    }

    @Test
    void onlyUrisWithAuthorityAreRemote() {
        assertFalse(ScoreInputs.isLocal("hdfs:///photos"));
        assertFalse(ScoreInputs.isLocal("s3a://bucket/photos"));
        for (String local : List.of("colon:x.jpg", "photos", "/abs/in[1]", "file:///abs")) {
            assertEquals(true, ScoreInputs.isLocal(local), local);
        }
        assertEquals(Path.of("/abs/a b"), ScoreInputs.localPath("file:///abs/a%20b"));
    }
}
