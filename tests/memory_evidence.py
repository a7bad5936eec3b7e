"""Our memory estimates beside the published figures of ``fixtures/memory_published.yaml`` (issue 20).

Each figure is estimated under the conditions its source states: the weights format (bitsandbytes 8-bit
and the models' own ``.quantize(8)`` as ``int8``, GPTQ/AWQ as ``gptq``/``awq``, NF4 as ``nf4``, other
4-bit weight-only schemes as ``int4``), the batch, an int8 KV cache where the source quantised it, and
the tokens in context, or 2,048 when the source leaves them open. A ``weights_only`` figure is compared
with our weights alone, every other kind with our total. GGUF ``Q4_0`` figures (llama.cpp on a CPU) and
figures of unstated precision are left out.

    .venv/bin/python -m tests.memory_evidence     # the table in docs/hardware.md
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from modelatlas.analysis.hardware.configs import read_config
from modelatlas.analysis.hardware.memory import Workload, inference
from modelatlas.analysis.hardware.params import count_parameters
from modelatlas.analysis.hardware.precision import PRECISIONS

FIGURES = Path(__file__).parent / "fixtures" / "memory_published.yaml"
CONFIGS = Path(__file__).parents[1] / "catalog" / "configs"
#: Tokens in context when the source does not say.
UNSTATED_CONTEXT = 2048
#: How close an estimate must come to count as agreeing.
TOLERANCE = 0.15
_UNITS = {"GB": 1e9, "G": 1e9, "GiB": 2**30, "MiB": 2**20, "MB": 1e6}


@dataclass(frozen=True, slots=True)
class Comparison:
    model: str
    precision: str
    context: int
    batch: int
    kind: str
    published: float  # bytes
    ours: float  # bytes
    source: str
    unclear: bool

    @property
    def ratio(self) -> float:
        return self.ours / self.published

    @property
    def agrees(self) -> bool:
        return abs(self.ratio - 1) <= TOLERANCE


def precision_of(figure: dict[str, Any]) -> str | None:
    """Our weights format for a published figure's, or None when we have no match for it."""
    weights = str(figure.get("weights_precision") or "").lower()
    method = str(figure.get("quant_method") or "").lower()
    if "q4_0" in method or weights.startswith(("not stated", "none", "fp8")) or not weights:
        return None
    if "gptq" in method:
        return "gptq" if weights == "int4" else "int8"
    if "awq" in method:
        return "awq"
    if weights == "nf4" or "nf4" in method:
        return "nf4"
    if weights in ("int8", "int4"):
        return weights
    return "fp16" if ("fp16" in weights or "bf16" in weights) else None


def comparisons() -> list[Comparison]:
    """Every published figure of a bundled config that we can estimate under its conditions."""
    found = []
    for figure in yaml.safe_load(FIGURES.read_text(encoding="utf-8")):
        precision = precision_of(figure)
        if not figure.get("config") or precision is None:
            continue
        count = count_parameters(read_config(CONFIGS / figure["config"]), origin=figure["config"])
        kv_bits = 8 if "int8" in str(figure.get("kv_precision") or "").lower() else None
        work = Workload(
            context=figure.get("context_tokens") or UNSTATED_CONTEXT,
            batch=figure.get("batch") or 1,
            kv_bits=kv_bits,
        )
        row = inference(count, PRECISIONS[precision], work)
        found.append(
            Comparison(
                model=figure["model_repo"],
                precision=precision + (" (KV int8)" if kv_bits else ""),
                context=work.context,
                batch=work.batch,
                kind=figure["kind"],
                published=figure["figure"] * _UNITS[figure["unit"]],
                ours=row.parts["weights"] if figure["kind"] == "weights_only" else row.total,
                source=figure["source_url"],
                unclear="conditions_unclear" in figure,
            )
        )
    return found


def table(rows: list[Comparison]) -> str:
    lines = [
        "| model | ours as | context × batch | published (kind) | ours | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for c in rows:
        mark = "" if c.agrees else " ✗"
        lines.append(
            f"| {c.model} | {c.precision} | {c.context:,} × {c.batch} | {c.published / 2**30:.2f} GiB "
            f"({c.kind.replace('_', ' ')}{', conditions unclear' if c.unclear else ''}) | "
            f"{c.ours / 2**30:.2f} GiB | {c.ratio:.2f}{mark} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    rows = comparisons()
    print(table(rows))
    agreeing = {c.model for c in rows if c.agrees}
    print(
        f"\n{len(rows)} figures of {len({c.model for c in rows})} models; "
        f"{sum(c.agrees for c in rows)} within {TOLERANCE:.0%}, covering {len(agreeing)} models"
    )
