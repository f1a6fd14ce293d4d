/**
 * The training data, free of DJL: {@link dev.catsdogs.trainer.data.Dataset} reads an image-folder
 * directory (already split into {@code train/}, {@code validation/} and optionally {@code test/},
 * or one folder per class that it splits 80/10/10, stratified and seeded), {@link
 * dev.catsdogs.trainer.data.TutorialDataset} downloads the TensorFlow tutorial's {@code
 * cats_and_dogs_filtered} set into the cache when no directory is given, and {@link
 * dev.catsdogs.trainer.data.BatchLoader} decodes samples into {@code N*C*H*W} float batches on
 * background threads, in an order that depends only on the seed and the epoch, skipping (and
 * reporting once) files that do not decode. Decoding itself is pluggable through {@link
 * dev.catsdogs.trainer.data.SampleDecoder}, normally the inference module's preprocessing, so
 * training and inference see identical tensors.
 */
package dev.catsdogs.trainer.data;
