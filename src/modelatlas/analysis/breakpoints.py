"""Where a trend changes pace: a search for one or two breakpoints in a log-linear trend.

Each era gets its own line (the lines need not meet, as in Sevilla et al. 2022, "Compute Trends Across
Three Eras of Machine Learning", arXiv:2202.05924). Every split that leaves at least ``min_points``
models on each side is tried; the residual sums of squares come from prefix sums, so the search is
exact and takes milliseconds for thousands of models. With no number of breaks given, the Bayesian
information criterion chooses between none, one and two.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from modelatlas.analysis.frame import METRICS
from modelatlas.analysis.growth import GrowthFit, fit_growth, frontier, points
from modelatlas.errors import BadArgument, NotEnoughData

__all__ = ["Breakpoints", "find_breakpoints"]

_MAX_CANDIDATES = 400


@dataclass(frozen=True, slots=True)
class Breakpoints:
    """The dates each new era starts on, the fit of every era, and the BIC of each number of breaks tried."""

    metric: str
    breaks: tuple[dt.date, ...]
    segments: tuple[GrowthFit, ...]
    bic: dict[int, float]

    def as_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "breaks": [b.isoformat() for b in self.breaks],
            "segments": [s.as_dict() for s in self.segments],
            "bic": {str(k): v for k, v in self.bic.items()},
        }


def find_breakpoints(
    frame: pd.DataFrame,
    metric: str,
    *,
    breaks: int | None = None,
    min_points: int | None = None,
    frontier_top: int | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> Breakpoints:
    """The best split of the ``metric`` trend into eras, with a fit (and interval) for each era.

    ``breaks`` forces one or two breakpoints; left out, BIC picks 0, 1 or 2. ``min_points`` (default:
    a tenth of the models, at least 8) is the fewest models an era may hold.

    Raises:
        BadArgument: ``breaks`` is not 0, 1 or 2.
        NotEnoughData: too few models to split that many times.
    """
    if breaks not in (None, 0, 1, 2):
        raise BadArgument(f"breaks must be 0, 1 or 2, not {breaks}")
    rows = points(frame, metric) if frontier_top is None else frontier(frame, metric, top=frontier_top)
    x = rows["decimal_year"].to_numpy(dtype=float)
    y = np.log10(rows[METRICS[metric][0]].to_numpy(dtype=float))
    least = min_points if min_points is not None else max(8, len(x) // 10)
    tried = [breaks] if breaks is not None else [0, 1, 2]
    sums = _Sums(x, y)
    found: dict[int, tuple[float, tuple[int, ...]]] = {}
    for count in tried:
        best = _search(sums, count, least)
        if best is not None:
            found[count] = best
    if not found:
        needed = (max(tried) + 1) * least
        raise NotEnoughData(f"{len(x)} models with {metric} are too few to split: {needed} needed")
    bic = {count: _bic(sse, len(x), count) for count, (sse, _) in found.items()}
    chosen = min(bic, key=bic.__getitem__)
    cuts = found[chosen][1]
    edges, on_frontier = [0, *cuts, len(x)], frontier_top is not None
    segments = tuple(
        replace(fit_growth(rows.iloc[lo:hi], metric, n_boot=n_boot, seed=seed), frontier=on_frontier)
        for lo, hi in itertools.pairwise(edges)
    )
    dates = tuple(rows["released"].iloc[cut].date() for cut in cuts)
    return Breakpoints(metric=metric, breaks=dates, segments=segments, bic=bic)


class _Sums:
    """Prefix sums of x, y, x², xy and y², so any run's least-squares residual costs O(1)."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = x
        zero = np.zeros(1)
        self.n = np.arange(len(x) + 1, dtype=float)
        self.sx, self.sy = (np.concatenate([zero, np.cumsum(v)]) for v in (x, y))
        self.sxx, self.sxy, self.syy = (np.concatenate([zero, np.cumsum(v)]) for v in (x * x, x * y, y * y))

    def sse(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Residual sum of squares of the line fitted to points ``lo:hi`` (arrays broadcast)."""
        n = self.n[hi] - self.n[lo]
        sx, sy = self.sx[hi] - self.sx[lo], self.sy[hi] - self.sy[lo]
        with np.errstate(divide="ignore", invalid="ignore"):  # empty runs (lo >= hi) are masked later
            vxx = self.sxx[hi] - self.sxx[lo] - sx * sx / n
            vxy = self.sxy[hi] - self.sxy[lo] - sx * sy / n
            vyy = self.syy[hi] - self.syy[lo] - sy * sy / n
            sse = np.where(vxx > 1e-12, vyy - vxy * vxy / vxx, vyy)
        clipped: np.ndarray = np.maximum(sse, 0.0)
        return clipped


def _search(sums: _Sums, count: int, least: int) -> tuple[float, tuple[int, ...]] | None:
    """The lowest total residual over ``count`` cuts, and the cuts (indices where an era starts)."""
    n = len(sums.x)
    if n < (count + 1) * least:
        return None
    if count == 0:
        return float(sums.sse(np.array(0), np.array(n))), ()
    # a cut falls where the date changes, so one day's models stay in one era
    cuts = np.flatnonzero(np.diff(sums.x) > 0) + 1
    cuts = cuts[(cuts >= least) & (cuts <= n - least)]
    if len(cuts) > _MAX_CANDIDATES:
        cuts = cuts[np.linspace(0, len(cuts) - 1, _MAX_CANDIDATES).round().astype(int)]
    if len(cuts) == 0:
        return None
    head = sums.sse(np.zeros_like(cuts), cuts)
    tail = sums.sse(cuts, np.full_like(cuts, n))
    if count == 1:
        at = int(np.argmin(head + tail))
        return float(head[at] + tail[at]), (int(cuts[at]),)
    first, second = cuts[:, None], cuts[None, :]
    total = head[:, None] + sums.sse(first, second) + tail[None, :]
    total = np.where(second - first >= least, total, np.inf)
    row, column = divmod(int(np.argmin(total)), total.shape[1])
    if not math.isfinite(float(total[row, column])):
        return None
    return float(total[row, column]), (int(cuts[row]), int(cuts[column]))


def _bic(sse: float, n: int, count: int) -> float:
    """BIC of a piecewise line with ``count`` breaks: two coefficients per era plus each break date."""
    parameters = 2 * (count + 1) + count + 1
    return n * math.log(max(sse, 1e-300) / n) + parameters * math.log(n)
