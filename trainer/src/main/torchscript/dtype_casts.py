#!/usr/bin/env python3
"""Writes the TorchScript modules behind dev.catsdogs.trainer.model.TypeCast: one file per target
type, to_float32.pt, to_bfloat16.pt and to_float16.pt, each forward(x) = x.to(that type).

DJL 0.36 has no differentiable cast: NDArray.toType runs under torch::NoGradGuard (a gradient
would stop there), and its JNI maps DJL types to torch ones by a table that stops at complex64, so
toType(BFLOAT16) aborts the process. These modules are aten::to as autograd records it: the
gradient of a cast is the incoming gradient cast back to x's type. The memory layout is kept
(channels-last stays channels-last).

Unlike the other scripts here this one needs no PyTorch: it writes the archive torch.jit.save
writes for such a scripted module (its TorchScript source, which libtorch compiles when it loads the
file, and its pickled attributes; no tensors), without the debug records, as torchscript_file.save
does. In serialized TorchScript a dtype is its ScalarType number. Run it with any Python 3:

    python3 trainer/src/main/torchscript/dtype_casts.py \
        trainer/src/main/resources/dev/catsdogs/trainer/model

The files are the same on every machine (fixed entry dates, no compression).
"""
import os
import sys
import zipfile

# File name -> (module class name, c10::ScalarType number of the target type).
CASTS = {
    "to_float32.pt": ("ToFloat32", 6),
    "to_bfloat16.pt": ("ToBfloat16", 15),
    "to_float16.pt": ("ToFloat16", 5),
}

CODE = """class {name}(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.{name},
    x: Tensor) -> Tensor:
    return torch.to(x, {scalar_type})
"""


def pickled_module(name):
    """Pickle protocol 2 of the module object: its class, then {training: True, hook: None}."""

    def text(s):
        data = s.encode("ascii")
        return b"X" + len(data).to_bytes(4, "little") + data

    return (
        b"\x80\x02c__torch__\n" + name.encode("ascii") + b"\nq\x00)\x81}("
        + text("training") + b"q\x01\x88"
        + text("_is_full_backward_hook") + b"q\x02N"
        + b"ubq\x03."
    )


def write(path, name, scalar_type):
    entries = {
        "archive/data.pkl": pickled_module(name),
        "archive/code/__torch__.py": CODE.format(name=name, scalar_type=scalar_type).encode("ascii"),
        "archive/constants.pkl": b"\x80\x02).",  # no constants: an empty tuple
        "archive/version": b"3\n",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for entry, data in entries.items():
            out.writestr(zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0)), data)


def main():
    for file_name, (name, scalar_type) in CASTS.items():
        write(os.path.join(sys.argv[1], file_name), name, scalar_type)


if __name__ == "__main__":
    main()
