"""Comparing values from two sources: whether they agree, how far apart they are, how to show them."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

from modelatlas.catalog.schema import Model, PartialDate
from modelatlas.catalog.units import format_count, parse_count

__all__ = [
    "agree",
    "current",
    "dispute_value",
    "disputed",
    "hardware_key",
    "magnitude",
    "note_key",
    "same_count",
    "show",
]


def agree(mine: Any, theirs: Any, tolerance: float = 0.05) -> bool:
    """Whether two values say the same: numbers within ``tolerance``; dates at their common precision."""
    if isinstance(mine, PartialDate) and isinstance(theirs, PartialDate):
        coarse = "year" if "year" in (mine.precision, theirs.precision) else "month"
        if "day" == mine.precision == theirs.precision:
            return abs((mine.date - theirs.date).days) <= 31
        if coarse == "year":
            return mine.date.year == theirs.date.year
        months = (mine.date.year - theirs.date.year) * 12 + mine.date.month - theirs.date.month
        return abs(months) <= 1
    if isinstance(mine, int | float) and isinstance(theirs, int | float):
        return abs(mine - theirs) <= tolerance * max(abs(mine), abs(theirs))
    return bool(mine == theirs)


def same_count(mine: int, theirs: int) -> bool:
    """Whether two parameter counts say the same: within 5%, or one is the other written round.

    A count is written round in its largest unit: ``3B`` has one significant digit, so T5-3B's exact
    2.85B agrees with it, as LLaMA-7B's 6.7B does with 7B; ``10B`` has two, so 14B does not.
    """
    return agree(mine, theirs) or _rounds_to(theirs, mine) or _rounds_to(mine, theirs)


def _rounds_to(exact: int, written: int) -> bool:
    """Whether ``exact`` rounded to the significant digits ``written`` shows is ``written``."""
    if exact <= 0 or written <= 0:
        return False
    unit = next((u for u in (1e12, 1e9, 1e6, 1e3) if written >= u), 1.0)
    mantissa = f"{written / unit:.6g}"
    digits = len(mantissa.replace(".", "").lstrip("0")) if "." in mantissa else len(mantissa)
    scale = 10.0 ** (math.floor(math.log10(written)) - digits + 1)
    return bool(math.floor(exact / scale + 0.5) * scale == written)


def magnitude(kept: Any, other: Any) -> float:
    if isinstance(kept, PartialDate) and isinstance(other, PartialDate):
        return abs((kept.date - other.date).days) / 365.25
    if isinstance(kept, int | float) and isinstance(other, int | float) and kept > 0 and other > 0:
        return abs(math.log10(kept / other))
    return 0.1  # a different category (openness, a title): notable, but less than a 25% size gap


def disputed(target: Model, name: str, value: Any) -> bool:
    """Whether the catalog already rejects ``value`` for ``name`` (a dispute on record says so)."""
    for dispute in target.disputes:
        if dispute.field != name:
            continue
        if str(dispute.value) == str(value):
            return True
        try:
            if (
                isinstance(value, int)
                and parse_count(str(dispute.value).replace(" ", "").rstrip("个参数")) == value
            ):
                return True
        except ValueError:
            continue
    return False


def hardware_key(need: Any) -> tuple[Any, ...]:
    return (need.purpose, need.precision, need.gpu_memory_gb)


def note_key(note: Any) -> tuple[Any, ...]:
    return (str(note.date), note.note)


def show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(show(v) for v in value)
    if isinstance(value, BaseModel):
        for name in ("arxiv", "title", "name", "url", "model", "purpose"):
            if getattr(value, name, None):
                return str(getattr(value, name))
        return str(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return format_count(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def dispute_value(value: Any) -> str | float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return value


def current(model: Model, dotted: str, default: Any) -> Any:
    value: Any = model
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return default
    if hasattr(value, "total"):
        return value.total
    return value
