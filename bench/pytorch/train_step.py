#!/usr/bin/env python3
"""The reference for `catsdogs bench-train`: one MobileNetV2 training step in PyTorch from Python.

Same step as the Java side measures: batch 32, 3x160x160, every parameter trainable, BatchNorm in
inference mode, binary cross-entropy on one logit, RMSprop (alpha 0.9, eps 1e-7). Also a plain
inference forward at batch 32. Prints one JSON line with median milliseconds.

Run with Debian's python3-torch and python3-torchvision (installed by `catsdogs bench-train`'s set-up).
"""
import json
import statistics
import sys
import time

import torch
import torchvision


def median_ms(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
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

    result = {
        "torch": torch.__version__,
        "threads": threads,
        "train_step_ms": median_ms(step, 3, steps),
        "forward_ms": median_ms(forward, 3, steps),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
