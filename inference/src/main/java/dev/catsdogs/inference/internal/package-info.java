/**
 * Not API: hooks for the trainer and the benchmarks of this project (raw model runs on prepared
 * tensors, the classifier's own preprocessor, loading OpenCV, writing model metadata). May change
 * or disappear in any release without notice; applications use {@link
 * dev.catsdogs.inference.ImageClassifier} and {@link dev.catsdogs.inference.ImagePreprocessor}.
 */
package dev.catsdogs.inference.internal;
