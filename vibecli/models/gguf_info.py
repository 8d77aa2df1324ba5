"""Read a GGUF file's header: metadata, tensor shapes, and a truncation check.

Written for speed: the 262k-entry tokenizer arrays are skipped with seeks, not decoded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vibecli.core import VibeError

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# ggml type id -> (elements per block, bytes per block); types missing here skip the size check.
_BLOCKS = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
    24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8), 30: (1, 2),
}
# llama.cpp's LLAMA_FTYPE values for `general.file_type`.
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
    12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
    19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
    26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
}


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    size: int
    metadata: dict
    parameters: int

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name") or self.path.stem)

    @property
    def context_length(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.context_length")
        return int(value) if value is not None else None

    @property
    def quantization(self) -> str:
        file_type = self.metadata.get("general.file_type")
        if file_type is None:
            return "unknown"
        return FILE_TYPES.get(int(file_type), f"type {file_type}")


class _Reader:
    def __init__(self, handle: BinaryIO):
        self.handle = handle

    def take(self, n: int) -> bytes:
        data = self.handle.read(n)
        if len(data) != n:
            raise EOFError
        return data

    def unpack(self, fmt: str):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        return self.take(self.unpack("<Q")).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        self.handle.seek(self.unpack("<Q"), 1)

    def skip_strings(self, count: int) -> None:
        """Skip an array of strings (a tokenizer's vocabulary) by walking their lengths in memory,
        a megabyte at a time: 262k seeks one string at a time take 10x longer."""
        buf, off = b"", 0
        unpack_from = struct.unpack_from
        for _ in range(count):
            if off + 8 > len(buf):
                if off > len(buf):
                    self.handle.seek(off - len(buf), 1)
                    buf, off = b"", 0
                buf = buf[off:] + self.handle.read(1 << 20)
                off = 0
                if len(buf) < 8:
                    raise EOFError
            off += 8 + unpack_from("<Q", buf, off)[0]
        self.handle.seek(off - len(buf), 1)

    def value(self, kind: int):
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            if item_kind in _SCALARS:
                self.handle.seek(struct.calcsize(_SCALARS[item_kind]) * count, 1)
            elif item_kind == _STRING:
                self.skip_strings(count)
            else:
                for _ in range(count):
                    self.skip_string() if item_kind == _STRING else self.value(item_kind)
            return f"<array of {count}>"
        raise ValueError(f"unknown value type {kind}")


def read_gguf(path: Path) -> GGUFInfo:
    """Parse the header; a missing, foreign or truncated file is a VibeError."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            return _parse(_Reader(handle), path, size)
    except FileNotFoundError:
        raise VibeError(f"model file not found: {path}") from None
    except IsADirectoryError:
        raise VibeError(f"model path is a directory, not a GGUF file: {path}") from None
    except OSError as exc:
        raise VibeError(f"cannot read model file {path}: {exc.strerror}") from None
    except (EOFError, ValueError, struct.error):
        raise VibeError(f"model file is corrupt or truncated (bad GGUF header): {path}") from None


def _parse(reader: _Reader, path: Path, size: int) -> GGUFInfo:
    if reader.take(4) != b"GGUF":
        raise VibeError(f"not a GGUF model file: {path}")
    version = reader.unpack("<I")
    if version not in (2, 3):
        raise VibeError(f"unsupported GGUF version {version}: {path}")
    n_tensors, n_kv = reader.unpack("<Q"), reader.unpack("<Q")
    metadata = {}
    for _ in range(n_kv):
        key = reader.string()
        metadata[key] = reader.value(reader.unpack("<I"))
    parameters, data_end = 0, 0
    for _ in range(n_tensors):
        reader.skip_string()
        dims = [reader.unpack("<Q") for _ in range(reader.unpack("<I"))]
        kind, offset = reader.unpack("<I"), reader.unpack("<Q")
        elements = 1
        for dim in dims:
            elements *= dim
        parameters += elements
        if kind in _BLOCKS:
            per_block, block_bytes = _BLOCKS[kind]
            data_end = max(data_end, offset + elements // per_block * block_bytes)
    alignment = int(metadata.get("general.alignment", 32))
    data_start = -(-reader.handle.tell() // alignment) * alignment
    if data_start + data_end > size:
        raise VibeError(
            f"model file is truncated: {path} has {size} bytes, its tensors need {data_start + data_end}"
        )
    return GGUFInfo(path=path, size=size, metadata=metadata, parameters=parameters)
