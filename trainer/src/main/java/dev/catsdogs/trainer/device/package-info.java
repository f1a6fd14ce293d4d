/**
 * Where training runs, never by a silent fallback: {@link dev.catsdogs.trainer.device.DeviceProbe}
 * gathers the machine's {@link dev.catsdogs.trainer.device.DeviceFacts} (the loaded libtorch and
 * its CUDA, the NVIDIA driver, the GPUs, the processor's bfloat16 support), and two pure functions
 * of them decide: {@link dev.catsdogs.trainer.device.DevicePolicy} the device for {@code --device},
 * {@link dev.catsdogs.trainer.device.PrecisionPolicy} whether {@code --precision} fits it. {@link
 * dev.catsdogs.trainer.device.DeviceSelection} is the outcome a command prints and records.
 */
package dev.catsdogs.trainer.device;
