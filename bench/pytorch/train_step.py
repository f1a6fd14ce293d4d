#!/usr/bin/env python3
"""The reference for `catsdogs bench-train`: one MobileNetV2 training step in PyTorch from Python.

Same step as the Java side measures: batch 32, 3x160x160, every parameter trainable, BatchNorm in
inference mode, binary cross-entropy on one logit, RMSprop (alpha 0.9, eps 1e-7). Also a plain
inference forward at batch 32. Prints one JSON line with median milliseconds.

    train_step.py [threads [steps]] [--profile TRACE]

With --profile (`catsdogs bench-train --profile`), after the same warm-up, `steps` training steps are
recorded by the autograd profiler into TRACE, a Chrome trace like the one DJL's libtorch profiler
writes, instead of timing the step and the forward.

Run with Debian's python3-torch and python3-torchvision (installed by `catsdogs bench-train`'s set-up).
"""
import argparse
import json
import statistics
import time

import torch
import torchvision


WARMUP = 3


def median_ms(fn, steps):
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def warmed_up_median_ms(fn, steps):
    for _ in range(WARMUP):
        fn()
    return median_ms(fn, steps)


def parse_args():
    parser = argparse.ArgumentParser(description="One MobileNetV2 training step in PyTorch from Python.")
    parser.add_argument("threads", type=int, nargs="?", default=2, help="PyTorch threads (default: 2)")
    parser.add_argument("steps", type=int, nargs="?", default=10, help="timed or profiled steps (default: 10)")
    parser.add_argument("--profile", metavar="TRACE", help="profile the training step into this Chrome trace")
    return parser.parse_args()


def main():
    args = parse_args()
    threads = args.threads
    steps = args.steps
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(num_classes=1)  # architecture only; weights do not change the cost
    model.eval()  # BatchNorm in inference mode, as in the Java trainer
    x = torch.rand(32, 3, 160, 160) * 2 - 1
    y = torch.randint(0, 2, (32,)).float()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-5, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x).reshape(-1), y)
        loss.backward()
        optimizer.step()

    def forward():
        with torch.no_grad():
            model(x)

    if args.profile:
        for _ in range(WARMUP):
            step()
        # The legacy autograd profiler (1.13's default): one event per operator call, as DJL's trace has.
        with torch.autograd.profiler.profile() as prof:
            step_ms = median_ms(step, steps)
        prof.export_chrome_trace(args.profile)
        result = {
            "torch": torch.__version__,
            "threads": threads,
            "profiled_steps": steps,
            "profiled_step_ms": step_ms,
            "trace": args.profile,
        }
    else:
        result = {
            "torch": torch.__version__,
            "threads": threads,
            "train_step_ms": warmed_up_median_ms(step, steps),
            "forward_ms": warmed_up_median_ms(forward, steps),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
