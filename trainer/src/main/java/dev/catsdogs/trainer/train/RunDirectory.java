package dev.catsdogs.trainer.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.model.KerasPadding;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A run directory: the one reader and writer of the files a training run leaves ({@code
 * config.json}, {@code report.json}, {@code model.params}, ...), so that no other class knows their
 * names or keys. Every read error names the file and what is wrong with it.
 */
public final class RunDirectory implements AutoCloseable {

    public static final String CONFIG = "config.json";
    public static final String REPORT = "report.json";
    public static final String HISTORY = "history.csv";
    public static final String CURVES = "curves.png";
    public static final String SAMPLES = "samples.png";
    public static final String SUMMARY = "summary.txt";
    public static final String PARAMETERS = "model.params";

    /** Everything {@code train --resume} continues from ({@link CheckpointFile}). */
    public static final String CHECKPOINT = "checkpoint.bin";

    /** The exported model's mistakes with their activation maps ({@link ErrorPictures}). */
    public static final String ERRORS = "errors.png";

    /** The exported model's confusion matrix. */
    public static final String CONFUSION = "confusion.png";

    /** The float32 NCHW export. */
    public static final String MODEL = "model.onnx";

    /** The export taking uint8 NHWC pixels ({@code --with-preprocessing}). */
    public static final String MODEL_UINT8 = "model-uint8.onnx";

    /** The int8 QDQ export ({@code --int8}). */
    public static final String MODEL_INT8 = "model-int8.onnx";

    // Keys this class adds to config.json next to TrainingConfig's own.
    private static final String WEIGHTS_FILE = "weights_file";
    private static final String DATA_ROOT = "data_root";
    private static final String CLASSES = "classes";
    private static final String VERSIONS = "versions";
    // Also report.json's key for it (RunReport): one name in both files.
    static final String TRAINING_DEVICE = "training_device";

    private final Path dir;
    private final RunLock lock; // null: opened to read

    private RunDirectory(Path dir, RunLock lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /** Every file a run writes: what {@code --overwrite} may remove. */
    private static final Set<String> RUN_FILES =
            Set.of(
                    CONFIG,
                    REPORT,
                    HISTORY,
                    CURVES,
                    SAMPLES,
                    SUMMARY,
                    PARAMETERS,
                    CHECKPOINT,
                    ERRORS,
                    CONFUSION,
                    MODEL,
                    MODEL_UINT8,
                    MODEL_INT8);

    // Temporary files of AtomicFiles (".model.params.k3j9.tmp") and of the export's parity check
    // (".model.onnx.k3j9.candidate"), left behind only when the process was killed.
    private static final Pattern STALE = Pattern.compile("\\..+\\.[0-9a-z]+\\.(tmp|candidate)");

    /**
     * Checks, before any work, that a new run may write to {@code dir}: it is missing, empty, or
     * (with {@code overwrite}) holds only files a run writes.
     *
     * @throws IllegalArgumentException saying what is in the way and what to do
     * @return {@code dir}
     */
    public static Path checkCanCreate(Path dir, boolean overwrite) {
        if (!Files.exists(dir)) {
            return dir;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": exists and is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(dir + ": the directory is not writable");
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(e -> names.add(e.getFileName().toString()));
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot be listed (" + e + ")", e);
        }
        names.removeIf(n -> STALE.matcher(n).matches() || n.equals(RunLock.FILE));
        if (names.isEmpty()) {
            return dir;
        }
        List<String> foreign = names.stream().filter(n -> !RUN_FILES.contains(n)).sorted().toList();
        if (!overwrite) {
            throw new IllegalArgumentException(
                    dir
                            + ": not empty ("
                            + String.join(", ", names.stream().sorted().limit(5).toList())
                            + (names.size() > 5 ? ", ..." : "")
                            + "); choose a new directory, or pass --overwrite to replace an"
                            + " earlier run's files");
        }
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException(
                    dir
                            + ": holds files a run does not write ("
                            + String.join(", ", foreign.stream().limit(5).toList())
                            + (foreign.size() > 5 ? ", ..." : "")
                            + "); --overwrite only replaces a run directory");
        }
        return dir;
    }

