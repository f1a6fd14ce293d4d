/**
 * Training: {@link dev.catsdogs.trainer.train.TransferTrainer} runs the tutorial's two phases
 * (feature extraction, then fine-tuning) on {@link dev.catsdogs.trainer.feed.Feed}s of images or of
 * cached frozen-layer activations (made by {@code FeedFactory} as the configuration says), and
 * fires every event to {@link dev.catsdogs.trainer.train.TrainingListener}s, each of one concern
 * (progress, history, curves, samples, checkpoints, summary, report). {@link
 * dev.catsdogs.trainer.train.TrainingRun} wires a run from a {@link
 * dev.catsdogs.trainer.train.TrainingConfig} (its settings in groups: data, model, one {@link
 * dev.catsdogs.trainer.train.PhaseSettings} per phase, runtime, outputs; a value out of range is an
 * {@link dev.catsdogs.trainer.train.InvalidSettingException} naming its {@link
 * dev.catsdogs.trainer.train.Setting}), and {@link dev.catsdogs.trainer.train.RunDirectory} is the
 * one reader and writer of the files a run leaves. Each step ({@link
 * dev.catsdogs.trainer.train.OptimizerStep}: forward, loss, backward) updates through an {@link
 * dev.catsdogs.trainer.optimizer.Optimizer} of the optimizer package. {@link
 * dev.catsdogs.trainer.train.Recipe} names whole sets of settings (the seed's, the current
 * tutorial's).
 */
package dev.catsdogs.trainer.train;
