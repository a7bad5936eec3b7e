"""GGUF headers for tests, written with the ``gguf`` package's own writer (the real format): the tensor
infos and metadata of a Llama 2 7B in a Q4_K_M-like mix, without the tensor data (a header, as the
Hardware page sends it). The mix is simplified (attn_v and ffn_down in Q6_K in every layer), so the
bytes are the writer's, not those of TheBloke's file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gguf import GGML_QUANT_SIZES, GGUFWriter, LlamaFileType
from gguf import GGMLQuantizationType as Q

LAYERS, HIDDEN, HEADS, FFN, VOCAB, CONTEXT = 32, 4096, 32, 11008, 32000, 4096


def _tensor(writer: GGUFWriter, name: str, rows: int, cols: int, kind: Q) -> int:
    """Add one tensor's info (``rows × cols`` weights in ``kind``) and return its bytes."""
    if kind == Q.F32:
        writer.add_tensor_info(
            name, (rows, cols) if rows > 1 else (cols,), np.dtype(np.float32), rows * cols * 4
        )
        return rows * cols * 4
    block, size = GGML_QUANT_SIZES[kind]
    row_bytes = cols // block * size
    writer.add_tensor_info(name, (rows, row_bytes), np.dtype(np.uint8), rows * row_bytes, raw_dtype=kind)
    return rows * row_bytes


def llama2_7b_header(path: Path) -> dict[str, int]:
    """Write the header to ``path``; return the bytes it declares: all, per layer, embedding, output."""
    writer = GGUFWriter(str(path), "llama")
    writer.add_name("Llama 2 7B (test header)")
    writer.add_file_type(LlamaFileType.MOSTLY_Q4_K_M)
    writer.add_block_count(LAYERS)
    writer.add_embedding_length(HIDDEN)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_context_length(CONTEXT)
    sizes = {"embedding": _tensor(writer, "token_embd.weight", VOCAB, HIDDEN, Q.Q4_K)}
    layer = 0
    for i in range(LAYERS):
        layer = sum(
            _tensor(writer, f"blk.{i}.{name}.weight", rows, cols, kind)
            for name, rows, cols, kind in (
                ("attn_norm", 1, HIDDEN, Q.F32),
                ("attn_q", HIDDEN, HIDDEN, Q.Q4_K),
                ("attn_k", HIDDEN, HIDDEN, Q.Q4_K),
                ("attn_v", HIDDEN, HIDDEN, Q.Q6_K),
                ("attn_output", HIDDEN, HIDDEN, Q.Q4_K),
                ("ffn_norm", 1, HIDDEN, Q.F32),
                ("ffn_gate", FFN, HIDDEN, Q.Q4_K),
                ("ffn_up", FFN, HIDDEN, Q.Q4_K),
                ("ffn_down", HIDDEN, FFN, Q.Q6_K),
            )
        )
    sizes["layer"] = layer
    sizes["output"] = _tensor(writer, "output_norm.weight", 1, HIDDEN, Q.F32)
    sizes["output"] += _tensor(writer, "output.weight", VOCAB, HIDDEN, Q.Q6_K)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    sizes["all"] = sizes["embedding"] + LAYERS * layer + sizes["output"]
    return sizes
