/**
 * Training: {@link dev.catsdogs.trainer.train.TransferTrainer} runs the tutorial's two phases
 * (feature extraction, then fine-tuning) on {@link dev.catsdogs.trainer.train.Feed}s of images or
 * of cached frozen-layer activations, and fires every event to {@link
 * dev.catsdogs.trainer.train.TrainingListener}s, each of one concern (progress, history, curves,
 * samples, checkpoints, summary, report). {@link dev.catsdogs.trainer.train.TrainingRun} wires a
 * run from a {@link dev.catsdogs.trainer.train.TrainingConfig}, and {@link
 * dev.catsdogs.trainer.train.RunDirectory} is the one reader and writer of the files a run leaves.
 */
package dev.catsdogs.trainer.train;
