/**
 * Optimizers as the trainer uses them: an {@link dev.catsdogs.trainer.optimizer.Optimizer} updates
 * the trainable parameters once per step. On PyTorch the update is fused, one native call per step
 * ({@link dev.catsdogs.trainer.optimizer.FusedRmsProp} and {@link
 * dev.catsdogs.trainer.optimizer.FusedAdam} on {@link dev.catsdogs.trainer.optimizer.FusedUpdate},
 * the mechanism every optimizer shares), else {@link dev.catsdogs.trainer.optimizer.KerasRmsProp}
 * or {@link dev.catsdogs.trainer.optimizer.KerasAdam}, the NDArray references they are tested
 * against. {@link dev.catsdogs.trainer.optimizer.LossScaledOptimizer} adds dynamic loss scaling for
 * float16, and {@link dev.catsdogs.trainer.optimizer.OptimizerState} is what a checkpoint keeps.
 */
package dev.catsdogs.trainer.optimizer;
