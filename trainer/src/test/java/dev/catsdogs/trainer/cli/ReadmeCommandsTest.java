package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.trainer.TestPaths;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README's commands that finish in seconds, run as the README shows them, so the README cannot
 * drift from what the product prints: {@code --help}, {@code summary} and the {@code classify}
 * example with the shipped model.
 */
class ReadmeCommandsTest {

    private static final String CLASSIFY = "./catsdogs classify ";

    private static String readme() throws Exception {
        return Files.readString(TestPaths.root().resolve("README.md"));
    }

    /** Runs {@code catsdogs args...}; returns {exit code, stdout}. */
    private static Object[] run(String... args) {
        StringWriter out = new StringWriter();
        ByteArrayOutputStream systemOut = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(systemOut, true, StandardCharsets.UTF_8));
        try {
            code =
                    new CommandLine(new CatsDogs())
                            .setOut(new PrintWriter(out, true))
                            .setErr(new PrintWriter(new StringWriter(), true))
                            .execute(args);
        } finally {
            System.setOut(original);
        }
        return new Object[] {code, out + systemOut.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void helpListsEveryCommandOfTheReadmeTable() throws Exception {
        Object[] result = run("--help");
        assertEquals(0, result[0]);
        String help = (String) result[1];
        for (String command :
                List.of(
                        "summary",
                        "train",
                        "export",
                        "classify",
                        "evaluate",
                        "gpu-jni",
                        "bench-train",
                        "bench",
                        "score")) {
            assertTrue(
                    readme().contains("| `" + command), "README's command table lacks " + command);
            assertTrue(help.contains(command), "--help lacks " + command + ":\n" + help);
        }
    }

    @Test
    void summaryPrintsTheKerasLayerTable() {
        Object[] result = run("summary", "--fine-tune-at", "100");
        assertEquals(0, result[0]);
        String table = (String) result[1];
        assertTrue(table.contains("block_11_expand_BN"), table);
        assertTrue(table.contains("Conv_1_bn"), table);
    }

    @Test
    void classifyExampleOfTheReadmeGivesTheLinesItShows() throws Exception {
        List<String> lines = readme().lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith(CLASSIFY)) {
                at = i;
                break;
            }
        }
        assertTrue(at >= 0, "README shows no '" + CLASSIFY + "...' example");
        Path root = TestPaths.root();
        List<String> args = new ArrayList<>(List.of("classify"));
        for (String path : lines.get(at).strip().substring(CLASSIFY.length()).split("\\s+")) {
            args.add(root.resolve(path).toString());
        }
        List<String> shown = new ArrayList<>();
        for (int i = at + 2; i < lines.size() && !lines.get(i).isBlank(); i++) {
            shown.add(lines.get(i).strip());
        }
        String home = System.getProperty("catsdogs.home");
        System.setProperty("catsdogs.home", root.toString()); // the shipped model is the default
        Object[] result;
        try {
            result = run(args.toArray(String[]::new));
        } finally {
            if (home == null) {
                System.clearProperty("catsdogs.home");
            } else {
                System.setProperty("catsdogs.home", home);
            }
        }
        assertEquals(0, result[0], (String) result[1]);
        String prefix = root + "/";
        List<String> printed =
                ((String) result[1])
                        .lines()
                        .map(l -> String.join(" ", l.replace(prefix, "").strip().split("\\s+")))
                        .toList();
        for (String line : shown) {
            if (line.equals("...")) {
                continue;
            }
            String tokens = String.join(" ", Arrays.asList(line.split("\\s+")));
            assertTrue(
                    printed.contains(tokens),
                    "README line '" + line + "' not printed:\n" + printed);
        }
    }
}
