/**
 * Training: {@link dev.catsdogs.trainer.train.TransferTrainer} runs the tutorial's two phases
 * (feature extraction, then fine-tuning) on {@link dev.catsdogs.trainer.train.Feed}s of images or
 * of cached frozen-layer activations, and fires every event to {@link
 * dev.catsdogs.trainer.train.TrainingListener}s, each of one concern (progress, history, curves,
 * samples, checkpoints, summary, report). {@link dev.catsdogs.trainer.train.TrainingRun} wires a
 * run from a {@link dev.catsdogs.trainer.train.TrainingConfig}, and {@link
 * dev.catsdogs.trainer.train.RunDirectory} is the one reader and writer of the files a run leaves.
 * The trainer updates through an {@link dev.catsdogs.trainer.train.Optimizer}: on PyTorch a fused
 * update, one native call per step ({@link dev.catsdogs.trainer.train.FusedRmsProp} on {@link
 * dev.catsdogs.trainer.train.FusedUpdate}, the mechanism later optimizers share), else {@link
 * dev.catsdogs.trainer.train.KerasRmsProp}, the NDArray reference it is tested against.
 */
package dev.catsdogs.trainer.train;
