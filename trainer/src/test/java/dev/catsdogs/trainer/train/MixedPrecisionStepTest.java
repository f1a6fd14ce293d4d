package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.device.CpuFeatures;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.KerasRmsProp;
import dev.catsdogs.trainer.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One training step in bfloat16 against the same step in float32, from the same weights and batch,
 * on the CPU: the network's top (block_16, Conv_1 and the head, every layer trainable) from a real
 * block_15 activation of two cats and two dogs, the small tensors a fine-tuning step starts from.
 *
 * <p>The tolerances. bfloat16 keeps 8 significant bits: a rounding errs by at most u = 2^-9
 * relative. On the way to the logits a value is rounded about 20 times (the input cast; per
 * convolution, of which there are 4, its input, weight and output and the BatchNorm's output; the
 * pooling; the Dense layer's input, weight and output). To first order the errors add, so the
 * logits are within 20u = 3.9% of float32's (relative L2; independent roundings mostly cancel, to
 * about sqrt(20) u = 0.9%). The loss, a float32 function of the logits, is within the same 3.9%.
 * The gradient has no such count: where rounding moves an activation across ReLU6's 0 or 6 a whole
 * term switches on or off (measured: 4-8% relative L2, float16 2-3%). What a step needs is a
 * direction no worse than training's own noise, so the bound is a tenth of that noise: the bfloat16
 * gradient is closer to float32's than a tenth of the distance between the float32 gradients of two
 * different batches of four photos.
 *
 * <p>The master weights stay float32: parameters and gradients are float32 arrays, and after the
 * step the bfloat16 and float32 weights differ by at most what two RMSprop steps can (a gradient
 * sign flipped: 2 lr / sqrt(1 - rho)); bfloat16 weights would be off by up to 2^-9 of their value,
 * 100 times more. And switching a network back to float32 gives float32's logits bit for bit.
 */
class MixedPrecisionStepTest {

    private static final int SIZE = 96;
    private static final int BATCH = 4;
    private static final float LEARNING_RATE = 1e-5f;
    private static final double U = Math.pow(2, -9);

    /** What one step produced. */
    record Step(float loss, float[] logits, float[] gradient, List<float[]> weights) {}

    @Test
    void oneBf16StepIsFp32sWithinRounding() throws Exception {
        Assumptions.assumeTrue(
                CpuFeatures.current().nativeBf16(),
                "this CPU has neither AVX512-BF16 nor AMX-BF16: PyTorch emulates bfloat16 there,"
                        + " and the product refuses --precision bf16 on it");
        Engine.getInstance().setRandomSeed(42); // the head's initial weights
        try (NDManager manager = NDManager.newBaseManager()) {
            // Three copies of one network (ImageNet base, the same random head), stepped once each.
            TransferNetwork reference = TrainingFixture.network(manager, SIZE, null);
            TransferNetwork inBf16 = TrainingFixture.network(manager, SIZE, reference);
            TransferNetwork other = TrainingFixture.network(manager, SIZE, reference);
            int top = reference.base().layer("block_16_expand").index();
            float[] input = activationBefore(reference, manager, top, 0);
            float[] labels = {0, 0, 1, 1};
            List<float[]> before = trainableWeights(reference, top);
            Step fp32 = step(reference, manager, Precision.FP32, top, input, labels);
            Step bf16 = step(inBf16, manager, Precision.BF16, top, input, labels);
            // Training's own noise: the float32 gradient of two other cats and dogs.
            Step otherBatch =
                    step(
                            other,
                            manager,
                            Precision.FP32,
                            top,
                            activationBefore(other, manager, top, 10),
                            labels);
            double noise = relative(fp32.gradient(), otherBatch.gradient());

            double logits = relative(fp32.logits(), bf16.logits());
            double gradient = relative(fp32.gradient(), bf16.gradient());
            System.out.printf(
                    "one step from %s, bf16 against fp32 (relative L2): logits %.4f (bound %.4f),"
                            + " gradient %.4f (bound %.4f: a tenth of another batch's %.4f), loss"
                            + " %.5f vs %.5f%n",
                    reference.base().layers().get(top).name(),
                    logits,
                    20 * U,
                    gradient,
                    noise / 10,
                    noise,
                    fp32.loss(),
                    bf16.loss());
            assertTrue(logits <= 20 * U, "logits deviate by " + logits);
            assertTrue(gradient <= noise / 10, "the gradient deviates by " + gradient);
            assertEquals(fp32.loss(), bf16.loss(), 20 * U * fp32.loss(), "loss");
            assertTrue(logits > 0, "the bf16 step is not float32 in disguise");

            // Master weights: float32, one float32 update away from float32's own.
            double bound = 2 * LEARNING_RATE / Math.sqrt(1 - KerasRmsProp.DEFAULT_RHO) * 1.001;
            double worst = 0;
            double moved = 0;
            for (int i = 0; i < before.size(); i++) {
                for (int k = 0; k < before.get(i).length; k++) {
                    worst =
                            Math.max(
                                    worst,
                                    Math.abs(fp32.weights().get(i)[k] - bf16.weights().get(i)[k]));
                    moved = Math.max(moved, Math.abs(bf16.weights().get(i)[k] - before.get(i)[k]));
                }
            }
            assertTrue(worst <= bound, "weights differ by " + worst + " > " + bound);
            assertTrue(moved > LEARNING_RATE, "the bf16 step moved the weights by " + moved);
        }
    }

