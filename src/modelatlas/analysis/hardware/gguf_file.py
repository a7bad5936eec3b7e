"""A GGUF file's header, read with the ``gguf`` package (llama.cpp's own reader), no weights loaded: the
bytes each tensor takes as stored, the shape the KV cache needs, and how many layers a card holds.

``read_gguf`` takes a path or the first bytes of a file (the web page sends the header, not gigabytes of
weights): at most ``MAX_HEADER`` bytes are read and written to a temporary file that is extended,
sparsely, past the end of the data they describe, since the reader maps every tensor's data too.

``offload`` answers llama.cpp's ``-ngl``: the most layers the card holds beside their KV cache, the
compute buffer and the CUDA context, and what stays in system RAM. As llama.cpp places them, the token
embedding stays in RAM, each offloaded layer takes its own weights and KV cache to the card, and the
output layer goes to the card only when every layer does (``-ngl`` = layers + 1).
"""

from __future__ import annotations

import re
import struct
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelatlas.analysis.hardware.memory import OVERHEAD_PER_GPU, Workload, kv_cache_bytes
from modelatlas.analysis.hardware.params import ParameterCount, Shape
from modelatlas.analysis.hardware.precision import Precision
from modelatlas.analysis.hardware.wording import Note
from modelatlas.errors import ConfigError

__all__ = ["GGUF_MAGIC", "MAX_HEADER", "GgufModel", "Offload", "offload", "read_gguf"]

#: The first bytes of every GGUF file.
GGUF_MAGIC = b"GGUF"
#: The most header bytes taken from a web request (a 150k-token vocabulary is a few MB of it).
MAX_HEADER = 64 * 1024**2
#: Tokens llama.cpp computes at once (its default ``-ub``), which sizes the compute buffer.
UBATCH = 512
#: The most fields, tensors or array items a header may declare (a 150k-token vocabulary is 150,000).
MAX_ITEMS = 4_000_000
#: GGUF value types (``gguf.GGUFValueType``) of fixed size, in bytes; 8 is a string, 9 an array.
_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9
#: How far past the header a header-only copy is extended (sparsely) so the reader can map the data.
_SPARSE = 2**40
_BLOCK = re.compile(r"blk\.(\d+)\.(.+)")


@dataclass(frozen=True, slots=True)
class GgufModel:
    """What a GGUF header says: its name and quantisation, the count, and the bytes by place."""

    origin: str
    name: str
    file_type: str
    count: ParameterCount
    shape: Shape
    weights: int  # bytes of every tensor, as stored
    per_layer: tuple[int, ...]  # bytes of each block's tensors
    embedding: int  # bytes of token_embd (kept in RAM by llama.cpp)
    output: int  # bytes of the output layer and norm (on the card only with -ngl > layers)

    def precision(self) -> Precision:
        """The file's own format, as a precision whose bits give exactly the file's bytes."""
        bits = 8 * self.weights / self.count.total
        return Precision(
            f"{self.file_type} (file)",
            bits,
            "all",
            bits,
            16,
            f"as stored in the file: {self.weights:,} bytes",
        )


@dataclass(frozen=True, slots=True)
class Offload:
    """llama.cpp with ``-ngl layers``: bytes on the card and in system RAM."""

    layers: int  # layers on the card (-ngl; layers + 1 puts the output layer there too)
    total_layers: int
    gpu: int
    ram: int

    def note(self, label: str) -> Note:
        """The split in one sentence, for the row ``label``."""
        values = {"label": label, "layers": self.layers, "total": self.total_layers}
        return Note("note_offload", {**values, "gpu": self.gpu / 2**30, "ram": self.ram / 2**30})


