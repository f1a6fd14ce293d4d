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
import java.util.Map;
import java.util.TreeMap;
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

    /**
     * Files that Spark's own reader could not take, each with what {@code score} must make of it
     * (as {@code classify} does): a photo named with a colon, one whose name is not UTF-8, one
     * named with a newline, hidden ones ({@code _} and {@code .}); a FIFO, a link to /dev/zero and
     * a sparse 2.2 GB file, which are errors. Returns the files, the error ones last.
     */
    static List<Path> writeOddFiles(Path dir, Path goodJpeg) throws Exception {
        Files.createDirectories(dir);
        List<Path> files = new java.util.ArrayList<>();
        for (String name : List.of("colon:x.jpg", "new\nline.jpg", "_hidden.jpg", ".dot.jpg")) {
            files.add(Files.copy(goodJpeg, dir.resolve(name)));
        }
        // A name that is not UTF-8 (byte 0xff) cannot be written from a Java string.
        shell("cp \"$0\" \"$1/$(printf '\\377')latin1.jpg\"", goodJpeg.toString(), dir.toString());
        try (Stream<Path> list = Files.list(dir)) {
            files.add(
                    list.filter(p -> p.toString().endsWith("latin1.jpg"))
                            .findFirst()
                            .orElseThrow());
        }
        Path fifo = dir.resolve("fifo.jpg");
        shell("mkfifo \"$0\"", fifo.toString());
        files.add(fifo);
        files.add(Files.createSymbolicLink(dir.resolve("zero.jpg"), Path.of("/dev/zero")));
        Path huge = dir.resolve("huge.jpg");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(2_200_000_000L); // sparse: no disk space used
        }
        files.add(huge);
        return files;
    }

    private static void shell(String script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "-c", script));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor() == 0, script + ": " + output);
    }

    /**
     * Everything under {@code dir} (links not followed): relative path to the SHA-256 of a file's
     * bytes, "dir", "link to TARGET" or "other". Equal snapshots: nothing was touched.
     */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String kind;
                if (Files.isSymbolicLink(p)) {
                    kind = "link to " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p)) {
                    kind = "dir";
                } else if (Files.isRegularFile(p)) {
                    kind = ModelFile.sha256(p);
                } else {
                    kind = "other";
                }
                entries.put(dir.relativize(p).toString(), kind);
            }
        }
        return entries;
    }

    /**
     * An earlier score output of {@code input} at {@code output}, as the job leaves it (part file,
     * {@code _SUCCESS} and the metadata), written without Spark.
     */
    static Path writeScoreOutput(Path output, Path input) throws Exception {
        ScoreOutput out =
                ScoreOutput.prepare(
                        output.toString(),
                        false,
                        ScoreInputs.list(List.of(input.toString())),
                        new org.apache.hadoop.conf.Configuration());
        Path staged = staged(out);
        Files.writeString(staged.resolve("part-0.csv"), "path,label\nfile:/a.jpg,cats\n");
        Files.writeString(staged.resolve("_SUCCESS"), "");
        out.commit(Map.of("rows", 1));
        return output;
    }

    /** The directory a job writes for {@code out}, created as Spark creates it. */
    static Path staged(ScoreOutput out) throws IOException {
        return Files.createDirectories(
                Path.of(new org.apache.hadoop.fs.Path(out.stagedPath()).toUri().getPath()));
    }

    /** The result of a command line: exit code, stdout, stderr. */
    public record Run(int code, String out, String err) {}

    public static Run run(Object command, String... args) {
        return run(new CommandLine(command), args);
    }

    /**
     * Runs a configured command line (e.g. {@code ScoreCommand.commandLine()}) capturing output.
     */
    public static Run run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                commandLine
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
