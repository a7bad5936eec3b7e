"""Growth fits on synthetic data with a known rate: the rate is recovered and the 90% interval covers it."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from modelatlas.analysis.breakpoints import find_breakpoints
from modelatlas.analysis.growth import doubling_months, fit_growth, fit_periods, frontier
from modelatlas.errors import BadArgument, NotEnoughData

TRUE_SLOPE = 0.5  # log10 per year: ×3.16 a year, doubling every 7.22 months


def synthetic(
    n: int, seed: int, *, slopes: tuple[float, ...] = (TRUE_SLOPE,), breaks: tuple[float, ...] = (), noise=0.4
) -> pd.DataFrame:
    """``n`` models released uniformly over 2000–2020 whose log10 parameters follow a piecewise line."""
    rng = np.random.default_rng(seed)
    years = np.sort(rng.uniform(2000, 2020, n))
    log10 = np.full(n, 6.0)
    edges = [2000.0, *breaks, 2020.0]
    level = 6.0
    for slope, (lo, hi) in zip(slopes, itertools.pairwise(edges), strict=True):
        inside = (years >= lo) & (years < hi) if hi < 2020 else years >= lo
        log10[inside] = level + slope * (years[inside] - lo)
        level += slope * (hi - lo)
    log10 += rng.normal(0, noise, n)
    released = pd.to_datetime([f"{int(y)}-01-01" for y in years]) + pd.to_timedelta(
        (years % 1) * 365, unit="D"
    )
    released = released.normalize()
    return pd.DataFrame(
        {
            "id": [f"m{i:04d}" for i in range(n)],
            "name": [f"Model {i}" for i in range(n)],
            "released": released,
            "decimal_year": released.year + (released.day_of_year - 1) / (365 + released.is_leap_year),
            "parameters": 10.0**log10,
            "compute": np.nan,
            "tokens": np.nan,
            "cost_usd": np.nan,
        }
    )


def test_recovers_known_growth_rate_within_its_interval() -> None:
    fit = fit_growth(synthetic(300, seed=1), "parameters")
    truth = 10**TRUE_SLOPE
    assert fit.n == 300
    assert fit.ci90[0] < truth < fit.ci90[1]
    assert fit.growth_per_year == pytest.approx(truth, rel=0.05)
    assert fit.doubling_months == pytest.approx(12 * math.log10(2) / TRUE_SLOPE, rel=0.05)
    fast, slow = fit.doubling_ci90
    assert fast is not None and slow is not None and fast < fit.doubling_months < slow


def test_interval_covers_the_truth_about_ninety_percent_of_the_time() -> None:
    truth = 10**TRUE_SLOPE
    covered = [
        fit.ci90[0] <= truth <= fit.ci90[1]
        for fit in (fit_growth(synthetic(80, seed=s), "parameters", n_boot=400, seed=s) for s in range(60))
    ]
    assert 0.8 <= sum(covered) / len(covered) <= 0.98


def test_interval_narrows_with_more_models() -> None:
    small = fit_growth(synthetic(30, seed=3), "parameters")
    large = fit_growth(synthetic(1000, seed=3), "parameters")
    assert large.ci90[1] - large.ci90[0] < (small.ci90[1] - small.ci90[0]) / 3


def test_same_seed_gives_the_same_interval_and_another_seed_a_different_one() -> None:
    frame = synthetic(100, seed=5)
    assert fit_growth(frame, "parameters", seed=7).ci90 == fit_growth(frame, "parameters", seed=7).ci90
    assert fit_growth(frame, "parameters", seed=7).ci90 != fit_growth(frame, "parameters", seed=8).ci90


def test_shrinking_metric_has_no_doubling_time() -> None:
    fit = fit_growth(synthetic(100, seed=2, slopes=(-0.3,), noise=0.1), "parameters")
    assert fit.growth_per_year < 1
    assert fit.doubling_months is None
    assert doubling_months(2.0) == pytest.approx(12.0)
    assert doubling_months(0.5) is None


def test_band_brackets_the_fitted_line() -> None:
    fit = fit_growth(synthetic(200, seed=4), "parameters")
    years = np.array([2001.0, fit.pivot, 2019.0])
    low, high = fit.band(years)
    line = fit.predict(years)
    assert np.all(low <= line * (1 + 1e-9)) and np.all(line <= high * (1 + 1e-9))
    assert high[0] / low[0] > 1.01 and high[2] / low[2] > 1.01  # wide at the ends, narrow at the pivot
    assert high[1] / low[1] == pytest.approx(1.0)


def test_frontier_keeps_only_record_setters() -> None:
    frame = synthetic(6, seed=0, noise=0)
    frame["parameters"] = [10.0, 5.0, 20.0, 20.0, 15.0, 40.0]
    assert list(frontier(frame, "parameters")["parameters"]) == [10.0, 20.0, 40.0]
    assert list(frontier(frame, "parameters", top=2)["parameters"]) == [10.0, 5.0, 20.0, 20.0, 40.0]


def test_models_released_on_the_same_day_do_not_hide_each_other_from_the_frontier() -> None:
    frame = synthetic(3, seed=0, noise=0)
    frame["released"] = pd.to_datetime(["2020-01-01", "2021-01-01", "2021-01-01"])
    frame["parameters"] = [1.0, 5.0, 3.0]
    assert set(frontier(frame, "parameters")["parameters"]) == {1.0, 5.0, 3.0}


def test_frontier_fit_is_steeper_than_the_cloud_when_records_grow_faster() -> None:
    frame = synthetic(400, seed=9, noise=0.8)
    assert fit_growth(frame, "parameters", frontier_top=1).frontier is True
    assert fit_growth(frame, "parameters", frontier_top=1).n < 60


def test_too_few_models_or_one_date_is_a_clear_error() -> None:
    with pytest.raises(NotEnoughData, match="at least 3 models"):
        fit_growth(synthetic(2, seed=0), "parameters")
    same_day = synthetic(5, seed=0).assign(decimal_year=2020.0)
    with pytest.raises(NotEnoughData, match="same date"):
        fit_growth(same_day, "parameters")
    with pytest.raises(NotEnoughData, match="compute: none"):
        fit_growth(synthetic(50, seed=0), "compute")
    with pytest.raises(BadArgument, match="unknown metric 'flops'"):
        fit_growth(synthetic(50, seed=0), "flops")


def test_fits_over_chosen_periods() -> None:
    frame = synthetic(600, seed=11, slopes=(0.2, 0.7), breaks=(2010.0,), noise=0.2)
    early, late = fit_periods(
        frame, "parameters", [dt.date(2000, 1, 1), dt.date(2010, 1, 1), dt.date(2020, 12, 31)]
    )
    assert early.growth_per_year == pytest.approx(10**0.2, rel=0.05)
    assert late.growth_per_year == pytest.approx(10**0.7, rel=0.05)
    assert early.end < dt.date(2010, 1, 1) <= late.start
    with pytest.raises(BadArgument, match="increasing order"):
        fit_periods(frame, "parameters", [dt.date(2010, 1, 1), dt.date(2000, 1, 1)])


def test_breakpoint_search_finds_the_change_of_pace() -> None:
    frame = synthetic(600, seed=12, slopes=(0.15, 0.6), breaks=(2010.0,), noise=0.25)
    found = find_breakpoints(frame, "parameters", n_boot=300)
    assert len(found.breaks) >= 1
    first = found.breaks[0]
    assert abs((first - dt.date(2010, 1, 1)).days) < 365
    assert found.segments[0].growth_per_year == pytest.approx(10**0.15, rel=0.1)
    assert found.bic[1] < found.bic[0]


def test_two_breakpoints_when_asked() -> None:
    frame = synthetic(900, seed=13, slopes=(0.1, 0.7, 0.2), breaks=(2007.0, 2014.0), noise=0.15)
    found = find_breakpoints(frame, "parameters", breaks=2, n_boot=300)
    assert [b.year for b in found.breaks] in ([2006, 2014], [2007, 2013], [2007, 2014], [2006, 2013])
    rates = [segment.growth_per_year for segment in found.segments]
    assert rates[1] == pytest.approx(10**0.7, rel=0.1)
    assert sum(segment.n for segment in found.segments) == 900


def test_no_breakpoint_in_a_straight_trend() -> None:
    found = find_breakpoints(synthetic(400, seed=14), "parameters", n_boot=300)
    assert found.breaks == ()
    assert found.segments[0].n == 400


def test_breakpoints_need_enough_models() -> None:
    with pytest.raises(NotEnoughData, match="too few to split"):
        find_breakpoints(synthetic(10, seed=0), "parameters", breaks=2, min_points=8)
    with pytest.raises(BadArgument, match="0, 1 or 2"):
        find_breakpoints(synthetic(100, seed=0), "parameters", breaks=3)


def test_the_bootstrap_draws_the_same_resamples_in_chunks_of_any_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large selection is resampled in smaller chunks (memory): the same resamples, their slopes equal
    but for the rounding of sums made in other shapes of matrices."""
    from modelatlas.analysis import growth

    rng = np.random.default_rng(1)
    x = rng.random(3000) * 10
    y = 0.3 * x + rng.random(3000)
    whole = growth._bootstrap(x, y, 500, 0)
    monkeypatch.setattr(growth, "_CHUNK_POINTS", 3000 * 7)  # 7 resamples a chunk, not 256
    chunked = growth._bootstrap(x, y, 500, 0)
    assert len(whole) == len(chunked) == 500
    np.testing.assert_allclose(whole, chunked, rtol=1e-12, atol=0)
    assert not np.allclose(whole[:-1], chunked[1:])


