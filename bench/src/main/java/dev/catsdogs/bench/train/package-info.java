/**
 * {@code ./catsdogs bench-train}: the training benchmark lab. {@link
 * dev.catsdogs.bench.train.BenchTrainCommand} holds the options; each mode is one class ({@code
 * FullRun}, {@code StepComparison}, {@code ProfileRun}, {@code PipelineRun}), and what they print
 * for reading back (tables, {@code workflow:}, {@code ratio:}) is written by {@code
 * BenchTrainReport}. {@link dev.catsdogs.bench.train.TrainingBenchmark} measures what caching buys
 * on real data and the training step against PyTorch from Python ({@code
 * bench/pytorch/train_step.py}); with {@code --profile}, {@link
 * dev.catsdogs.bench.train.TraceSummary} reads both sides' Chrome traces and {@link
 * dev.catsdogs.bench.train.ProfileTable} compares them per operator. Kept out of the trainer jar,
 * which ships to users.
 */
package dev.catsdogs.bench.train;
