package dev.catsdogs.trainer.quantize;

import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.InvalidImageException;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.trainer.data.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * Images preprocessed exactly as the classifier does for the float NCHW model, with their labels. A
 * file that cannot be decoded is left out (it would be an error for the classifier too).
 *
 * @param tensors one NCHW float tensor per image
 * @param labels the class index of each tensor
 */
record PreparedImages(List<float[]> tensors, int[] labels) {

    /** {@code samples} preprocessed as the classifier does for {@code model}. */
    static PreparedImages of(List<Sample> samples, ModelMetadata model) {
        List<float[]> tensors = new ArrayList<>(samples.size());
        List<Integer> labels = new ArrayList<>(samples.size());
        try (ImagePreprocessor pre =
                ImagePreprocessor.builder(model.preprocessingSpec())
                        .optFastJpegDecode(model.fastJpegDecode())
                        .build()) {
            for (Sample s : samples) {
                try {
                    tensors.add(pre.preprocess(ImageInput.of(s.file())));
                    labels.add(s.label());
                } catch (InvalidImageException e) {
                    // skipped, as training skips it
                }
            }
        }
        return new PreparedImages(tensors, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    int size() {
        return tensors.size();
    }

    /** Images {@code [from, to)}. */
    List<float[]> slice(int from, int to) {
        return tensors.subList(from, Math.min(to, tensors.size()));
    }
}
