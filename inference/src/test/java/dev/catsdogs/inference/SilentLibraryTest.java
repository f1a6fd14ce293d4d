package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library prints nothing unless the application asks (its notices go to {@code System.Logger}
 * at DEBUG), and its notice about JPEG decoding names the real cause, intact.
 */
class SilentLibraryTest {

    @TempDir Path dir;

    @Test
    void theNoticeForAMissingLibturbojpegKeepsItsApostrophesAndTheReason() {
        UnsatisfiedLinkError jna =
                new UnsatisfiedLinkError(
                        "Unable to load library 'turbojpeg':\n"
                                + "libturbojpeg.so: cannot open shared object file: No such file or"
                                + " directory\n"
                                + "Native library (linux-x86-64/libturbojpeg.so) not found");
        assertEquals(
                "libturbojpeg not found (libturbojpeg.so: cannot open shared object file: No such"
                        + " file or directory); install libturbojpeg0 (Debian/Ubuntu), turbojpeg"
                        + " (Fedora) or jpeg-turbo (Homebrew) for the fast path. JPEG is decoded"
                        + " by OpenCV's built-in libjpeg instead (same pixels, about 2.8x slower).",
                TurboJpegDecoder.fallbackNotice(TurboJpegDecoder.Cause.NOT_INSTALLED, jna));
        String old =
                TurboJpegDecoder.fallbackNotice(
                        TurboJpegDecoder.Cause.TOO_OLD,
                        new UnsatisfiedLinkError(
                                "Error looking up function 'tjGetErrorCode': undefined symbol"));
        assertTrue(
                old.startsWith(
                        "libturbojpeg is older than TurboJPEG 2.0 (Error looking up function"
                                + " 'tjGetErrorCode': undefined symbol)"),
                old);
    }

    @Test
    void withoutJnasNativeLibraryItIsSilentAndSaysWhyWhenAsked() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path home = Files.createDirectory(dir.resolve("home"));
        Path noJna = Files.createDirectory(dir.resolve("no-jna"));
        Path model = TestModels.writeSigmoid(dir.resolve("model.onnx"));
        Path image = TestImages.photo("cat.2000.jpg");
        // JNA may only look in an empty directory: as on a platform its jar has no library for.
        List<String> withoutJna =
                List.of("-Djna.boot.library.path=" + noJna, "-Djna.nounpack=true");
        // The application's own switch: without JNA the library cannot set it.
        Map<String, String> noTelemetry = Map.of("ORT_DISABLE_TELEMETRY", "1");

        ChildJvm.Result quiet =
                new ChildJvm(tmp, home, dir.resolve("cache"), withoutJna)
                        .classify(model, image, noTelemetry);
        assertEquals(0, quiet.exitCode(), quiet.err());
        assertTrue(quiet.out().matches("(cats|dogs)\n"), quiet.out());
        assertEquals("", quiet.err(), "nothing on stderr unless the application asks");

        Path logging =
                Files.writeString(
                        dir.resolve("logging.properties"),
                        "handlers=java.util.logging.ConsoleHandler\n"
                                + "java.util.logging.ConsoleHandler.level=FINE\n"
                                + "java.util.logging.SimpleFormatter.format=%5$s%n\n"
                                + "dev.catsdogs.inference.level=FINE\n");
        ChildJvm.Result asked =
                new ChildJvm(
                                tmp,
                                home,
                                dir.resolve("cache"),
                                List.of(
                                        withoutJna.get(0),
                                        withoutJna.get(1),
                                        "-Djava.util.logging.config.file=" + logging))
                        .classify(model, image, noTelemetry);
        assertEquals(0, asked.exitCode(), asked.err());
        assertTrue(
                asked.err()
                        .contains(
                                "JNA's native library (libjnidispatch for "
                                        + System.getProperty("os.name")
                                        + "/"
                                        + System.getProperty("os.arch")
                                        + ") could not be loaded, so libturbojpeg cannot be"
                                        + " called"),
                asked.err());
        assertTrue(
                asked.err().contains("JPEG is decoded by OpenCV's built-in libjpeg instead"),
                asked.err());
    }
}
