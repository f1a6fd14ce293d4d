package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import picocli.CommandLine;

/** Paths of the shared data and the shipped model, bad image files, and a CLI runner. */
public final class TestData {

    private TestData() {}

    /** The repository root (the parent pom passes it). */
    static Path root() {
        return Path.of(System.getProperty("catsdogs.root", "..")).toAbsolutePath().normalize();
    }

    public static Path model() {
        return root().resolve("models/catsdogs-mobilenetv2.onnx");
    }

    /** {@code cats_and_dogs_filtered/<split>}; fails clearly when the shared data is missing. */
    public static Path photos(String split) {
        Path dir =
                Path.of(System.getProperty("catsdogs.shared", "../../shared"))
                        .resolve("data/cats_and_dogs_filtered")
                        .resolve(split)
                        .toAbsolutePath()
                        .normalize();
        assertTrue(
                Files.isDirectory(dir),
                "the shared data set is missing: "
                        + dir
                        + " (it must sit beside the repository as ../shared/data/"
                        + "cats_and_dogs_filtered; -Dcatsdogs.shared=DIR points elsewhere)");
        return dir;
    }

    /** The image files under {@code dir}, as the score job finds them, sorted. */
    static List<Path> imageFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().toLowerCase().matches(".*\\.(jpg|jpeg|png|bmp)$"))
                    .map(TestData::real)
                    .sorted()
                    .toList();
        }
    }

    /** A {@code binaryFile} path column value ({@code file:/...}) as a real local path. */
    static Path fromSpark(String path) {
        return real(Path.of(URI.create(path)));
    }

    static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new AssertionError("cannot resolve " + p, e);
        }
    }

    /**
     * Writes four bad image files (empty, truncated, text named .jpg, a PNG claiming 10^10 pixels),
     * a good photo under an upper-case extension, and a text file that must be skipped. Returns the
     * names of the bad ones.
     */
    static List<String> writeBadFiles(Path dir, Path goodJpeg) throws IOException {
        Files.createDirectories(dir.resolve("nested"));
        byte[] jpeg = Files.readAllBytes(goodJpeg);
        Files.write(dir.resolve("empty.jpg"), new byte[0]);
        Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.writeString(dir.resolve("nested/text.jpg"), "this is text, not a JPEG\n");
        Files.write(dir.resolve("bomb.png"), pngClaiming(100_000, 100_000));
        Files.write(dir.resolve("nested/COPY.JPEG"), jpeg);
        Files.writeString(dir.resolve("notes.txt"), "not an image file name");
        return List.of("empty.jpg", "truncated.jpg", "text.jpg", "bomb.png");
    }

    /** A syntactically complete PNG (IHDR, empty IDAT, IEND) claiming the given size. */
    static byte[] pngClaiming(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(
                b,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(height)
                        .put(new byte[] {8, 6, 0, 0, 0})
                        .array());
        chunk(b, "IDAT", new byte[0]);
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    private static void chunk(ByteBuffer b, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        b.putInt(data.length).put(typeBytes).put(data).putInt((int) crc.getValue());
    }

    /** The result of a command line: exit code, stdout, stderr. */
    public record Run(int code, String out, String err) {}

    public static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                new CommandLine(command)
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
