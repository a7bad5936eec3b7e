"""Exponential growth of a metric against release date: a log-linear fit with a bootstrap interval.

``log10(value) = intercept + slope · year`` by ordinary least squares; the growth per year is
``10 ** slope`` and the doubling time ``12 · log10(2) / slope`` months. The 90 % interval comes from
resampling the models with replacement (a case bootstrap, 2000 resamples by default, seeded so a rerun
prints the same figures) and taking the 5th and 95th percentiles of the refitted slope.

The frontier option keeps only the models that were among the ``top`` largest when released (by default
the ones that set a record), as trend studies of the largest models do.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from modelatlas.analysis.frame import METRICS
from modelatlas.errors import BadArgument, NotEnoughData

__all__ = ["GrowthFit", "doubling_months", "fit_growth", "fit_periods", "frontier", "points"]

_CHUNK = 256
#: At most this many resampled points a chunk of the bootstrap draws at once (each of its arrays 16 MB):
#: 256 resamples of the 746,030 models of a million-model store's default trend took over 10 GB.
_CHUNK_POINTS = 2_000_000
_LOG2 = math.log10(2)
#: A resample's spread of x at most this fraction of its sum of dx² is all its x equal, rounded.
_EQUAL = 1e-12


@dataclass(frozen=True, slots=True)
class GrowthFit:
    """A fitted exponential trend. ``ci90`` bounds ``growth_per_year``; ``doubling_ci90`` the doubling time.

    A metric that shrinks has ``growth_per_year`` below 1 and no doubling time (``None``).
    """

    metric: str
    n: int
    start: dt.date
    end: dt.date
    slope: float
    intercept: float
    r2: float
    growth_per_year: float
    doubling_months: float | None
    ci90: tuple[float, float]
    doubling_ci90: tuple[float | None, float | None]
    #: The mean release date (decimal year) of the fitted models: every fitted line passes near it.
    pivot: float = 0.0
    frontier: bool = False

    def predict(self, decimal_years: np.ndarray) -> np.ndarray:
        """The trend's value at each of ``decimal_years``."""
        return np.power(10.0, self.intercept + self.slope * np.asarray(decimal_years, dtype=float))

    def band(self, decimal_years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper values of the trend lines whose growth spans ``ci90``, pivoting at ``pivot``."""
        x = np.asarray(decimal_years, dtype=float) - self.pivot
        centre = self.intercept + self.slope * self.pivot
        lines = [centre + math.log10(rate) * x for rate in self.ci90]
        return np.power(10.0, np.minimum(*lines)), np.power(10.0, np.maximum(*lines))

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        data["ci90"], data["doubling_ci90"] = list(self.ci90), list(self.doubling_ci90)
        return data


def doubling_months(growth_per_year: float) -> float | None:
    """Months for a quantity growing ``growth_per_year``-fold a year to double; None if it does not grow."""
    return 12 * math.log(2) / math.log(growth_per_year) if growth_per_year > 1 else None


def points(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of ``frame`` with a release date and a positive ``metric``, oldest first.

    Raises:
        BadArgument: ``metric`` is not one of parameters, compute, tokens, cost.
    """
    if metric not in METRICS:
        raise BadArgument(f"unknown metric {metric!r}: choose one of {', '.join(METRICS)}")
    column = METRICS[metric][0]
    usable = frame["released"].notna() & (frame[column] > 0)
    rows = frame[usable]
    if rows["id"].is_monotonic_increasing:  # by id already (as read from the store): by date keeps it
        return rows.sort_values("released", kind="stable")
    return rows.sort_values(["released", "id"], kind="stable")


def frontier(frame: pd.DataFrame, metric: str, *, top: int = 1) -> pd.DataFrame:
    """The models that were among the ``top`` largest by ``metric`` of all released before them.

    With ``top=1`` these are the models that set a record: larger than every earlier one (equalling the
    record is not setting it).

    Models released on the same day are compared with earlier days only, not with each other.
    """
    if top < 1:
        raise BadArgument(f"top must be at least 1, not {top}")
    rows = points(frame, metric)
    values = rows[METRICS[metric][0]].to_numpy()
    earlier: list[float] = []  # negated and sorted: bisect counts the earlier values at least as large
    keep = np.zeros(len(rows), dtype=bool)
    for _, group in pd.Series(range(len(rows))).groupby(rows["released"].to_numpy(), sort=True):
        positions = group.to_numpy()
        for at in positions:
            keep[at] = bisect.bisect_right(earlier, -values[at]) < top
        for at in positions:
            bisect.insort(earlier, -values[at])
    return rows[keep]


def fit_growth(
    frame: pd.DataFrame,
    metric: str,
    *,
    frontier_top: int | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> GrowthFit:
    """Fit ``metric`` against release date over the models of ``frame`` (filter it with ``select``).

    ``frontier_top`` fits only the frontier (see ``frontier``); ``n_boot`` resamples give the interval.

    Raises:
        BadArgument: an unknown metric, or fewer than 100 resamples asked for.
        NotEnoughData: fewer than three models with a date and the metric, or all on one date.
    """
    if n_boot < 100:
        raise BadArgument(f"n_boot must be at least 100 for a 90% interval, not {n_boot}")
    rows = points(frame, metric) if frontier_top is None else frontier(frame, metric, top=frontier_top)
    x = rows["decimal_year"].to_numpy(dtype=float)
    y = np.log10(rows[METRICS[metric][0]].to_numpy(dtype=float))
    _check_spread(metric, x)
    slope, intercept, r2 = _ols(x, y)
    low, high = np.percentile(_bootstrap(x, y, n_boot, seed), [5, 95])
    growth = 10.0**slope
    ci = (float(10.0**low), float(10.0**high))
    return GrowthFit(
        metric=metric,
        n=len(x),
        start=rows["released"].iloc[0].date(),
        end=rows["released"].iloc[-1].date(),
        slope=slope,
        intercept=intercept,
        r2=r2,
        growth_per_year=growth,
        doubling_months=doubling_months(growth),
        ci90=ci,
        doubling_ci90=(doubling_months(ci[1]), doubling_months(ci[0])),
        pivot=float(x.mean()),
        frontier=frontier_top is not None,
    )


def fit_periods(
    frame: pd.DataFrame, metric: str, bounds: Sequence[dt.date], **options: int
) -> list[GrowthFit]:
    """One fit per period between consecutive ``bounds`` (the last period includes its end date)."""
    if len(bounds) < 2 or list(bounds) != sorted(bounds):
        raise BadArgument("periods need at least two dates in increasing order")
    fits = []
    for number, (start, end) in enumerate(itertools.pairwise(bounds), start=1):
        inside = frame["released"] >= pd.Timestamp(start)
        last = number == len(bounds) - 1
        inside &= frame["released"] <= pd.Timestamp(end) if last else frame["released"] < pd.Timestamp(end)
        fits.append(fit_growth(frame[inside], metric, **options))
    return fits


def _check_spread(metric: str, x: np.ndarray) -> None:
    if len(x) < 3:
        found = "none" if len(x) == 0 else f"only {len(x)}"
        needs = f"a {metric} trend needs at least 3 models with a release date and {metric}"
        raise NotEnoughData(f"{needs}: {found}", key="err_too_few", values={"metric": metric, "n": len(x)})
    if np.ptp(x) == 0:
        raise NotEnoughData(
            f"all {len(x)} models with {metric} were released on the same date",
            key="err_same_date",
            values={"metric": metric, "n": len(x)},
        )


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    dx, dy = x - x.mean(), y - y.mean()
    slope = float((dx * dy).sum() / (dx * dx).sum())
    intercept = float(y.mean() - slope * x.mean())
    total = float((dy * dy).sum())
    residual = float(((dy - slope * dx) ** 2).sum())
    return slope, intercept, 1.0 - residual / total if total > 0 else 1.0


def _bootstrap(x: np.ndarray, y: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """The OLS slope of ``n_boot`` case resamples (resamples with all x equal are dropped).

    A resample is the number of times it draws each model; its slope comes from the sums of those
    counts times each model's ``dx``, ``dy``, ``dx²`` and ``dx·dy`` (centred on the means of all the
    models), one product of matrices a chunk, not from gathering the drawn points: the same draws, the
    same slopes but for rounding (at a million models the default trend's 500 resamples took 10 s,
    most of it gathering drawn points scattered over the arrays; counting them 5.5 s)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    dx, dy = x - x.mean(), y - y.mean()
    terms = np.column_stack([dx, dy, dx * dx, dx * dy])
    slopes = []
    chunk = max(1, min(_CHUNK, _CHUNK_POINTS // max(n, 1)))  # the draws are the same in any chunks
    for size in [chunk] * (n_boot // chunk) + [n_boot % chunk]:
        picks = rng.integers(0, n, size=(size, n))
        picks += np.arange(0, size * n, n)[:, np.newaxis]  # each resample's own n places
        counts = np.bincount(picks.ravel(), minlength=size * n).reshape(size, n)
        sx, sy, sxx, sxy = (counts.astype(float) @ terms).T
        spread = sxx - sx * sx / n
        # all x equal: the spread is rounding, a tiny fraction of sxx (or 0 where dx is 0)
        good = spread > _EQUAL * sxx
        slopes.append((sxy - sx * sy / n)[good] / spread[good])
    return np.concatenate(slopes)
