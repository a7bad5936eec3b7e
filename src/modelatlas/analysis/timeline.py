"""Releases over time: counts per month, quarter or year by domain or organization; newest; between dates."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd

from modelatlas.errors import BadArgument

__all__ = ["GROUPS", "Freq", "between", "newest", "releases"]

Freq = Literal["month", "quarter", "year"]
#: The columns a timeline is usually grouped by (any column of the frame will do).
GROUPS = ("domain", "organization", "country", "org_kind", "openness")
_PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}
_SHOWN = ["id", "name", "released", "date_precision", "domain", "organization_name", "parameters"]


def releases(frame: pd.DataFrame, *, freq: Freq = "quarter", by: str | None = "domain") -> pd.DataFrame:
    """How many models came out in each period, per group: columns ``period``, ``group``, ``count``.

    ``period`` is a label such as ``2023Q1``, ``2023-03`` or ``2023``; periods with no release inside the
    covered range are listed with a count of 0, so a chart shows the gaps. ``by=None`` counts all models.
    A model with several domains counts under its first.
    """
    if freq not in _PERIODS:
        raise BadArgument(f"unknown period {freq!r}: choose month, quarter or year")
    if by is not None and by not in frame.columns:
        raise BadArgument(f"cannot group by {by!r}: choose one of {', '.join(GROUPS)}")
    # the two columns counted filtered, not the frame (at a million models copying every column was
    # most of a timeline's time)
    released = frame["released"]
    dated = released.notna()
    periods = released[dated].dt.to_period(_PERIODS[freq])
    group = frame[by][dated].fillna("unknown").astype(str) if by else pd.Series("all", index=periods.index)
    counts = pd.crosstab(periods, group)
    if not counts.empty:
        span = pd.period_range(counts.index.min(), counts.index.max(), freq=_PERIODS[freq])
        counts = counts.reindex(span, fill_value=0)
    counts.index, counts.columns = counts.index.astype(str).rename("period"), counts.columns.astype(str)
    long = counts.reset_index().melt(id_vars="period", var_name="group", value_name="count")
    return long.sort_values(["period", "group"], ignore_index=True).astype({"count": "int64"})


def newest(frame: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` most recently released models, newest first."""
    if n < 1:
        raise BadArgument(f"n must be at least 1, not {n}")
    dated = frame[frame["released"].notna()]
    return dated.sort_values(["released", "id"], ascending=[False, True]).head(n)[_SHOWN]


def between(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The models released from ``start`` to ``end`` (both included), oldest first."""
    if end < start:
        raise BadArgument(f"the end {end} is before the start {start}")
    inside = (frame["released"] >= pd.Timestamp(start)) & (frame["released"] <= pd.Timestamp(end))
    return frame[inside].sort_values(["released", "id"])[_SHOWN]
