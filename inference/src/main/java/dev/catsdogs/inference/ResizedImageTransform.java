package dev.catsdogs.inference;

import org.opencv.core.Mat;

/**
 * A change to the resized image, made after the resize and before the image is written as the
 * tensor: the trainer's data augmentation (flips, rotations, ...), on the decoding threads, in the
 * one preprocessing code path ({@link ImagePreprocessor#preprocess(ImageInput,
 * ResizedImageTransform, java.nio.FloatBuffer)}).
 *
 * <p>The image is {@code height x width} float32 ({@code CV_32FC1} for gray, else {@code
 * CV_32FC3}), with values already mapped by the spec's {@code x * scale + offset}: for a transform
 * that only moves and mixes pixels with weights summing to 1 (flips, bilinear warps with a
 * reflected border), the mapping commutes with it, so the result equals the transform applied
 * before scaling.
 */
@FunctionalInterface
public interface ResizedImageTransform {

    /**
     * Transforms {@code image}.
     *
     * @param image the resized image; the transform may overwrite it
     * @param scratch a Mat the transform may write into (any size and type; owned by the
     *     preprocessor)
     * @return the transformed image: {@code image} or {@code scratch}
     */
    Mat apply(Mat image, Mat scratch);
}
