"""Writes a scripted module the way every script here does: debug records (source file paths)
dropped, so the committed file is the same on every machine."""
import io
import zipfile

import torch


def save(module, out):
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for entry in src.infolist():
            if not entry.filename.endswith(".debug_pkl"):
                dst.writestr(entry, src.read(entry))
