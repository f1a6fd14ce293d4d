#!/usr/bin/env python3
"""Writes the TorchScript modules behind dev.catsdogs.trainer.optimizer.FusedUpdate: one per optimizer.

Each module's forward is one whole optimizer update of every parameter, called once per training
step from Java instead of about ten NDArray operations (each a JNI call) per parameter tensor. All
optimizers share one signature, so the Java side has one caller for all of them:

    forward(params, grads, state, hyper) -> None

- params, grads: List[Tensor], one per parameter, in the same order; updated in place, and the
  gradients zeroed (the PyTorch engine accumulates them otherwise).
- state: List[Tensor], the optimizer's per-parameter state, slot by slot: state[j * n + i] is slot j
  of parameter i (n = len(params)); updated in place.
- hyper: List[float], the optimizer's scalars, in the order its docstring lists.

The updates use PyTorch's multi-tensor torch._foreach_* operations, in the same order and with the
same scalars as the engine-neutral references (KerasRmsProp, KerasAdam), so the numbers are the same.

The files are committed; regenerate them with any PyTorch >= 1.13 (they were written by Debian's
python3-torch 1.13.1, /usr/bin/python3, and are loaded by the trainer's libtorch 2.7.1):

    python3 trainer/src/main/torchscript/fused_optimizers.py \
        trainer/src/main/resources/dev/catsdogs/trainer/optimizer

Debug records (source file paths) are dropped so the files are the same on every machine.
"""
import os
import sys
from typing import List

import torch
from torch import Tensor

from torchscript_file import save


class RmsProp(torch.nn.Module):
    """Keras' RMSprop (TF's ApplyRMSProp: no momentum, not centered), epsilon under the root.

    state: one slot, the mean square (zeros at the start). hyper: [lr, rho, 1 - rho, epsilon], with
    1 - rho computed by the caller in float32, as the reference does.
    """

    def forward(self, params: List[Tensor], grads: List[Tensor], state: List[Tensor], hyper: List[float]) -> None:
        lr = hyper[0]
        rho = hyper[1]
        one_minus_rho = hyper[2]
        eps = hyper[3]
        mean_squares = state[0 : len(params)]
        with torch.no_grad():
            # ms = rho * ms + (1 - rho) * g^2
            torch._foreach_mul_(mean_squares, rho)
            squares = torch._foreach_mul(grads, grads)
            torch._foreach_mul_(squares, one_minus_rho)
            torch._foreach_add_(mean_squares, squares)
            # w -= lr * g / sqrt(ms + epsilon)
            roots = torch._foreach_add(mean_squares, eps)
            torch._foreach_sqrt_(roots)
            steps = torch._foreach_mul(grads, lr)
            torch._foreach_div_(steps, roots)
            torch._foreach_sub_(params, steps)
            torch._foreach_zero_(grads)


class Adam(torch.nn.Module):
    """Keras' Adam: bias correction in the step size, epsilon added to sqrt(v) outside the root.

    state: two slots, the first moments m then the second moments v (zeros at the start). hyper:
    [alpha, 1 - beta_1, 1 - beta_2, epsilon], where alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    is computed by the caller for step t (KerasAdam.alpha), as are 1 - beta in float32.
    """

    def forward(self, params: List[Tensor], grads: List[Tensor], state: List[Tensor], hyper: List[float]) -> None:
        alpha = hyper[0]
        one_minus_beta_1 = hyper[1]
        one_minus_beta_2 = hyper[2]
        eps = hyper[3]
        n = len(params)
        m = state[0:n]
        v = state[n : 2 * n]
        with torch.no_grad():
            # m += (g - m) * (1 - beta_1)
            deltas = torch._foreach_sub(grads, m)
            torch._foreach_mul_(deltas, one_minus_beta_1)
            torch._foreach_add_(m, deltas)
            # v += (g^2 - v) * (1 - beta_2)
            squares = torch._foreach_mul(grads, grads)
            torch._foreach_sub_(squares, v)
            torch._foreach_mul_(squares, one_minus_beta_2)
            torch._foreach_add_(v, squares)
            # w -= m * alpha / (sqrt(v) + epsilon)
            denominators = torch._foreach_sqrt(v)
            torch._foreach_add_(denominators, eps)
            steps = torch._foreach_mul(m, alpha)
            torch._foreach_div_(steps, denominators)
            torch._foreach_sub_(params, steps)
            torch._foreach_zero_(grads)


MODULES = {"rmsprop.pt": RmsProp, "adam.pt": Adam}


def main():
    out_dir = sys.argv[1]
    for name, module in MODULES.items():
        save(module(), os.path.join(out_dir, name))


if __name__ == "__main__":
    main()