def read_gguf(source: Path | bytes, *, origin: str | None = None) -> GgufModel:
    """The header of the GGUF file at ``source``, or of the bytes ``source`` (a file's beginning).

    Raises:
        ConfigError: not a GGUF file, a header cut short, or an architecture without the sizes needed.
    """
    shown = origin or (str(source) if isinstance(source, Path) else "GGUF header")
    if isinstance(source, Path):
        try:
            with source.open("rb") as file:
                source = file.read(MAX_HEADER)
        except OSError as exc:
            raise ConfigError(shown, "", f"cannot be read: {exc.strerror or exc}") from None
    if not source.startswith(GGUF_MAGIC):
        raise ConfigError(shown, "", "not a GGUF file (it does not start with GGUF)")
    _check_bounds(source[:MAX_HEADER], shown)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "header.gguf"
        with copy.open("wb") as out:
            out.write(source[:MAX_HEADER])
            out.truncate(len(source[:MAX_HEADER]) + _SPARSE)  # sparse: the hole takes no disk
        return _read(copy, shown)


def _check_bounds(head: bytes, shown: str) -> None:
    """Walk the header's metadata and tensor list without building anything, and refuse it unless every
    count is plausible and every string and array lies within ``head``. The reader trusts the lengths
    it reads: past the bytes given it would read the zeros of the sparse copy, and a crafted count
    (10¹² strings in an array) kept it looping for hours; a length of 100 GB made it allocate that much.

    Raises:
        ConfigError: a count or length beyond the header's bytes or beyond ``MAX_ITEMS``.
    """
    at = 8  # magic and version

    def take(fmt: str) -> int:
        nonlocal at
        size = struct.calcsize(fmt)
        if at + size > len(head):
            raise ConfigError(shown, "", f"the header is cut short at byte {at:,}; send the file's beginning")
        (value,) = struct.unpack_from(fmt, head, at)
        at += size
        return int(value)

    def skip(count: int, size: int) -> None:
        nonlocal at
        if count > MAX_ITEMS or at + count * size > len(head):
            raise ConfigError(shown, "", f"a length of {count:,} at byte {at:,} runs past the header")
        at += count * size

    def value(kind: int) -> None:
        if kind == _STRING:
            skip(take("<Q"), 1)
        elif kind == _ARRAY:
            inner, count = take("<I"), take("<Q")
            if inner in _SIZES:
                skip(count, _SIZES[inner])
            elif count > MAX_ITEMS or inner not in (_STRING, _ARRAY):
                raise ConfigError(shown, "", f"an array of {count:,} items of type {inner} is not GGUF")
            else:
                for _ in range(count):
                    value(inner)
        elif kind in _SIZES:
            skip(1, _SIZES[kind])
        else:
            raise ConfigError(shown, "", f"value type {kind} at byte {at:,} is not GGUF")

    tensors, fields = take("<Q"), take("<Q")
    if tensors > MAX_ITEMS or fields > MAX_ITEMS:
        raise ConfigError(shown, "", f"{tensors:,} tensors and {fields:,} fields are not a model's header")
    for _ in range(fields):
        skip(take("<Q"), 1)  # the key
        value(take("<I"))
    for _ in range(tensors):
        skip(take("<Q"), 1)  # the name
        dims = take("<I")
        if dims > 8:
            raise ConfigError(shown, "", f"a tensor of {dims} dimensions is not GGUF")
        skip(dims, 8)
        skip(1, 4 + 8)  # type and offset