    @Test
    void backToFp32IsFp32BitForBit() throws Exception {
        Assumptions.assumeTrue(CpuFeatures.current().nativeBf16(), "no native bfloat16 here");
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = TrainingFixture.network(manager, SIZE, null);
            float[] pixels = pixels(0);
            float[] fp32 = logits(network, manager, pixels);
            network.setPrecision(Precision.BF16);
            float[] bf16 = logits(network, manager, pixels);
            network.setPrecision(Precision.FP32);
            assertArrayEquals(fp32, logits(network, manager, pixels));
            assertTrue(relative(fp32, bf16) > 0, "the bf16 forward is not float32 in disguise");
        }
    }

    private static Step step(
            TransferNetwork network,
            NDManager manager,
            Precision precision,
            int boundary,
            float[] input,
            float[] labels) {
        network.setTrainableFrom(boundary);
        network.setPrecision(precision);
        List<Parameter> trainable = network.trainableParameters();
        try (NDManager scope = manager.newSubManager();
                Optimizer optimizer = Optimizer.rmsProp(LEARNING_RATE)) {
            NDArray x = scope.create(input, activationShape(network, boundary));
            float loss;
            float[] logits;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out =
                        network.logitsFrom(new ParameterStore(scope, false), x, boundary, true);
                assertEquals(DataType.FLOAT32, out.getDataType(), "logits come back in float32");
                NDArray lossArray = Objective.loss(out, scope.create(labels));
                collector.backward(optimizer.scaleLoss(lossArray));
                loss = lossArray.getFloat();
                logits = out.toFloatArray();
            }
            List<Float> gradient = new ArrayList<>();
            for (Parameter p : trainable) {
                assertEquals(DataType.FLOAT32, p.getArray().getDataType(), p.getName());
                try (NDArray g = p.getArray().getGradient()) {
                    assertEquals(DataType.FLOAT32, g.getDataType(), p.getName() + "'s gradient");
                    for (float v : g.toFloatArray()) {
                        gradient.add(v);
                    }
                }
            }
            float[] flat = new float[gradient.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = gradient.get(i);
            }
            optimizer.step(trainable);
            return new Step(loss, logits, flat, trainableWeights(network, boundary));
        }
    }

    /**
     * The real activation the layers from {@code boundary} on start from, in float32, of the photos
     * from {@code first} on.
     */
    private static float[] activationBefore(
            TransferNetwork network, NDManager manager, int boundary, int first) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray images = scope.create(pixels(first), new Shape(BATCH, 3, SIZE, SIZE));
            return network.activationBefore(
                            new ParameterStore(scope, false), images, boundary, false)
                    .toFloatArray();
        }
    }

    private static Shape activationShape(TransferNetwork network, int boundary) {
        var layer = network.base().layers().get(boundary - 1);
        return new Shape(BATCH, layer.channels(), layer.height(), layer.width());
    }

    private static float[] logits(TransferNetwork network, NDManager manager, float[] pixels) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(pixels, new Shape(BATCH, 3, SIZE, SIZE));
            return network.logitsFrom(new ParameterStore(scope, false), x, 0, false).toFloatArray();
        }
    }

    /** Two real cats and two real dogs, preprocessed as training does. */
    private static float[] pixels(int first) {
        try (var loader =
                        TrainingFixture.loader(
                                TrainingFixture.samples(BATCH / 2, first),
                                SIZE,
                                BATCH,
                                1,
                                dev.catsdogs.trainer.data.ShuffleMode.NONE);
                var batches = loader.pass()) {
            return batches.next().data();
        }
    }

    private static List<float[]> trainableWeights(TransferNetwork network, int from) {
        network.setTrainableFrom(from);
        List<float[]> w = new ArrayList<>();
        for (Parameter p : network.trainableParameters()) {
            w.add(p.getArray().toFloatArray());
        }
        return w;
    }

    private static double relative(float[] reference, float[] other) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < reference.length; i++) {
            diff += Math.pow(reference[i] - other[i], 2);
            norm += Math.pow(reference[i], 2);
        }
        return Math.sqrt(diff / norm);
    }
}
