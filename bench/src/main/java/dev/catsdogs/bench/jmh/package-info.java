/**
 * The JMH benchmarks. Each reads its inputs from {@link dev.catsdogs.bench.Workspace} (system
 * properties set by the harness), pins its thread counts explicitly, and reports operations per
 * second; the harness turns them into images per second ({@code ops/s x batch}).
 *
 * <p>Model-only benchmarks ({@link dev.catsdogs.bench.jmh.OrtBenchmark}, {@link
 * dev.catsdogs.bench.jmh.DjlBenchmark}, {@link dev.catsdogs.bench.jmh.OpenCvDnnBenchmark}) run the
 * same prepared tensor: input tensor creation, the model run and copying the logits out, nothing
 * else. End-to-end benchmarks start from JPEG bytes in memory.
 */
package dev.catsdogs.bench.jmh;
