#!/usr/bin/env python3
"""Writes relu6.pt, the TorchScript module behind dev.catsdogs.trainer.model.FusedRelu6.

DJL's PyTorch JNI has no hardtanh, and NDArray.clip (torch.clamp) has a backward of four passes over
the activation (ge, le, logical_and, where). This module calls aten::hardtanh(x, 0, 6), PyTorch's
own ReLU6, whose backward is one kernel. The file is committed; regenerate it with any PyTorch >= 1.10:

    python3 trainer/src/main/torchscript/relu6.py \
        trainer/src/main/resources/dev/catsdogs/trainer/model/relu6.pt

Debug records (source file paths) are dropped so the file is the same on every machine.
"""
import io
import sys
import zipfile

import torch


class ReLU6(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch._C._nn.hardtanh(x, 0.0, 6.0)


def main():
    out = sys.argv[1]
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(ReLU6()), buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for entry in src.infolist():
            if not entry.filename.endswith(".debug_pkl"):
                dst.writestr(entry, src.read(entry))


if __name__ == "__main__":
    main()
