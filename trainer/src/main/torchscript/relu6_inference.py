#!/usr/bin/env python3
"""Writes relu6_inference.pt, the TorchScript module behind FusedRelu6's forward without gradients.

Two costs of a frozen MobileNetV2 forward that PyTorch's own forward does not pay: DJL's clip
(torch.clamp) allocates a new activation where PyTorch's ReLU6 runs in place (hardtanh_), and the
explicit ZeroPadding2D of Keras' stride-2 blocks is aten::pad, which fills a new tensor with zeros
and copies the activation into it. This module takes the activation and the padding (top, bottom,
left, right): with no padding it clips in place; with padding it writes the clipped values straight
into the interior of a new tensor and zeroes only its border. Values are those of clamp(0, 6) then
pad. The padded tensor keeps the activation's memory format (channels-last stays channels-last, see
ChannelsLast). The file is committed; regenerate it with any PyTorch >= 1.10:

    python3 trainer/src/main/torchscript/relu6_inference.py \
        trainer/src/main/resources/dev/catsdogs/trainer/model/relu6_inference.pt

Debug records (source file paths) are dropped so the file is the same on every machine.
"""
import sys

import torch

from torchscript_file import save


class ReLU6Inference(torch.nn.Module):
    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        top, bottom = int(pad[0].item()), int(pad[1].item())
        left, right = int(pad[2].item()), int(pad[3].item())
        if top == 0 and bottom == 0 and left == 0 and right == 0:
            return torch._C._nn.hardtanh_(x, 0.0, 6.0)
        n, c, h, w = x.shape[0], x.shape[1], x.shape[2], x.shape[3]
        shape = [n, c, top + h + bottom, left + w + right]
        if x.is_contiguous(memory_format=torch.channels_last):
            out = torch.empty(shape, dtype=x.dtype, device=x.device, memory_format=torch.channels_last)
        else:
            out = torch.empty(shape, dtype=x.dtype, device=x.device)
        out[:, :, :top, :].zero_()
        out[:, :, top + h:, :].zero_()
        out[:, :, top:top + h, :left].zero_()
        out[:, :, top:top + h, left + w:].zero_()
        torch.clamp(x, 0.0, 6.0, out=out[:, :, top:top + h, left:left + w])
        return out


def main():
    save(ReLU6Inference(), sys.argv[1])


if __name__ == "__main__":
    main()
