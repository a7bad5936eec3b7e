"""Number formats for weights: plain floats, integer quantisation, and the common quantised file formats.

A format stores some weights at ``bits`` per weight (scales and zero points included) and the rest
at ``rest_bits``. Which weights it quantises (``scope``) follows what the tools do:

- ``blocks``: the linear layers inside the Transformer blocks (bitsandbytes, GPTQ, AWQ keep the
  embeddings, the output layer and the norms in 16 bits);
- ``matrices``: every weight matrix, embeddings and output layer included (GGUF; its norms stay 32-bit);
- ``all``: everything at ``bits`` (fp32, fp16, bf16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from modelatlas.analysis.hardware.params import ParameterCount
from modelatlas.errors import BadArgument

__all__ = ["NF4_DOUBLE_QUANT", "PRECISIONS", "Precision", "get_precision", "weight_bytes"]

Scope = Literal["all", "blocks", "matrices"]


@dataclass(frozen=True, slots=True)
class Precision:
    name: str
    bits: float
    scope: Scope
    rest_bits: float
    kv_bits: int
    note: str


PRECISIONS: dict[str, Precision] = {
    p.name: p
    for p in (
        Precision("fp32", 32, "all", 32, 32, "32-bit floats"),
        Precision("fp16", 16, "all", 16, 16, "16-bit floats"),
        Precision("bf16", 16, "all", 16, 16, "bfloat16"),
        Precision(
            "int8",
            8,
            "blocks",
            16,
            16,
            "bitsandbytes LLM.int8(): 8-bit block weights (per-row scales are negligible), the rest 16-bit",
        ),
        Precision(
            "int4",
            4 + 16 / 128,
            "blocks",
            16,
            16,
            "generic 4-bit block weights with a 16-bit scale per 128 weights (as GPTQ and AWQ store them)",
        ),
        Precision(
            "nf4",
            4.5,
            "blocks",
            16,
            16,
            "bitsandbytes NF4: 4 bits plus a 32-bit absmax per 64 weights (4.127 with double quantisation)",
        ),
        Precision(
            "gptq",
            4 + 16 / 128 + 4 / 128,
            "blocks",
            16,
            16,
            "GPTQ 4-bit, group size 128: a 16-bit scale and a 4-bit zero point per group",
        ),
        Precision(
            "awq",
            4 + 16 / 128 + 4 / 128,
            "blocks",
            16,
            16,
            "AWQ 4-bit, group size 128: a 16-bit scale and a 4-bit zero point per group",
        ),
        Precision(
            "q8_0",
            8.5,
            "matrices",
            32,
            16,
            "GGUF Q8_0: blocks of 32 int8 weights with a 16-bit scale (8.5 bits per weight)",
        ),
        Precision(
            "q4_k_m",
            4.84,
            "matrices",
            32,
            16,
            "GGUF Q4_K_M: a Q4_K/Q6_K mix, 4.84 bits per weight on average "
            "(llama.cpp tools/quantize README, Llama 2 7B)",
        ),
    )
}

#: QLoRA stores its frozen base in NF4 with double quantisation (Dettmers et al. 2023, §3).
NF4_DOUBLE_QUANT = Precision(
    "nf4-dq", 4 + 8 / 64 + 32 / (64 * 256), "blocks", 16, 16, "NF4 with double quantisation (QLoRA)"
)


def get_precision(name: str) -> Precision:
    """The format called ``name`` (case-insensitive; ``float16``, ``int4`` and ``Q4_K_M`` spellings work).

    Raises:
        BadArgument: no such format.
    """
    key = name.strip().lower().replace("-", "_")
    key = {"float32": "fp32", "float16": "fp16", "half": "fp16", "bfloat16": "bf16", "8bit": "int8"}.get(
        key, key
    )
    if key not in PRECISIONS:
        raise BadArgument(
            f"--precision {name!r} is not one of {', '.join(PRECISIONS)}",
            key="err_one_of",
            values={"field": "precision", "text": name, "choices": list(PRECISIONS)},
        )
    return PRECISIONS[key]


def weight_bytes(count: ParameterCount, precision: Precision) -> int:
    """The bytes the weights take in ``precision``."""
    groups = count.groups
    if precision.scope == "all":
        quantised, rest = count.total, 0
    elif precision.scope == "blocks":
        quantised = count.quantisable
        rest = count.total - quantised
    else:
        rest = groups.get("norm", 0)
        quantised = count.total - rest
    return round((quantised * precision.bits + rest * precision.rest_bits) / 8)
