"""``trending``: which models gained the most downloads, likes or stars over a window, from the snapshots.

The value at the start of the window is the last snapshot at or before it; when the first snapshot of a
repo falls inside the window, that one is used instead and the row is marked ``partial`` (its gain covers
less than the whole window). A repo with a single snapshot has no growth to show and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy import Engine, select

from modelatlas.errors import BadArgument
from modelatlas.live.ledger import iso
from modelatlas.live.metrics import METRICS
from modelatlas.store import tables as T

__all__ = ["METRICS", "Trend", "trending"]

Order = Literal["gain", "relative"]


@dataclass(frozen=True, slots=True)
class Trend:
    models: tuple[str, ...]
    source: str
    ref: str
    metric: str
    start: float
    start_at: str
    end: float
    end_at: str
    gain: float
    per_day: float
    relative: float | None
    partial: bool

    def as_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["models"] = list(self.models)
        return row


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def trending(
    engine: Engine,
    owners: Mapping[tuple[str, str], tuple[str, ...]],
    *,
    metric: str,
    window: dt.timedelta,
    now: dt.datetime,
    top: int | None = 20,
    order: Order = "gain",
) -> list[Trend]:
    """The catalog's repos ranked by growth of ``metric`` over ``window`` ending at ``now``.

    ``owners`` maps ``(source, ref)`` to the ids of the catalog models that refer to it; snapshots of
    repos no catalog model refers to any more are left out.

    Raises:
        BadArgument: ``metric`` is not one of ``METRICS``.
    """
    if metric not in METRICS:
        raise BadArgument(f"unknown metric {metric!r}: choose one of {', '.join(METRICS)}")
    s = T.snapshots.c
    query = (
        select(s.source, s.ref, s.observed_at, s.value)
        .where(s.metric == metric, s.source == METRICS[metric], s.observed_at <= iso(now))
        .order_by(s.source, s.ref, s.observed_at)
    )
    series: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    with engine.connect() as conn:
        for source, ref, observed_at, value in conn.execute(query):
            series[(source, ref)].append((observed_at, value))
    start = iso(now - window)
    found = []
    for key, points in series.items():
        models = owners.get(key)
        if not models:
            continue
        trend = _trend(key, models, metric, points, start)
        if trend is not None:
            found.append(trend)
    if order == "relative":
        found.sort(key=lambda t: (-(t.relative if t.relative is not None else -1.0), -t.gain, t.ref))
    else:
        found.sort(key=lambda t: (-t.gain, t.ref))
    return found[:top] if top is not None else found


def _trend(
    key: tuple[str, str], models: tuple[str, ...], metric: str, points: list[tuple[str, float]], start: str
) -> Trend | None:
    end_at, end = points[-1]
    before = [p for p in points if p[0] <= start]
    partial = not before
    start_at, first = before[-1] if before else next(p for p in points if p[0] > start)
    if start_at == end_at:
        return None
    days = (_parse(end_at) - _parse(start_at)).total_seconds() / 86400
    gain = end - first
    return Trend(
        models=models,
        source=key[0],
        ref=key[1],
        metric=metric,
        start=first,
        start_at=start_at,
        end=end,
        end_at=end_at,
        gain=gain,
        per_day=gain / days if days > 0 else 0.0,
        relative=gain / first if first > 0 else None,
        partial=partial,
    )
