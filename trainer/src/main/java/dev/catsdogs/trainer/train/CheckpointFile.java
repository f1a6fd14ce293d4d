package dev.catsdogs.trainer.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import dev.catsdogs.inference.internal.AtomicFiles;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.OptimizerState;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code checkpoint.bin}: everything a run needs to continue after its last completed epoch, in one
 * file written atomically (temporary file, then rename), so that a kill at any moment leaves the
 * previous checkpoint whole. It holds a JSON header (the {@link TrainingState} without its tensors,
 * the product version and the data's fingerprint), the network's parameters, the optimizer's state
 * and the best weights of early stopping.
 */
public final class CheckpointFile {

    private static final String MAGIC = "catsdogs-checkpoint";
    private static final int FORMAT = 1;

    // NaN losses (an empty split) are legal here: this file is read only by this class.
    private static final Gson GSON =
            new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private CheckpointFile() {}

    /** What identifies the run's inputs besides the state: refused on resume when it changed. */
    public record Origin(String version, String dataFingerprint) {}

    /** A checkpoint read back: its origin and state; the network's parameters were loaded. */
    public record Contents(Origin origin, TrainingState state) {}

    /** Writes a checkpoint of {@code network} in {@code state} atomically. */
    public static void write(Path file, Origin origin, TransferNetwork network, TrainingState state)
            throws IOException {
        JsonObject header = new JsonObject();
        header.addProperty("format", FORMAT);
        header.add("origin", GSON.toJsonTree(origin));
        header.addProperty("epochs_done", state.epochsDone());
        header.addProperty("phase", state.phase().name());
        header.addProperty("phase_finished", state.phaseFinished());
        header.add("early_stopping", GSON.toJsonTree(state.earlyStopping()));
        header.add("history", GSON.toJsonTree(state.history()));
        OptimizerState optimizer = state.optimizer();
        header.addProperty("optimizer_steps", optimizer == null ? -1 : optimizer.steps());
        header.addProperty("optimizer_slots", optimizer == null ? 0 : optimizer.slots());
        if (optimizer != null && optimizer.lossScale() != null) {
            header.add("loss_scale", GSON.toJsonTree(optimizer.lossScale()));
        }
        AtomicFiles.write(
                file,
                stream -> {
                    DataOutputStream out = new DataOutputStream(stream);
                    out.writeUTF(MAGIC);
                    writeBlock(out, GSON.toJson(header).getBytes(StandardCharsets.UTF_8));
                    ByteArrayOutputStream parameters = new ByteArrayOutputStream();
                    DataOutputStream params = new DataOutputStream(parameters);
                    network.saveParameters(params);
                    params.flush();
                    writeBlock(out, parameters.toByteArray());
                    writeBlock(out, optimizer == null ? new byte[0] : optimizer.tensors().encode());
                    NDList best = state.bestWeights();
                    writeBlock(out, best == null ? new byte[0] : best.encode());
                    out.flush();
                });
    }

    /**
     * The version and data a checkpoint was written with, read from its header alone.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static Origin readOrigin(Path file) throws IOException {
        try (InputStream stream = Files.newInputStream(file)) {
            return GSON.fromJson(
                    header(file, new DataInputStream(stream)).get("origin"), Origin.class);
        } catch (EOFException e) {
            throw new IOException(file + ": ends early (truncated?)", e);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new IOException(file + ": damaged (" + e.getMessage() + ")", e);
        }
    }

    private static JsonObject header(Path file, DataInputStream in) throws IOException {
        if (!MAGIC.equals(in.readUTF())) {
            throw new IOException(file + ": not a catsdogs checkpoint");
        }
        JsonObject header =
                GSON.fromJson(new String(readBlock(in), StandardCharsets.UTF_8), JsonObject.class);
        if (header.get("format").getAsInt() != FORMAT) {
            throw new IOException(
                    file + ": checkpoint format " + header.get("format") + ", expected " + FORMAT);
        }
        return header;
    }

    /**
     * Reads a checkpoint: loads its parameters into {@code network} and returns the rest, its
     * tensors owned by {@code manager}.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static Contents read(Path file, TransferNetwork network, NDManager manager)
            throws IOException {
        try (InputStream stream = Files.newInputStream(file)) {
            DataInputStream in = new DataInputStream(stream);
            if (!MAGIC.equals(in.readUTF())) {
                throw new IOException(file + ": not a catsdogs checkpoint");
            }
            JsonObject header =
                    GSON.fromJson(
                            new String(readBlock(in), StandardCharsets.UTF_8), JsonObject.class);
            if (header.get("format").getAsInt() != FORMAT) {
                throw new IOException(
                        file
                                + ": checkpoint format "
                                + header.get("format")
                                + ", expected "
                                + FORMAT);
            }
            try (DataInputStream params =
                    new DataInputStream(new java.io.ByteArrayInputStream(readBlock(in)))) {
                network.loadParameters(manager, params);
            }
            byte[] optimizerBytes = readBlock(in);
            byte[] bestBytes = readBlock(in);
            long steps = header.get("optimizer_steps").getAsLong();
            OptimizerState optimizer =
                    steps < 0
                            ? null
                            : new OptimizerState(
                                    steps,
                                    header.get("optimizer_slots").getAsInt(),
                                    NDList.decode(manager, optimizerBytes),
                                    GSON.fromJson(
                                            header.get("loss_scale"),
                                            OptimizerState.LossScale.class));
            NDList best = bestBytes.length == 0 ? null : NDList.decode(manager, bestBytes);
            List<EpochRecord> history =
                    GSON.fromJson(header.get("history"), new TypeToken<List<EpochRecord>>() {});
            TrainingState state =
                    new TrainingState(
                            header.get("epochs_done").getAsInt(),
                            Phase.valueOf(header.get("phase").getAsString()),
                            header.get("phase_finished").getAsBoolean(),
                            GSON.fromJson(header.get("early_stopping"), EarlyStopping.State.class),
                            history,
                            optimizer,
                            best);
            return new Contents(GSON.fromJson(header.get("origin"), Origin.class), state);
        } catch (NoSuchFileException e) {
            throw new IOException(
                    file.getParent()
                            + ": no checkpoint in this run directory (it was written by a version"
                            + " without resume, or stopped before its first epoch)",
                    e);
        } catch (EOFException e) {
            throw new IOException(file + ": ends early (truncated?)", e);
        } catch (MalformedModelException | JsonParseException | IllegalArgumentException e) {
            throw new IOException(file + ": damaged (" + e.getMessage() + ")", e);
        }
    }

    private static void writeBlock(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeLong(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBlock(DataInputStream in) throws IOException {
        long length = in.readLong();
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IOException("a block of " + length + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        in.readFully(bytes);
        return bytes;
    }
}