    /**
     * A new run's directory, created with its parents if missing and locked for this process
     * ({@link RunLock}) until {@link #close()}; with {@code overwrite}, an earlier run's files in
     * it are removed first (see {@link #checkCanCreate}).
     *
     * @throws IllegalArgumentException when the directory may not be used or cannot be created
     * @throws IllegalStateException naming the holder when another process writes it
     */
    public static RunDirectory create(Path dir, boolean overwrite) throws IOException {
        checkCanCreate(dir, overwrite);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    dir + ": cannot create the directory (" + reason(e) + ")", e);
        }
        RunLock lock = RunLock.acquire(dir, "train");
        try {
            checkCanCreate(dir, overwrite); // again: another run may have written before the lock
            RunDirectory run = new RunDirectory(dir, lock);
            run.removeStaleTemporaries();
            for (String name : RUN_FILES) {
                Files.deleteIfExists(dir.resolve(name));
            }
            return run;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A directory to write a run into, as is; for tests and tools that manage it themselves. */
    public static RunDirectory create(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new RunDirectory(dir, null);
    }

    // The file system's reason without the exception's class name.
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * Deletes temporary files that a killed process left (an interrupted one removes its own).
     *
     * @return how many were removed
     */
    public int removeStaleTemporaries() throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (STALE.matcher(entry.getFileName().toString()).matches()
                        && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(entry);
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * An existing run's directory.
     *
     * @throws IOException naming {@code dir} when it holds no {@value #CONFIG}
     */
    public static RunDirectory open(Path dir) throws IOException {
        requireConfig(dir);
        return new RunDirectory(dir, null); // temporaries may be a writer's: only it removes them
    }

    /**
     * An existing run's directory, locked for {@code command} (e.g. {@code export}) until {@link
     * #close()}, so that it never writes into a run that another process is training or exporting.
     *
     * @throws IOException naming {@code dir} when it holds no {@value #CONFIG}
     * @throws IllegalStateException naming the holder when another process writes it
     */
    public static RunDirectory openToWrite(Path dir, String command) throws IOException {
        requireConfig(dir);
        RunLock lock = RunLock.acquire(dir, command);
        try {
            RunDirectory run = new RunDirectory(dir, lock);
            run.removeStaleTemporaries();
            return run;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static void requireConfig(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new IOException(
                    dir + ": not a run directory written by 'catsdogs train' (no " + CONFIG + ")");
        }
    }

    /** Releases this process's lock on the directory, if it holds one; idempotent. */
    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.close();
        }
    }

    /** The directory itself. */
    public Path path() {
        return dir;
    }

    /** One of the files named by this class's constants. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** A fresh report ({@code "status": "running"}) for a run about to start. */
    public RunReport newReport() {
        return new RunReport(file(REPORT));
    }

    /**
     * Writes {@value #CONFIG}: the settings, plus what they resolved to, the versions and where
     * training runs.
     */
    public void writeConfig(
            TrainingConfig config,
            Path weightsFile,
            Dataset dataset,
            Map<String, String> versions,
            String trainingDevice)
            throws IOException {
        JsonObject json = Json.gson().toJsonTree(config).getAsJsonObject();
        json.addProperty(WEIGHTS_FILE, weightsFile.toString());
        json.addProperty(DATA_ROOT, dataset.root().toString());
        json.add(CLASSES, Json.gson().toJsonTree(dataset.classNames()));
        json.add(VERSIONS, Json.gson().toJsonTree(versions));
        json.addProperty(TRAINING_DEVICE, trainingDevice);
        AtomicFiles.writeString(file(CONFIG), Json.gson().toJson(json) + "\n");
    }

    /** The ImageNet weights file the run started from. */
    public Path weightsFile() throws IOException {
        JsonElement file = readJson(CONFIG).get(WEIGHTS_FILE);
        if (file == null || !file.isJsonPrimitive()) {
            throw new IOException(file(CONFIG) + ": no " + WEIGHTS_FILE);
        }
        return Path.of(file.getAsString());
    }

    /** The report's status: running, completed, interrupted or failed; "unknown" without one. */
    public String status() throws IOException {
        if (!Files.isRegularFile(file(REPORT))) {
            return "unknown";
        }
        JsonElement status = readJson(REPORT).get("status");
        return status == null || !status.isJsonPrimitive() ? "unknown" : status.getAsString();
    }

    /** Adds to {@value #CONFIG} that the run was resumed now, on {@code trainingDevice}. */
    public void recordResumption(String trainingDevice) throws IOException {
        JsonObject json = readJson(CONFIG);
        JsonObject resumed = new JsonObject();
        resumed.addProperty("at", java.time.Instant.now().toString());
        resumed.addProperty(TRAINING_DEVICE, trainingDevice);
        com.google.gson.JsonArray all =
                json.has("resumed")
                        ? json.getAsJsonArray("resumed")
                        : new com.google.gson.JsonArray();
        all.add(resumed);
        json.add("resumed", all);
        AtomicFiles.writeString(file(CONFIG), Json.gson().toJson(json) + "\n");
    }

    /** The run's settings. */
    public TrainingConfig readConfig() throws IOException {
        JsonObject json = readJson(CONFIG);
        try {
            return FlatConfig.isFlat(json)
                    ? Json.gson().fromJson(json, FlatConfig.class).toConfig()
                    : Json.gson().fromJson(json, TrainingConfig.class);
        } catch (RuntimeException e) { // Gson's parse errors, or a setting the record refuses
            throw new IOException(
                    file(CONFIG) + ": not a valid run configuration (" + e.getMessage() + ")", e);
        }
    }

    /** Where the run's images were. */
    public Path dataRoot() throws IOException {
        return Path.of(requiredString(readJson(CONFIG), DATA_ROOT, CONFIG));
    }

    /** The class names the run trained, in label order. */
    public List<String> classNames() throws IOException {
        JsonElement classes = readJson(CONFIG).get(CLASSES);
        if (classes == null || !classes.isJsonArray()) {
            throw new IOException(file(CONFIG) + ": no '" + CLASSES + "' list");
        }
        List<String> names = new ArrayList<>();
        classes.getAsJsonArray().forEach(e -> names.add(e.getAsString()));
        return names;
    }

    /** The report as last written. */
    public JsonObject readReport() throws IOException {
        return readJson(REPORT);
    }

    /**
     * The report as last written, to add to and write again; an empty one when the run has none.
     */
    public RunReport existingReport() throws IOException {
        return RunReport.resume(
                file(REPORT), Files.isRegularFile(file(REPORT)) ? readReport() : new JsonObject());
    }

    /**
     * How the network pads stride-2 convolutions (the imported weights decide); Keras' by default.
     */
    public KerasPadding.Style paddingStyle() throws IOException {
        if (!Files.isRegularFile(file(REPORT))) {
            return KerasPadding.Style.KERAS;
        }
        JsonObject model = readReport().getAsJsonObject(RunReport.MODEL);
        if (model == null || !model.has(RunReport.PADDING_STYLE)) {
            return KerasPadding.Style.KERAS;
        }
        String style = model.get(RunReport.PADDING_STYLE).getAsString();
        try {
            return KerasPadding.Style.valueOf(style);
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    file(REPORT) + ": unknown model.padding_style '" + style + "'", e);
        }
    }

    /**
     * The validation (and test) accuracies the report holds, keyed {@code
     * feature_extraction.val_accuracy}, {@code fine_tuning.val_accuracy}, {@code test.accuracy};
     * empty before the first report is written.
     */
    public Map<String, String> accuracies() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file(REPORT))) {
            return out; // nothing measured yet
        }
        JsonObject report = readReport();
        for (String[] key :
                new String[][] {
                    {Phase.FEATURE_EXTRACTION.key(), "val_accuracy"},
                    {Phase.FINE_TUNING.key(), "val_accuracy"},
                    {TrainingListener.Stage.TEST.key(), "accuracy"}
                }) {
            JsonObject section = report.getAsJsonObject(key[0]);
            if (section != null && section.has(key[1])) {
                out.put(key[0] + "." + key[1], section.get(key[1]).getAsString());
            }
        }
        return out;
    }

    /** Writes the network's parameters atomically. */
    public void saveParameters(TransferNetwork network) throws IOException {
        AtomicFiles.write(
                file(PARAMETERS),
                stream -> {
                    DataOutputStream data = new DataOutputStream(stream);
                    network.saveParameters(data);
                    data.flush();
                });
    }

    /**
     * The trained network: built as the run built it (input size, padding, classes) and loaded from
     * {@value #PARAMETERS}; its arrays belong to {@code manager}.
     */
    public TransferNetwork loadNetwork(NDManager manager) throws IOException {
        Path params = file(PARAMETERS);
        if (!Files.isRegularFile(params)) {
            throw new IOException(params + ": no trained parameters in this run directory");
        }
        TransferNetwork network =
                TransferNetwork.initialized(
                        readConfig().data().imageSize(),
                        paddingStyle(),
                        classNames().size(),
                        0f, // dropout acts in training only
                        manager);
        try (InputStream in = Files.newInputStream(params)) {
            network.loadParameters(manager, new DataInputStream(in));
        } catch (EOFException e) {
            throw new IOException(params + ": ends early (truncated?); train again", e);
        } catch (MalformedModelException | IOException e) {
            throw new IOException(
                    params + ": not the parameters of this run's network (" + e.getMessage() + ")",
                    e);
        }
        return network;
    }

    private JsonObject readJson(String name) throws IOException {
        Path path = file(name);
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": not found in the run directory");
        }
        try {
            return JsonParser.parseString(Files.readString(path)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException(path + ": not valid JSON (" + cause.getMessage() + ")", e);
        }
    }

    private String requiredString(JsonObject json, String key, String name) throws IOException {
        JsonElement value = json.get(key);
        if (value == null || !value.isJsonPrimitive()) {
            throw new IOException(file(name) + ": no '" + key + "'");
        }
        return value.getAsString();
    }
}
