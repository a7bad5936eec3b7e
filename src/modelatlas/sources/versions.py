"""Dated versions in names: ``GPT-4 (Jun 2023)``, ``GPT-4o 2024-08-06``, ``DeepSeek-V3-0324``.

A dated name is the same model as its undated name, in a later snapshot. ``dated`` splits the date off;
the merge decides whether the row is the model's first release (the model itself) or a version of it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["Dated", "dated"]

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_YEAR = re.compile(
    r"^(?P<base>.*?\S)\s*\(\s*(?P<month>[A-Za-z]{3})[a-z]*\.?\s+(?P<year>(?:19|20)\d\d)\s*\)$"
)
_ISO = re.compile(r"^(?P<base>.*?\S)[\s_-]*\(?(?P<date>(?:19|20)\d\d-[01]\d-[0-3]\d)\)?$")
#: A four-digit snapshot tag at the end, read only against a known model: a month and day from January
#: to September (``-0613``, ``-0324``) or a year and month from the 2020s (``-2407``, ``-2507``). Others
#: are too like a size or a depth (``ResNet-1001``) to be read as dates.
_TAG = re.compile(r"^(?P<base>.*?[A-Za-z0-9.])-(?P<tag>0[1-9][0-3]\d|2\d(?:0[1-9]|1[0-2]))$")


@dataclass(frozen=True, slots=True)
class Dated:
    """A name split into the model's name, the version as the name writes it, and its month if known."""

    base: str
    version: str
    month: dt.date | None
    #: Only a four-digit tag (``-0324``): a version only if ``base`` is a known model.
    tag_only: bool = False


def dated(name: str) -> Dated | None:
    """``GPT-4 (Jun 2023)`` → ``Dated("GPT-4", "2023-06", 2023-06-01)``; None for an undated name.

    ``DeepSeek-V3-0324`` → ``Dated("DeepSeek-V3", "0324", None, tag_only=True)``: whether 0324 is a date
    (March 24) or something else is for the caller to decide by whether ``DeepSeek-V3`` is a model.
    """
    text = " ".join(name.split())
    return _split(text) if _may_be_dated(text) else None


def _split(text: str) -> Dated | None:
    """``dated`` of a name with its spaces made single, by the three patterns alone."""
    if found := _MONTH_YEAR.match(text):
        month = found["month"].casefold()
        if month in _MONTHS:
            year = int(found["year"])
            start = dt.date(year, _MONTHS.index(month) + 1, 1)
            return Dated(found["base"], f"{start:%Y-%m}", start)
    if found := _ISO.match(text):
        try:
            day = dt.date.fromisoformat(found["date"])
        except ValueError:
            return None
        return Dated(found["base"], found["date"], day.replace(day=1))
    if found := _TAG.match(text):
        return Dated(found["base"], found["tag"], None, tag_only=True)
    return None


def _may_be_dated(text: str) -> bool:
    """Whether ``text`` ends as one of the three patterns must: ``)`` (a month and year, a date in
    brackets), ``-DD`` (a date) or ``-NNNN`` (a tag). Most names end otherwise, and each pattern's
    lazy start tries every place in them before failing (a million names: 6 of the merge's seconds)."""
    return text.endswith(")") or text[-3:-2] == "-" or text[-5:-4] == "-"
