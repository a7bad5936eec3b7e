"""GPU memory for inference and training, as a total and its breakdown in bytes.

Inference: weights in the chosen format, the KV cache for ``context`` tokens × ``batch``
(grouped-query aware, in 16 bits), the activations of one forward pass over the prompt, and the
framework's overhead. Training: full fine-tuning with AdamW in mixed precision, LoRA and QLoRA,
with or without gradient checkpointing.

Assumptions (also in ``docs/hardware.md``):

- Attention is memory-efficient (FlashAttention or PyTorch SDPA), so no ``heads × s²`` score
  matrix is kept.
- Framework overhead: ``OVERHEAD_PER_GPU`` per card (CUDA context, cuBLAS workspace) plus
  ``FRAGMENTATION`` of everything else (the caching allocator's slack).
- Training activations follow Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large
  Transformer Models", §4): ``s·b·h·34`` bytes per layer for a 4h GELU MLP in 16 bits, of which the
  MLP's share is scaled by the model's own intermediate size (doubled for SwiGLU/GeGLU). With
  gradient checkpointing, each layer keeps only its 16-bit input and one layer is recomputed at a time.
- AdamW in mixed precision costs 16 bytes per trained parameter: 16-bit weights and gradients,
  32-bit master weights and the two moments (Rajbhandari et al. 2020, ZeRO, §3.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from modelatlas.analysis.hardware.params import ParameterCount, Shape
from modelatlas.analysis.hardware.precision import NF4_DOUBLE_QUANT, PRECISIONS, Precision, weight_bytes
from modelatlas.analysis.hardware.wording import Note
from modelatlas.errors import BadArgument

__all__ = [
    "CONTEXT_PRESETS",
    "FRAGMENTATION",
    "KV_FORMATS",
    "MAX_CONTEXT",
    "OVERHEAD_PER_GPU",
    "Breakdown",
    "TrainMethod",
    "Workload",
    "inference",
    "kv_bits",
    "kv_cache_bytes",
    "largest_context",
    "lora_parameters",
    "overhead",
    "parse_context",
    "training",
]

GiB = 1024**3
OVERHEAD_PER_GPU = GiB // 2
FRAGMENTATION = 0.05

TrainMethod = Literal["full", "lora", "qlora"]

#: The contexts people pick (tokens): 4k … 128k as the models and engines count them (128k = 131,072).
CONTEXT_PRESETS = {"4k": 4096, "8k": 8192, "32k": 32768, "128k": 131072}
#: The longest context a workload may ask for, and the longest ``largest_context`` looks for.
MAX_CONTEXT = 10_000_000
#: KV-cache formats and their bits per value: 16-bit as the weights keep it, 8-bit (vLLM's
#: ``--kv-cache-dtype fp8``, llama.cpp's ``-ctk q8_0``) and 4-bit (llama.cpp's ``q4_0``; scales ignored).
KV_FORMATS = {"fp16": 16, "bf16": 16, "fp8": 8, "int8": 8, "q8_0": 8, "q4_0": 4, "int4": 4}
_TOKENS = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[km]?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Workload:
    """The job: ``context`` tokens per sequence, ``batch`` sequences, on ``gpus`` cards; the KV cache in
    ``kv_bits`` bits (16; 8 for an fp8 or int8 cache as vLLM and llama.cpp offer, 4 for q4) or, when None,
    as the precision keeps it."""

    context: int = 4096
    batch: int = 1
    gpus: int = 1
    kv_bits: int | None = None

    def __post_init__(self) -> None:
        for name in ("context", "batch", "gpus"):
            if getattr(self, name) < 1:
                raise BadArgument(f"--{name} must be at least 1, got {getattr(self, name)}")
        if self.kv_bits is not None and self.kv_bits not in set(KV_FORMATS.values()):
            raise BadArgument(f"a KV cache of {self.kv_bits} bits is not one modelatlas counts (16, 8, 4)")


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Bytes by part; ``total`` over all cards and ``per_gpu`` for one of ``gpus`` cards."""

    label: str
    parts: dict[str, int]
    gpus: int
    notes: list[Note] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.parts.values())

    @property
    def per_gpu(self) -> int:
        return -(-self.total // self.gpus)

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "per_gpu": self.per_gpu,
            "breakdown": dict(self.parts),
            "notes": [str(n) for n in self.notes],
        }


def parse_context(text: str) -> int:
    """Tokens from what a person types: ``8192``, ``8k`` (8,192), ``128K`` (131,072), ``1m`` (1,048,576).

    Raises:
        BadArgument: not a number of tokens from 1 to ``MAX_CONTEXT``.
    """
    found = _TOKENS.fullmatch(text.strip())
    scale = {"": 1, "k": 1024, "m": 1024**2}[found["unit"].lower()] if found else 0
    tokens = int(float(found["n"]) * scale) if found else 0
    if not 1 <= tokens <= MAX_CONTEXT:
        raise BadArgument(
            f"--context {text!r} is not a number of tokens from 1 to {MAX_CONTEXT:,} (8192, 8k, 128k)",
            key="err_context",
            values={"text": text, "most": MAX_CONTEXT},
        )
    return tokens


def kv_bits(name: str) -> int:
    """Bits per cached value of the KV-cache format ``name`` (case-insensitive).

    Raises:
        BadArgument: no such format.
    """
    key = name.strip().lower()
    if key not in KV_FORMATS:
        raise BadArgument(
            f"--kv {name!r} is not one of {', '.join(KV_FORMATS)}",
            key="err_one_of",
            values={"field": "kv", "text": name, "choices": list(KV_FORMATS)},
        )
    return KV_FORMATS[key]


