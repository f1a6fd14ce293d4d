package dev.catsdogs.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.data.ShuffleMode;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small real training setups for tests: a few real photos, the shipped ImageNet weights. */
public final class TrainingFixture {

    private TrainingFixture() {}

    /** {@code perClass} cats then {@code perClass} dogs from the shared training split. */
    public static List<Sample> samples(int perClass, int offset) {
        List<Sample> samples = new ArrayList<>();
        String[] classes = {"cats", "dogs"};
        String[] prefix = {"cat", "dog"};
        for (int label = 0; label < 2; label++) {
            for (int i = offset; i < offset + perClass; i++) {
                samples.add(
                        new Sample(
                                TestPaths.catsAndDogs()
                                        .resolve(
                                                "train/"
                                                        + classes[label]
                                                        + "/"
                                                        + prefix[label]
                                                        + "."
                                                        + i
                                                        + ".jpg"),
                                label));
            }
        }
        return samples;
    }

    static BatchLoader loader(
            List<Sample> samples, int imageSize, int batchSize, long seed, ShuffleMode shuffle) {
        ImagePreprocessor pre = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(imageSize));
        return BatchLoader.builder(samples, SampleDecoder.of(pre))
                .optBatchSize(batchSize)
                .optSeed(seed)
                .optShuffle(shuffle)
                .optThreads(2)
                .build();
    }

    /**
     * A network with the shipped ImageNet base and a head whose weights are a copy of {@code
     * headFrom}'s (if given).
     */
    static TransferNetwork network(NDManager manager, int imageSize, TransferNetwork headFrom)
            throws Exception {
        TransferNetwork network = TransferNetwork.create(imageSize, 2);
        network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, imageSize, imageSize));
        MobileNetV2Weights.read(TestPaths.imagenetOnnx()).applyTo(network.base());
        if (headFrom != null) {
            var src = headFrom.head().getParameters();
            for (var entry : network.head().getParameters()) {
                entry.getValue().getArray().set(src.get(entry.getKey()).getArray().toFloatArray());
            }
        }
        return network;
    }

    /** Every parameter's values by its full name. */
    static Map<String, float[]> snapshot(TransferNetwork network) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var entry : network.getParameters()) {
            out.put(entry.getKey(), entry.getValue().getArray().toFloatArray());
        }
        return out;
    }

    static Parameter parameter(TransferNetwork network, String name) {
        return network.getParameters().get(name);
    }
}
