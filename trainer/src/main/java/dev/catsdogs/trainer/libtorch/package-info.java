/**
 * Which libtorch DJL loads. By default DJL's own (the CPU jar, or a CUDA build it downloads once);
 * with {@code --torch}, a PyTorch installed on the machine: {@link
 * dev.catsdogs.trainer.libtorch.TorchDiscovery} finds it ({@link
 * dev.catsdogs.trainer.libtorch.LocalTorch}), {@link dev.catsdogs.trainer.libtorch.DjlJni} knows
 * which PyTorch DJL's JNI was built for and where DJL looks for another, {@link
 * dev.catsdogs.trainer.libtorch.TorchSetup} points DJL at it before the engine loads, and {@link
 * dev.catsdogs.trainer.libtorch.JniBuild} builds the JNI for a PyTorch DJL has none for.
 */
package dev.catsdogs.trainer.libtorch;
