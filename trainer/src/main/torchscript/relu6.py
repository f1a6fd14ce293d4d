#!/usr/bin/env python3
"""Writes relu6.pt, the TorchScript module behind dev.catsdogs.trainer.model.FusedRelu6.

DJL's PyTorch JNI has no hardtanh, and NDArray.clip (torch.clamp) has a backward of four passes over
the activation (ge, le, logical_and, where). This module calls aten::hardtanh(x, 0, 6), PyTorch's
own ReLU6, whose backward is one kernel. The file is committed; regenerate it with any PyTorch >= 1.10:

    python3 trainer/src/main/torchscript/relu6.py \
        trainer/src/main/resources/dev/catsdogs/trainer/model/relu6.pt

Debug records (source file paths) are dropped so the file is the same on every machine.
"""
import sys

import torch

from torchscript_file import save


class ReLU6(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch._C._nn.hardtanh(x, 0.0, 6.0)


def main():
    save(ReLU6(), sys.argv[1])


if __name__ == "__main__":
    main()
