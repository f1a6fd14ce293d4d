package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.catsdogs.trainer.model.KerasPadding;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.OptimizerState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a checkpoint keeps of the optimizer, float16's loss scale included. */
class CheckpointFileTest {

    @TempDir Path dir;

    @Test
    void theOptimizerStateAndLossScaleRoundTrip() throws Exception {
        OptimizerState.LossScale scale = new OptimizerState.LossScale(4096f, 17, 3);
        Read read = roundTrip(scale);
        assertEquals(12, read.steps());
        assertEquals(1, read.slots());
        assertArrayEquals(new float[] {1f, 2f}, read.tensor());
        assertEquals(scale, read.lossScale());
    }

    @Test
    void aStateWithoutLossScalingReadsWithout() throws Exception {
        assertNull(roundTrip(null).lossScale());
    }

    /** The optimizer state read back, copied out of the arrays' manager. */
    private record Read(
            long steps, int slots, float[] tensor, OptimizerState.LossScale lossScale) {}

    private Read roundTrip(OptimizerState.LossScale scale) throws Exception {
        Path file = dir.resolve("checkpoint.bin");
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network =
                    TransferNetwork.initialized(32, KerasPadding.Style.KERAS, 2, 0f, manager);
            OptimizerState optimizer =
                    new OptimizerState(
                            12, 1, new NDList(manager.create(new float[] {1f, 2f})), scale);
            TrainingState state =
                    new TrainingState(
                            3,
                            Phase.FINE_TUNING,
                            false,
                            EarlyStopping.State.START,
                            List.of(),
                            optimizer,
                            null);
            CheckpointFile.write(file, new CheckpointFile.Origin("test", "data"), network, state);
            TransferNetwork other =
                    TransferNetwork.initialized(32, KerasPadding.Style.KERAS, 2, 0f, manager);
            OptimizerState read = CheckpointFile.read(file, other, manager).state().optimizer();
            return new Read(
                    read.steps(),
                    read.slots(),
                    read.tensors().head().toFloatArray(),
                    read.lossScale());
        }
    }
}
