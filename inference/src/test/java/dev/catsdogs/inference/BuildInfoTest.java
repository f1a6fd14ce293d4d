package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The versions come from the parent pom through resource filtering, not from the code. */
class BuildInfoTest {

    private static String parentPom() throws Exception {
        Path root = Path.of(System.getProperty("catsdogs.root", "..")).toAbsolutePath();
        return Files.readString(root.resolve("pom.xml"));
    }

    private static String first(String regex, String text) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no match for " + regex + " in the parent pom");
        }
        return m.group(1).strip();
    }

    @Test
    void versionIsTheParentPomVersion() throws Exception {
        String pomVersion =
                first(
                        "<artifactId>catsdogs-parent</artifactId>\\s*<version>([^<]+)</version>",
                        parentPom());
        assertFalse(BuildInfo.version().contains("${"), BuildInfo.version());
        assertEquals(pomVersion, BuildInfo.version());
    }

    @Test
    void onnxRuntimeVersionIsThePinnedOne() throws Exception {
        String pinned = first("<onnxruntime.version>([^<]+)</onnxruntime.version>", parentPom());
        assertEquals(pinned, BuildInfo.onnxRuntimeVersion());
    }
}
