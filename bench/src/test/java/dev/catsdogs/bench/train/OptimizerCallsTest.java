package dev.catsdogs.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.catsdogs.trainer.optimizer.FusedRmsProp;
import dev.catsdogs.trainer.optimizer.KerasRmsProp;
import dev.catsdogs.trainer.optimizer.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native operator calls of one RMSprop update, counted from libtorch's profiler as {@code
 * bench-train --profile} counts them: about eleven per parameter tensor for {@link KerasRmsProp}, a
 * handful for all of them with {@link FusedRmsProp}.
 */
class OptimizerCallsTest {

    private static final int TENSORS = 40;

    @TempDir Path dir;

    @Test
    void theFusedUpdateIssuesAHandfulOfCallsWhateverTheTensorCount() throws IOException {
        double unfused;
        double fused;
        try (Optimizer reference = KerasRmsProp.withDefaults(1e-3f)) {
            unfused = callsPerUpdate(reference, dir.resolve("unfused.json"));
        }
        try (Optimizer optimizer = new FusedRmsProp(1e-3f, 0.9f, 1e-7f)) {
            fused = callsPerUpdate(optimizer, dir.resolve("fused.json"));
        }
        assertTrue(unfused >= 10 * TENSORS, "KerasRmsProp: " + unfused + " calls per update");
        assertTrue(fused <= 12, "fused: " + fused + " calls per update");
    }

    /** Calls per update over 2 profiled updates of {@link #TENSORS} parameters, after one. */
    private static double callsPerUpdate(Optimizer optimizer, Path trace) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Parameter> parameters = new ArrayList<>();
            for (int i = 0; i < TENSORS; i++) {
                NDArray w = manager.randomNormal(new Shape(8, i + 1));
                w.setRequiresGradient(true);
                Parameter p =
                        Parameter.builder().setName("p" + i).setType(Parameter.Type.WEIGHT).build();
                p.setArray(w);
                parameters.add(p);
            }
            backward(parameters);
            optimizer.step(parameters); // creates the state: not part of a steady update
            backward(parameters);
            JniUtils.startProfile(false, false, false);
            try {
                optimizer.step(parameters);
                optimizer.step(parameters);
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            TraceSummary summary = TraceSummary.read(trace, 2);
            assertEquals(summary.opsPerStep(), Math.rint(summary.opsPerStep()), "whole calls");
            return summary.opsPerStep();
        }
    }

    private static void backward(List<Parameter> parameters) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (Parameter p : parameters) {
                NDArray term = p.getArray().square().sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }
}