def largest_context(
    count: ParameterCount, precision: Precision, work: Workload, memory: int, limit: int | None = None
) -> int | None:
    """The most tokens per sequence (``work``'s batch, cards and KV format) whose inference fits in
    ``memory`` bytes a card, up to the model's ``limit`` (else ``MAX_CONTEXT``); 0 when not even one
    token fits, None without a config (the KV cache is unknown). Memory grows with the context, so a
    bisection finds it."""
    if count.shape is None:
        return None

    def fits(tokens: int) -> bool:
        return inference(count, precision, replace(work, context=tokens)).per_gpu <= memory

    if not fits(1):
        return 0
    low, high = 1, min(limit or MAX_CONTEXT, MAX_CONTEXT)
    if fits(high):
        return high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def overhead(tensors: int, gpus: int) -> int:
    """The CUDA context of each card and the allocator's slack over ``tensors`` bytes."""
    return round(tensors * FRAGMENTATION) + OVERHEAD_PER_GPU * gpus


def kv_cache_bytes(shape: Shape, work: Workload, *, bits: int = 16) -> int:
    values = shape.kv_per_token * work.context + shape.fixed_kv
    values += sum(per_token * min(window, work.context) for window, per_token in shape.sliding.items())
    return values * work.batch * bits // 8


def inference(count: ParameterCount, precision: Precision, work: Workload) -> Breakdown:
    """Memory to serve the model in ``precision`` for ``work``. Without a config the KV cache and the
    activations are unknown: the breakdown leaves them out (never 0) and its total is weights and
    overhead, a lower bound."""
    weights = weight_bytes(count, precision)
    shape = count.shape
    if shape is None:
        parts = {"weights": weights, "overhead": overhead(weights, work.gpus)}
        notes = [Note("note_no_config")]
        return Breakdown(precision.name, parts, work.gpus, notes)
    kv = kv_cache_bytes(shape, work, bits=work.kv_bits or precision.kv_bits)
    # the prompt, or the encoder's fixed input when that is longer (Whisper's 1,500 audio frames)
    tokens = work.batch * max(work.context, shape.encoder_tokens)
    mlp = shape.intermediate * (2 if shape.gated else 1)
    # one layer's working set over the prompt (16-bit), and fp32 logits for the last token
    activations = tokens * (4 * shape.hidden + mlp) * 2 + work.batch * shape.vocab * 4
    tensors = weights + kv + activations
    parts = {
        "weights": weights,
        "kv_cache": kv,
        "activations": activations,
        "overhead": overhead(tensors, work.gpus),
    }
    notes = []
    if shape.encoder_tokens:
        limit = {"limit": shape.max_context, "context": work.context, "encoder": shape.encoder_tokens}
        notes.append(Note("note_encoder_decoder", limit))
    return Breakdown(precision.name, parts, work.gpus, notes)


def lora_parameters(shape: Shape, rank: int) -> int:
    """Trainable parameters of rank-``rank`` LoRA on every linear layer of attention and the MLP."""
    h, q, kv, inner = (
        shape.hidden,
        shape.q_dim or shape.hidden,
        shape.kv_dim or shape.hidden,
        shape.intermediate,
    )
    attention = (h + q) + 2 * (h + kv) + (q + h)
    mlp = (2 if shape.gated else 1) * (h + inner) + (inner + h)
    return rank * shape.layers * (attention + mlp)


def _activations(shape: Shape, work: Workload, *, checkpointing: bool) -> int:
    sbh = work.batch * work.context * shape.hidden
    mlp_factor = (8 if shape.gated else 4) * shape.intermediate / shape.hidden
    per_layer = round(sbh * (18 + mlp_factor))
    logits = work.batch * work.context * shape.vocab * 10  # 16-bit logits, fp32 upcast and its gradient
    if checkpointing:
        return shape.layers * 2 * sbh + per_layer + logits
    return shape.layers * per_layer + logits


def training(
    count: ParameterCount,
    method: TrainMethod,
    work: Workload,
    *,
    checkpointing: bool,
    lora_rank: int = 16,
) -> Breakdown:
    """Memory to fine-tune the model with AdamW: fully, with LoRA, or with QLoRA (NF4 base).

    Raises:
        BadArgument: no config (the shape is unknown), or an unknown method.
    """
    shape = count.shape
    if shape is None:
        raise BadArgument(
            "training memory needs the model's config.json (layers, hidden size); none is known",
            key="err_train_config",
        )
    parts: dict[str, int]
    if method == "full":
        parts = {"weights": 2 * count.total, "gradients": 2 * count.total, "optimizer": 12 * count.total}
    elif method in ("lora", "qlora"):
        base = PRECISIONS["bf16"] if method == "lora" else NF4_DOUBLE_QUANT
        adapters = lora_parameters(shape, lora_rank)
        parts = {"weights": weight_bytes(count, base), "lora": 4 * adapters, "gradients": 4 * adapters}
        parts["optimizer"] = 8 * adapters
    else:
        raise BadArgument(f"--train {method!r} is not one of full, lora, qlora")
    parts["activations"] = _activations(shape, work, checkpointing=checkpointing)
    parts["overhead"] = overhead(sum(parts.values()), work.gpus)
    label = method + (" + checkpointing" if checkpointing else "")
    notes = [Note("note_lora", {"rank": lora_rank})] if method != "full" else []
    return Breakdown(label, parts, work.gpus, notes)
