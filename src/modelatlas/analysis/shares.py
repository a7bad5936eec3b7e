"""Openness and geography over time: shares of open weights, of countries and of organization kinds."""

from __future__ import annotations

import pandas as pd

from modelatlas.analysis.timeline import Freq, releases

__all__ = ["open_share", "share_by"]


def open_share(frame: pd.DataFrame, *, freq: Freq = "year") -> pd.DataFrame:
    """Per period: ``n`` models released, ``open`` with downloadable weights, and ``share`` (0–1).

    Models whose openness is unknown are left out of both counts, so the share is of the known ones.
    """
    known = frame[frame["openness"].notna()].assign(weights=lambda f: f["open_weights"].map(_label))
    counts = releases(known, freq=freq, by="weights")
    wide = counts.pivot_table(index="period", columns="group", values="count", aggfunc="sum", fill_value=0)
    table = pd.DataFrame(
        {
            "period": wide.index.astype(str),
            "n": wide.sum(axis=1).to_numpy(),
            "open": (wide["open"] if "open" in wide else pd.Series(0, index=wide.index)).to_numpy(),
        }
    )
    table = table[table["n"] > 0].reset_index(drop=True)
    table["share"] = table["open"] / table["n"]
    return table


def share_by(frame: pd.DataFrame, column: str, *, freq: Freq = "year") -> pd.DataFrame:
    """Per period and value of ``column`` (``country``, ``org_kind``…): ``count`` and its ``share``."""
    counts = releases(frame, freq=freq, by=column)
    totals = counts.groupby("period")["count"].transform("sum")
    counts["share"] = counts["count"] / totals
    return counts[counts["count"] > 0].reset_index(drop=True)


def _label(is_open: bool) -> str:
    return "open" if is_open else "closed"