def _read(path: Path, shown: str) -> GgufModel:
    from gguf import GGUFReader  # a few hundred ms to import: only when a GGUF file is given

    try:
        reader = GGUFReader(path)
    except (ValueError, IndexError, OSError) as exc:
        raise ConfigError(shown, "", f"cannot be read as GGUF: {exc}") from None
    fields = {name: field.contents() for name, field in reader.fields.items() if not name.startswith("GGUF.")}
    arch = str(fields.get("general.architecture", ""))

    def number(key: str, default: int | None = None) -> int:
        value = fields.get(f"{arch}.{key}", default)
        if isinstance(value, list):  # per-layer values (some architectures): the first layer's
            value = value[0] if value else default
        if not isinstance(value, int):
            raise ConfigError(shown, f"{arch}.{key}", "missing: the header does not give this size")
        return value

    groups: defaultdict[str, int] = defaultdict(int)
    per_layer: defaultdict[int, int] = defaultdict(int)
    embedding = output = 0
    weights = 0
    for tensor in reader.tensors:
        size, elements = int(tensor.n_bytes), int(tensor.n_elements)
        weights += size
        found = _BLOCK.fullmatch(tensor.name)
        if found:
            per_layer[int(found[1])] += size
            part = found[2]
            kind = (
                "norm"
                if "norm" in part
                else "experts"
                if "_exps" in part
                else "attention"
                if part.startswith("attn_")
                else "mlp"
                if part.startswith("ffn_")
                else "other"
            )
            groups[kind] += elements
        elif tensor.name == "token_embd.weight":
            embedding += size
            groups["embedding"] += elements
        elif tensor.name.startswith("output"):
            output += size
            groups["norm" if "norm" in tensor.name else "head"] += elements
        else:
            groups["other"] += elements
    total = sum(groups.values())
    if not total:
        raise ConfigError(shown, "", "lists no tensors")
    layers, hidden, heads = number("block_count"), number("embedding_length"), number("attention.head_count")
    kv_heads = number("attention.head_count_kv", heads)
    key_length = number("attention.key_length", hidden // heads)
    value_length = number("attention.value_length", key_length)
    tokens = fields.get("tokenizer.ggml.tokens")
    embedded = [int(t.shape[-1]) for t in reader.tensors if t.name == "token_embd.weight"]
    vocab = (
        len(tokens) if isinstance(tokens, list) else (embedded[0] if embedded else number("vocab_size", 0))
    )
    context = fields.get(f"{arch}.context_length")
    shape = Shape(
        layers,
        hidden,
        heads,
        number("feed_forward_length", 4 * hidden),
        vocab,
        gated=any("ffn_gate" in t.name for t in reader.tensors),
        kv_per_token=layers * kv_heads * (key_length + value_length),
        q_dim=heads * key_length,
        kv_dim=kv_heads * key_length,
        max_context=context if isinstance(context, int) else None,
    )
    file_type = fields.get("general.file_type")
    count = ParameterCount(
        architecture=arch,
        model_class=f"GGUF {arch}",
        total=total,
        active=None,
        groups=dict(groups),
        shape=shape,
        exact=True,
        note=Note("note_gguf", {"tensors": len(reader.tensors)}),
    )
    return GgufModel(
        origin=shown,
        name=str(fields.get("general.name") or Path(shown).stem),
        file_type=_file_type(file_type),
        count=count,
        shape=shape,
        weights=weights,
        per_layer=tuple(per_layer[i] for i in sorted(per_layer)),
        embedding=embedding,
        output=output,
    )


def _file_type(value: Any) -> str:
    from gguf import LlamaFileType

    try:
        return LlamaFileType(int(value)).name.removeprefix("MOSTLY_")
    except (TypeError, ValueError):
        return "GGUF"


def offload(model: GgufModel, work: Workload, memory: int) -> Offload:
    """The most layers (``-ngl``) one card of ``memory`` bytes holds for ``work``, and the RAM the rest
    takes (the token embedding, the other layers and their KV cache); none when not one layer fits."""
    shape, layers = model.shape, len(model.per_layer)
    kv_per_layer = kv_cache_bytes(shape, work, bits=work.kv_bits or 16) // max(1, shape.layers)
    ubatch = min(work.context, UBATCH) * work.batch
    mlp = shape.intermediate * (2 if shape.gated else 1)
    compute = ubatch * (4 * shape.hidden + mlp) * 2 + ubatch * shape.vocab * 4
    everything = model.weights + kv_per_layer * layers

    def placed(on_card: int) -> Offload:
        held = min(on_card, layers)  # llama.cpp offloads the last layers first
        weights = sum(model.per_layer[layers - held :]) + (model.output if on_card > layers else 0)
        gpu = weights + kv_per_layer * held + compute + OVERHEAD_PER_GPU
        return Offload(on_card, layers, gpu, everything - weights - kv_per_layer * held)

    fitting = (placed(n) for n in range(layers + 1, 0, -1))
    return next((p for p in fitting if p.gpu <= memory), Offload(0, layers, 0, everything))
