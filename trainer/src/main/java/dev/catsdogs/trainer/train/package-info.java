/**
 * Training: {@link dev.catsdogs.trainer.train.TransferTrainer} runs the tutorial's two phases
 * (feature extraction, then fine-tuning) on {@link dev.catsdogs.trainer.train.Feed}s of images or
 * of cached frozen-layer activations, and fires every event to {@link
 * dev.catsdogs.trainer.train.TrainingListener}s, each of one concern (progress, history, curves,
 * samples, checkpoints, summary, report). {@link dev.catsdogs.trainer.train.TrainingRun} wires a
 * run from a {@link dev.catsdogs.trainer.train.TrainingConfig}, and {@link
 * dev.catsdogs.trainer.train.RunDirectory} is the one reader and writer of the files a run leaves.
 * The trainer updates through an {@link dev.catsdogs.trainer.train.Optimizer}: on PyTorch a fused
 * update, one native call per step ({@link dev.catsdogs.trainer.train.FusedRmsProp} and {@link
 * dev.catsdogs.trainer.train.FusedAdam} on {@link dev.catsdogs.trainer.train.FusedUpdate}, the
 * mechanism every optimizer shares), else {@link dev.catsdogs.trainer.train.KerasRmsProp} or {@link
 * dev.catsdogs.trainer.train.KerasAdam}, the NDArray references they are tested against. {@link
 * dev.catsdogs.trainer.train.Recipe} names whole sets of settings (the seed's, the current
 * tutorial's).
 */
package dev.catsdogs.trainer.train;