def _bootstrap_as_written(x: np.ndarray, y: np.ndarray, n_boot: int, seed: int, chunk: int) -> np.ndarray:
    """The bootstrap as first written (the drawn points gathered), the figures it must keep; a resample
    whose x are all equal dropped (the first version kept some, its spread rounding above 0)."""
    rng = np.random.default_rng(seed)
    slopes = []
    for size in [chunk] * (n_boot // chunk) + [n_boot % chunk]:
        picks = rng.integers(0, len(x), size=(size, len(x)))
        xs, ys = x[picks], y[picks]
        dx = xs - xs.mean(axis=1, keepdims=True)
        dy = ys - ys.mean(axis=1, keepdims=True)
        good = xs.max(axis=1) > xs.min(axis=1)
        slopes.append((dx * dy).sum(axis=1)[good] / (dx * dx).sum(axis=1)[good])
    return np.concatenate(slopes)


@pytest.mark.parametrize(
    "x",
    [
        [2000.0, 2003.4],
        [2006.9, 2006.9, 2001.4],  # resamples of the first two points alone: x all equal, their spread
        # rounding above 0 (with a bare spread > 0 test 270 resamples kept, not 256)
        [2000.0, 2020.0, 2020.1],  # the last two alone: a spread 1e-4 of their sum of dx², kept
        np.round(np.random.default_rng(5).random(3001) * 10, 1) + 2000,
    ],
)
def test_the_bootstrap_gives_the_slopes_of_the_resampled_points(
    x: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting each model's draws gives the slopes that gathering the drawn points gave, resample by
    resample (rounding apart), and drops the same resamples: those whose x are all equal (the first
    version kept some of them, with slopes such as 0 or -0.5 made of rounding)."""
    from modelatlas.analysis import growth

    points = np.array(x)
    y = 0.3 * points + np.random.default_rng(5).random(len(points))
    monkeypatch.setattr(growth, "_CHUNK_POINTS", len(points) * 37)  # chunks of 37 and a last of 30
    found = growth._bootstrap(points, y, 400, 3)
    expected = _bootstrap_as_written(points, y, 400, 3, min(256, 37))
    assert len(found) == len(expected)
    assert (len(found) < 400) == (len(points) <= 3)
    np.testing.assert_allclose(found, expected, rtol=1e-9, atol=0)
    if len(points) > 3:  # resample by resample, not shifted
        assert not np.allclose(found[:-1], expected[1:])


def test_points_are_by_date_then_id_whatever_order_the_frame_is_in() -> None:
    from modelatlas.analysis.growth import points

    day = [pd.Timestamp("2020-01-01"), pd.Timestamp("2019-01-01"), pd.Timestamp("2020-01-01")]
    frame = pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "released": [*day, pd.NaT], "parameters": [1.0, 2.0, 3.0, 4.0]}
    )
    assert list(points(frame, "parameters")["id"]) == ["b", "a", "c"]  # by id already
    backwards = frame.iloc[::-1]
    assert list(points(backwards, "parameters")["id"]) == ["b", "a", "c"]  # not by id: sorted by both
    assert list(points(backwards, "parameters").index) == [1, 0, 2]
