package dev.catsdogs.spark;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where {@code score} writes, and the rule for what it may replace. The output must not exist, be
 * an empty directory, or (with {@code --overwrite}) be an earlier score output: a directory that
 * holds Spark's {@value #SUCCESS} and our {@value #METADATA} and nothing score does not write.
 * Anything else is refused before Spark starts, and nothing is touched.
 *
 * <p>The job writes into a hidden temporary directory beside the output (in its deepest existing
 * ancestor when parents are missing), created by {@link #prepare}, which also proves the place is
 * writable. {@link #commit} renames the new output into place, and only then deletes the earlier
 * one; {@link #abort} (a failed or interrupted job) deletes the temporary directory, so the earlier
 * output stays as it was and no empty directory is left behind. If the JVM dies before either, the
 * file system deletes the temporary directory when it is closed at exit.
 *
 * <p>One implementation for every Hadoop file system: local outputs go through Hadoop's local file
 * system, the one Spark writes them with.
 */
public final class ScoreOutput {

    /** Our metadata file: with {@value #SUCCESS}, it marks a directory as a score output. */
    public static final String METADATA = "_catsdogs-score.json";

    /** Spark's marker of a committed write. */
    public static final String SUCCESS = "_SUCCESS";

    // The member of METADATA that says which program wrote the directory.
    private static final String WRITTEN_BY_KEY = "written_by";
    private static final String WRITTEN_BY = "catsdogs score";
    private static final int MAX_METADATA_BYTES = 1 << 20;

    // What a score output holds: Spark's part files and commit marker, our metadata, and the
    // checksum files Hadoop's local file system writes beside each (".part-0.parquet.crc").
    private static final Pattern SCORE_FILE =
            Pattern.compile(
                    "\\.?(part-.+|" + SUCCESS + "|" + Pattern.quote(METADATA) + ")(\\.crc)?");

    private final String given;
    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final Path staged;
    private boolean done;

    private ScoreOutput(String given, FileSystem fs, Path target, Path temp) {
        this.given = given;
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.staged = new Path(temp, "output");
    }

    /**
     * Checks that {@code output} may be written (see the class documentation) and does not overlap
     * an input, then creates the temporary directory the job writes into.
     *
     * @param hadoopConf the configuration of the output's file system (Spark's, for non-local
     *     outputs)
     * @throws ScoreArgumentException naming the output and what is in the way; nothing is written
     */
    public static ScoreOutput prepare(
            String output, boolean overwrite, ScoreInputs inputs, Configuration hadoopConf) {
        Path target;
        FileSystem fs;
        try {
            if (ScoreInputs.isLocal(output)) {
                java.nio.file.Path local =
                        ScoreInputs.localPath(output).toAbsolutePath().normalize();
                checkNotOverlapping(output, local, inputs);
                fs = FileSystem.getLocal(hadoopConf);
                target = fs.makeQualified(new Path(ScoreInputs.sparkName(local)));
            } else {
                target = new Path(output);
                fs = target.getFileSystem(hadoopConf);
                target = fs.makeQualified(target);
                checkNotOverlapping(output, target, inputs, hadoopConf);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ScoreArgumentException("--output " + output + ": cannot be used (" + e + ")");
        }
        checkReplaceable(output, fs, target, overwrite);
        Path ancestor = existingAncestor(output, fs, target);
        Path temp =
                new Path(
                        ancestor,
                        "."
                                + firstMissing(ancestor, target).getName()
                                + ".catsdogs-score-"
                                + UUID.randomUUID()
                                + ".tmp");
        String cannotWrite = "--output " + output + ": cannot write in " + pathOf(ancestor);
        try {
            if (!fs.mkdirs(temp)) { // the local file system says no more than that
                throw new ScoreArgumentException(cannotWrite + " (read-only or no permission)");
            }
            fs.deleteOnExit(temp);
        } catch (IOException e) {
            throw new ScoreArgumentException(cannotWrite + " (" + e.getMessage() + ")");
        }
        return new ScoreOutput(output, fs, target, temp);
    }

    /** The output as the user gave it. */
    public String given() {
        return given;
    }

    /** Where the job writes: a directory inside the temporary one, as a Hadoop path string. */
    public String stagedPath() {
        return staged.toString();
    }

    /** Where the output will be, qualified. */
    public String targetPath() {
        return target.toString();
    }

    /**
     * Puts the job's output in place: writes {@value #METADATA} ({@code written_by} first, then
     * {@code metadata}), checks again that an existing output may be replaced (it may have changed
     * while the job ran), moves it aside, renames the new one into place, then deletes the old one.
     *
     * @param metadata what to record about the run, as JSON members
     * @throws IOException if the output could not be put in place; the earlier output is then where
     *     it was and the temporary directory is gone
     * @throws ScoreArgumentException if the existing output may no longer be replaced
     */
    public void commit(Map<String, Object> metadata) throws IOException {
        if (done) {
            throw new IllegalStateException(
                    "output " + given + " was already committed or aborted");
        }
        try {
            Map<String, Object> members = new LinkedHashMap<>();
            members.put(WRITTEN_BY_KEY, WRITTEN_BY);
            members.putAll(metadata);
            try (OutputStream out = fs.create(new Path(staged, METADATA), false)) {
                out.write((new Gson().toJson(members) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Path previous = new Path(temp, "previous");
            boolean replacing = fs.exists(target);
            if (replacing) {
                checkReplaceable(given, fs, target, true);
                if (!fs.rename(target, previous)) {
                    throw new IOException("could not move the earlier output aside");
                }
            } else {
                fs.mkdirs(target.getParent());
            }
            if (!fs.rename(staged, target)) {
                if (replacing && !fs.rename(previous, target)) {
                    done = true; // keep the temporary directory: the earlier output is in it
                    throw new IOException(
                            "could not rename the new output into place, nor the earlier one back;"
                                    + " the earlier output is in "
                                    + pathOf(previous));
                }
                throw new IOException("could not rename the new output into place");
            }
        } finally {
            abort(); // the temporary directory goes, with the earlier output if it was replaced
        }
    }

    /** Deletes the temporary directory; the earlier output, if any, is untouched. Idempotent. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        try {
            fs.delete(temp, true);
            fs.cancelDeleteOnExit(temp);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the temporary output " + temp, e);
        }
    }

    private static void checkReplaceable(
            String output, FileSystem fs, Path target, boolean overwrite) {
        FileStatus status;
        List<String> others = new ArrayList<>();
        boolean success = false;
        boolean metadata = false;
        try {
            try {
                status = fs.getFileStatus(target);
            } catch (FileNotFoundException e) {
                return;
            }
            if (!status.isDirectory()) {
                throw new ScoreArgumentException(
                        "--output "
                                + output
                                + ": exists and is not a directory (score writes a directory)");
            }
            FileStatus[] entries = fs.listStatus(target);
            if (entries.length == 0) {
                return;
            }
            for (FileStatus entry : entries) {
                String name = entry.getPath().getName();
                success |= name.equals(SUCCESS);
                metadata |= name.equals(METADATA) && isOurMetadata(fs, entry);
                if (entry.isDirectory() || !SCORE_FILE.matcher(name).matches()) {
                    others.add(name);
                }
            }
        } catch (IOException e) {
            throw new ScoreArgumentException("--output " + output + ": cannot be read (" + e + ")");
        }
        if (!others.isEmpty() || !(success && metadata)) {
            List<String> shown = others.stream().sorted().limit(5).toList();
            String why =
                    !others.isEmpty()
                            ? "it holds "
                                    + String.join(", ", shown)
                                    + (others.size() > 5 ? ", ..." : "")
                            : !metadata
                                    ? "it has no " + METADATA + " written by score"
                                    : "it has no " + SUCCESS + ": its job did not finish";
            throw new ScoreArgumentException(
                    "--output "
                            + output
                            + ": exists and is not a score output ("
                            + why
                            + "); choose a new directory: --overwrite only replaces an earlier"
                            + " score output");
        }
        if (!overwrite) {
            throw new ScoreArgumentException(
                    "--output "
                            + output
                            + ": already exists (an earlier score output); pass --overwrite to"
                            + " replace it");
        }
    }

    private static boolean isOurMetadata(FileSystem fs, FileStatus file) throws IOException {
        if (file.getLen() > MAX_METADATA_BYTES) {
            return false;
        }
        byte[] bytes = new byte[(int) file.getLen()];
        try (FSDataInputStream in = fs.open(file.getPath())) {
            in.readFully(bytes);
        }
        try {
            JsonElement json = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            return json.isJsonObject()
                    && json.getAsJsonObject().get(WRITTEN_BY_KEY) instanceof JsonPrimitive p
                    && p.isString()
                    && p.getAsString().equals(WRITTEN_BY);
        } catch (JsonParseException e) {
            return false;
        }
    }

    // The output's nearest ancestor that exists; it must be a directory.
    private static Path existingAncestor(String output, FileSystem fs, Path target) {
        try {
            Path ancestor = target.getParent();
            while (ancestor != null && !fs.exists(ancestor)) {
                ancestor = ancestor.getParent();
            }
            if (ancestor == null) {
                throw new ScoreArgumentException("--output " + output + ": no parent exists");
            }
            if (!fs.getFileStatus(ancestor).isDirectory()) {
                throw new ScoreArgumentException(
                        "--output " + output + ": " + pathOf(ancestor) + " is not a directory");
            }
            return ancestor;
        } catch (IOException e) {
            throw new ScoreArgumentException("--output " + output + ": cannot be used (" + e + ")");
        }
    }

    // The child of ancestor on the way to target: the name the temporary directory is named after.
    private static Path firstMissing(Path ancestor, Path target) {
        Path p = target;
        while (p.getParent() != null && !p.getParent().equals(ancestor)) {
            p = p.getParent();
        }
        return p;
    }

    // A local path without its "file:" scheme, for messages; other file systems as URIs.
    private static String pathOf(Path path) {
        return "file".equals(path.toUri().getScheme()) ? path.toUri().getPath() : path.toString();
    }

    private static void checkNotOverlapping(
            String output, java.nio.file.Path local, ScoreInputs inputs) {
        java.nio.file.Path real = realPathOfPossiblyMissing(local);
        for (java.nio.file.Path input : inputs.localRoots()) {
            overlap(output, real, input, input.toString());
        }
    }

    private static void checkNotOverlapping(
            String output, Path target, ScoreInputs inputs, Configuration hadoopConf)
            throws IOException {
        java.nio.file.Path out = java.nio.file.Path.of(target.toUri().getPath());
        for (String input : inputs.remote()) {
            Path in = new Path(input);
            in = in.getFileSystem(hadoopConf).makeQualified(in);
            if (sameFileSystem(in, target)) {
                overlap(output, out, java.nio.file.Path.of(in.toUri().getPath()), input);
            }
        }
    }

    private static boolean sameFileSystem(Path a, Path b) {
        return String.valueOf(a.toUri().getScheme()).equals(String.valueOf(b.toUri().getScheme()))
                && String.valueOf(a.toUri().getAuthority())
                        .equals(String.valueOf(b.toUri().getAuthority()));
    }

    private static void overlap(
            String output, java.nio.file.Path out, java.nio.file.Path input, String inputName) {
        String problem =
                out.equals(input)
                        ? "is the same path as --input " + inputName
                        : out.startsWith(input)
                                ? "lies inside --input " + inputName
                                : input.startsWith(out) ? "contains --input " + inputName : null;
        if (problem != null) {
            throw new ScoreArgumentException(
                    "--output "
                            + output
                            + " "
                            + problem
                            + " (links resolved); choose an output outside the inputs");
        }
    }

    // Links resolved in the part that exists; the missing rest appended as written.
    private static java.nio.file.Path realPathOfPossiblyMissing(java.nio.file.Path path) {
        java.nio.file.Path existing = path;
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path)).normalize();
        } catch (IOException e) {
            return path;
        }
    }
}
