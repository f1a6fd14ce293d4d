package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reusing a run directory, temporary files a killed run leaves, and strict report.json. */
class RunDirectoryTest {

    @TempDir Path dir;

    /**
     * The JPEG decoding survives config.json (export reads it back to record it in the model); a
     * config.json from before the setting reads as full decoding, which is what those runs did.
     */
    @Test
    void jpegDecodingRoundTripsThroughConfigAndOldRunsReadAsFull() throws Exception {
        for (boolean fast : new boolean[] {true, false}) {
            Path run = dir.resolve("run-" + fast);
            TrainingConfig config = TrainingConfig.builder(run).optFastJpegDecode(fast).build();
            JsonObject json = Json.gson().toJsonTree(config).getAsJsonObject();
            assertEquals(fast, json.get("fastJpegDecode").getAsBoolean());
            Files.createDirectories(run);
            Files.writeString(run.resolve(RunDirectory.CONFIG), Json.gson().toJson(json));
            assertEquals(config, RunDirectory.open(run).readConfig());
            if (fast) {
                json.remove("fastJpegDecode");
                Files.writeString(run.resolve(RunDirectory.CONFIG), Json.gson().toJson(json));
                assertFalse(RunDirectory.open(run).readConfig().fastJpegDecode());
            }
        }
        assertTrue(TrainingConfig.builder(dir).build().fastJpegDecode(), "the default");
    }

    @Test
    void aUsedDirectoryIsRefusedWithoutOverwrite() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunDirectory.MODEL), "run 1's model");
        Files.writeString(run.resolve(RunDirectory.REPORT), "{}");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(run, false));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        assertTrue(Files.exists(run.resolve(RunDirectory.MODEL)), "nothing removed");
    }

    @Test
    void overwriteRemovesOnlyARunsFiles() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve(RunDirectory.MODEL), "run 1's model");
        Files.writeString(run.resolve(RunDirectory.PARAMETERS), "run 1's parameters");
        RunDirectory.create(run, true);
        assertFalse(Files.exists(run.resolve(RunDirectory.MODEL)), "run 1's model would mix in");
        assertFalse(Files.exists(run.resolve(RunDirectory.PARAMETERS)));

        Files.writeString(run.resolve("thesis.pdf"), "not ours");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(run, true));
        assertTrue(e.getMessage().contains("thesis.pdf"), e.getMessage());
        assertTrue(Files.exists(run.resolve("thesis.pdf")));
    }

    @Test
    void aFileIsNotARunDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(file, true));
    }

    @Test
    void temporariesOfAKilledRunAreRemovedAtTheNextStart() throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        Path params = Files.writeString(run.resolve(".model.params.k3j9x1.tmp"), "half");
        Path candidate = Files.writeString(run.resolve(".model.onnx.0a9z.candidate"), "8.8 MB");
        Path keep = Files.writeString(run.resolve(".notes.tmp.txt"), "not ours");
        Files.writeString(run.resolve(RunDirectory.CONFIG), "{}");

        RunDirectory.openToWrite(run, "export").close(); // as export does
        assertFalse(Files.exists(params), "opened for export: stale temporary removed");
        assertFalse(Files.exists(candidate));
        assertTrue(Files.exists(keep), "only the names this product writes");
    }

    @Test
    void reportIsStrictJsonEvenWithNaN() throws Exception {
        Path file = dir.resolve(RunDirectory.REPORT);
        RunReport report = new RunReport(file);
        report.section("fine_tuning").addProperty("val_loss", Double.NaN);
        report.section("fine_tuning").addProperty("loss", Double.POSITIVE_INFINITY);
        report.section("fine_tuning").addProperty("accuracy", 0.5);
        report.write();

        String text = Files.readString(file);
        JsonReader strict = new JsonReader(new StringReader(text));
        strict.setStrictness(Strictness.STRICT);
        JsonObject json = JsonParser.parseReader(strict).getAsJsonObject();
        JsonObject ft = json.getAsJsonObject("fine_tuning");
        assertTrue(ft.get("val_loss").isJsonNull());
        assertTrue(ft.get("loss").isJsonNull());
        assertEquals(0.5, ft.get("accuracy").getAsDouble());
        assertEquals(
                "[\"fine_tuning.val_loss was NaN\",\"fine_tuning.loss was Infinity\"]",
                json.get("non_finite").toString());
        assertTrue(
                report.snapshot().getAsJsonObject("fine_tuning").get("loss").getAsDouble() > 0,
                "the report itself keeps the value; only the file is strict");
    }
}
