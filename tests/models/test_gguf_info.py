"""The GGUF header reader: string arrays are skipped a megabyte at a time, exactly."""

from __future__ import annotations

import os

import pytest

from vibecli.models.gguf_info import read_gguf
from vibecli.core import VibeError


def test_values_after_a_large_string_array_are_read_right(tmp_path):
    import gguf
    import numpy as np

    path = tmp_path / "vocab.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    # 300k strings of every length from 0 to 40 bytes and one of 3 MB: the walk refills its buffer
    # mid-length, mid-string, and jumps past the buffer's end
    words = ["x" * (i % 41) for i in range(300_000)]
    words[150_000] = "y" * (3 << 20)
    writer.add_array("tokenizer.ggml.tokens", words)
    writer.add_string("test.after", "still here")
    writer.add_uint32("test.number", 7)
    writer.add_tensor("w", np.ones((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    info = read_gguf(path)
    assert info.metadata["tokenizer.ggml.tokens"] == "<array of 300000>"
    assert info.metadata["test.after"] == "still here" and info.metadata["test.number"] == 7
    assert info.parameters == 32


def test_a_header_cut_inside_the_string_array_is_truncated(tmp_path):
    import gguf

    path = tmp_path / "cut.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_array("tokenizer.ggml.tokens", ["token"] * 100_000)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    os.truncate(path, 200_000)
    with pytest.raises(VibeError, match="corrupt or truncated"):
        read_gguf(path)


def test_the_embedded_model_header(embedded_model):
    info = read_gguf(embedded_model)
    assert (info.architecture, info.quantization, info.context_length, info.parameters) == (
        "gemma3", "Q4_K_M", 32768, 268_098_176
    )
