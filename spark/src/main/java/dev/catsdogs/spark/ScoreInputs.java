package dev.catsdogs.spark;

import dev.catsdogs.inference.cli.ImageFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The files {@code score} reads. Every input is taken literally: glob characters ({@code * ? [ ] {
 * }}) are part of the name.
 *
 * <p>A local input (a path without a scheme, or a {@code file:} URI) is listed here, on the driver,
 * as {@code classify} lists its paths: a file as given, whatever its name; a directory recursively
 * for .jpg, .jpeg, .png and .bmp in any case, following links (a loop is walked once). Every entry
 * that is not a directory counts, hidden names, FIFOs, devices and broken links included: each gets
 * a row, and the executor's read says what is wrong with it. Spark's own reader could not do this:
 * it fails the whole job on a name with a colon or a file over 2 GiB, drops names that are not
 * UTF-8 and skips names starting with {@code _} or {@code .}.
 *
 * <p>Inputs on other file systems ({@code hdfs://}, {@code s3a://}) are listed by Spark's {@code
 * binaryFile} reader when the job runs, with their glob characters escaped ({@link #literal}).
 */
public final class ScoreInputs {

    private static final Pattern HADOOP_URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");
    private static final Pattern GLOB_CHARACTER = Pattern.compile("[\\\\*?\\[\\]{}]");

    private final List<Path> localRoots;
    private final List<Path> localFiles;
    private final List<String> remote;

    private ScoreInputs(List<Path> localRoots, List<Path> localFiles, List<String> remote) {
        this.localRoots = List.copyOf(localRoots);
        this.localFiles = List.copyOf(localFiles);
        this.remote = List.copyOf(remote);
    }

    /**
     * Lists the local inputs now; remote ones are kept for Spark.
     *
     * @throws ScoreArgumentException for a local input that does not exist or cannot be listed, or
     *     when local inputs alone hold no image file
     */
    public static ScoreInputs list(List<String> inputs) {
        if (inputs.isEmpty()) {
            throw new ScoreArgumentException("at least one --input is needed");
        }
        List<Path> roots = new ArrayList<>();
        Set<Path> files = new LinkedHashSet<>(); // an input given twice is listed once
        List<String> remote = new ArrayList<>();
        for (String input : inputs) {
            if (!isLocal(input)) {
                remote.add(input);
                continue;
            }
            Path path = localPath(input).toAbsolutePath().normalize();
            if (!Files.exists(path) && !Files.isSymbolicLink(path)) {
                throw new ScoreArgumentException(
                        "--input " + input + ": not found" + globHint(input));
            }
            roots.add(realPath(path, input));
            if (Files.isDirectory(path)) {
                files.addAll(imagesUnder(path, input));
            } else {
                files.add(path); // named explicitly: taken whatever it is, as classify does
            }
        }
        if (remote.isEmpty() && files.isEmpty()) {
            throw new ScoreArgumentException(
                    "no image files (.jpg, .jpeg, .png, .bmp) under --input "
                            + String.join(", ", inputs));
        }
        return new ScoreInputs(roots, List.copyOf(files), remote);
    }

    /** The local inputs as given, links resolved: what an output must not overlap. */
    public List<Path> localRoots() {
        return localRoots;
    }

    /** Every local file to score, absolute, in input order (each directory's files sorted). */
    public List<Path> localFiles() {
        return localFiles;
    }

    /** Inputs on other file systems, as given. */
    public List<String> remote() {
        return remote;
    }

    /**
     * Whether {@code location} names this machine's file system: no scheme, or {@code file:}. A
     * name with a colon but no {@code ://} ({@code colon:x.jpg}) is a local path.
     */
    public static boolean isLocal(String location) {
        return location.regionMatches(true, 0, "file:", 0, 5)
                || !HADOOP_URI.matcher(location).matches();
    }

    /** A local location (see {@link #isLocal}) as a path. */
    public static Path localPath(String location) {
        if (location.regionMatches(true, 0, "file:", 0, 5)) {
            try {
                return Path.of(URI.create(location));
            } catch (IllegalArgumentException e) {
                throw new ScoreArgumentException(
                        location + ": not a valid file: URI (" + e.getMessage() + ")");
            }
        }
        return Path.of(location);
    }

    /**
     * A Hadoop path with its glob characters escaped, so that Spark's reader takes it literally
     * (Hadoop's glob syntax escapes with a backslash).
     */
    public static String literal(String path) {
        return GLOB_CHARACTER.matcher(path).replaceAll("\\\\$0");
    }

    /** How Spark names a local file in its {@code path} column: {@code file:} and the path. */
    public static String sparkName(Path file) {
        return "file:" + file;
    }

    private static String globHint(String input) {
        return GLOB_CHARACTER.matcher(input).find()
                ? " (paths are literal: glob patterns are not expanded; let the shell expand them,"
                        + " as in --input photos/*.jpg)"
                : "";
    }

    private static Path realPath(Path path, String input) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path; // a broken link: nothing lies inside it
        }
    }

    // The image entries under dir as classify lists them (ImageFiles), sorted.
    private static List<Path> imagesUnder(Path dir, String input) {
        try {
            return ImageFiles.imagesUnder(dir);
        } catch (AccessDeniedException e) {
            throw new ScoreArgumentException(
                    "--input " + input + ": cannot list " + e.getFile() + ": permission denied");
        } catch (IOException e) {
            throw new ScoreArgumentException("--input " + input + ": cannot list it: " + e);
        }
    }
}
