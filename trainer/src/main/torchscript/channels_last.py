#!/usr/bin/env python3
"""Writes channels_last.pt, the TorchScript module behind dev.catsdogs.trainer.model.ChannelsLast.

DJL's PyTorch JNI has no call that sets a tensor's memory format. This module returns its input in
channels-last layout (NHWC strides, same NCHW shape and values): on the CPU, PyTorch's oneDNN
convolutions then run in NHWC and keep their outputs in it. The file is committed; regenerate it
with any PyTorch >= 1.10:

    python3 trainer/src/main/torchscript/channels_last.py \
        trainer/src/main/resources/dev/catsdogs/trainer/model/channels_last.pt

Debug records (source file paths) are dropped so the file is the same on every machine.
"""
import sys

import torch

from torchscript_file import save


class ChannelsLast(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last)


def main():
    save(ChannelsLast(), sys.argv[1])


if __name__ == "__main__":
    main()
