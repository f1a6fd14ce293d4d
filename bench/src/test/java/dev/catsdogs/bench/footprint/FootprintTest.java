package dev.catsdogs.bench.footprint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The footprint line as the issue spells it, its targets, and the command's usage errors. */
class FootprintTest {

    @TempDir Path dir;

    @Test
    void theLineHasTheIssuesKeysInOrder() {
        Footprint footprint = new Footprint(35.63, 158.49, 416.04, 295, 0);
        assertEquals(
                "footprint: deps_mb=35.6 full_deps_mb=158.5 dist_mb=416.0 start_ms=295"
                        + " tmp_files_left=0",
                footprint.line());
        assertEquals(
                List.of("target deps_mb <= 40: 35.6 met", "target tmp_files_left = 0: 0 met"),
                footprint.targets());
    }

    @Test
    void targetsSayWhenTheyAreMissed() {
        assertEquals(
                List.of("target deps_mb <= 40: 40.1 MISSED", "target tmp_files_left = 0: 2 MISSED"),
                new Footprint(40.1, 160, 400, 300, 2).targets());
    }

    @Test
    void theMedianIsTheMiddleValue() {
        assertEquals(295, FootprintCommand.median(List.of(321L, 260L, 295L)));
        assertEquals(2, FootprintCommand.median(List.of(4L, 1L, 2L, 3L)), "lower middle");
        assertEquals(7, FootprintCommand.median(List.of(7L)));
    }

    @Test
    void outsideACheckoutItSaysSoInOneLineAndExits2() {
        String before = System.getProperty("catsdogs.home");
        System.setProperty("catsdogs.home", dir.toString());
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CommandLine line =
                    FootprintCommand.commandLine(System.out, System.err)
                            .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            assertEquals(2, line.execute());
            assertEquals(
                    "bench-footprint: needs this project's checkout and Maven; "
                            + dir
                            + " has no dist/pom.xml (see bench-footprint --help)\n",
                    err.toString(StandardCharsets.UTF_8));
            err.reset();
            assertEquals(2, line.execute("--runs", "0"));
            assertEquals(
                    "bench-footprint: Received --runs 0; expected at least 1 (see bench-footprint"
                            + " --help)\n",
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            if (before == null) {
                System.clearProperty("catsdogs.home");
            } else {
                System.setProperty("catsdogs.home", before);
            }
        }
    }
}
