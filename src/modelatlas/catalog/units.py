"""Parse and format counts as people write them: ``7B``, ``6.2e9``, ``62亿``, ``1.5万亿``, ``340M``."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from modelatlas.errors import BadArgument

__all__ = ["date_bound", "format_count", "parse_count"]

_MULTIPLIERS: dict[str, int] = {
    "": 1,
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "million": 10**6,
    "mn": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "g": 10**9,
    "t": 10**12,
    "trillion": 10**12,
    "万": 10**4,
    "亿": 10**8,
    "万亿": 10**12,
    "千亿": 10**11,
    "百亿": 10**10,
    "十亿": 10**9,
}

_COUNT = re.compile(
    r"^\s*(?P<num>[0-9]+(?:[.,][0-9]+)*(?:e[+-]?[0-9]+)?)\s*(?P<unit>[a-z]*|[万亿千百十]+)\s*(?:个)?(?:参数|params?|parameters?)?\s*$",
    re.IGNORECASE,
)


def parse_count(text: str | int | float) -> int:
    """Turn ``7B``, ``6.2e9``, ``62亿`` or ``175 billion`` into an integer count.

    Raises:
        BadArgument: the text is not a count with a known unit.
    """
    if isinstance(text, bool):
        raise BadArgument(f"not a count: {text!r}")
    if isinstance(text, int):
        return text
    if isinstance(text, float):
        if text != text or text < 0:
            raise BadArgument(f"not a count: {text!r}")
        return int(Decimal(repr(text)))
    match = _COUNT.match(text.replace("_", ""))
    if not match:
        raise BadArgument(f"not a count: {text!r} (try 7B, 6.2e9, 340M or 62亿)")
    unit = match["unit"].lower()
    if unit not in _MULTIPLIERS:
        raise BadArgument(f"unknown unit {match['unit']!r} in {text!r} (known: K, M, B, T, 万, 亿, 万亿)")
    try:
        number = Decimal(match["num"].replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise BadArgument(f"not a count: {text!r}") from exc
    return int(number * _MULTIPLIERS[unit])


def format_count(value: int | None, *, lang: str = "en") -> str:
    """Format a count the short way: ``6.2B`` (English) or ``62亿`` (Chinese); empty for unknown."""
    if value is None:
        return ""
    if lang == "zh":
        for size, unit in ((10**12, "万亿"), (10**8, "亿"), (10**4, "万")):
            if value >= size:
                return f"{_trim(value / size)}{unit}"
        return str(value)
    for size, unit in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= size:
            return f"{_trim(value / size)}{unit}"
    return str(value)


def _trim(number: float) -> str:
    text = f"{number:.3g}" if number < 1000 else f"{number:.0f}"
    return text


def date_bound(text: str, *, end: bool) -> dt.date:
    """``text`` (2023, 2023-03 or 2023-03-14) as a date: its first day, or with ``end`` its last day, so
    that "released before 2023" keeps the whole of 2023.

    Raises:
        BadArgument: ``text`` is no such date.
    """
    from modelatlas.catalog.schema import PartialDate  # the schema reads counts with this module

    try:
        when = PartialDate.model_validate(text.strip())
    except ValueError as exc:
        raise BadArgument(f"{text!r} is not a date: write 2023, 2023-03 or 2023-03-14") from exc
    first, last = when.span()
    return last if end else first
