"""`trends` and `report`: how fast parameters, compute, data and cost grow; the whole picture as a report."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from modelatlas.cli._common import DbOpt, FormatOpt, LangOpt, date_bound, settings, store_connection
from modelatlas.cli._filters import with_filters
from modelatlas.cli._output import Format, counting_bar, emit, emit_json, stdout
from modelatlas.errors import BadArgument

if TYPE_CHECKING:
    import pandas as pd

    from modelatlas.analysis.breakpoints import Breakpoints
    from modelatlas.analysis.frame import Selection
    from modelatlas.analysis.growth import GrowthFit
    from modelatlas.config import Settings

__all__ = ["register", "selection_options"]


class MetricName(enum.StrEnum):
    parameters = "parameters"
    compute = "compute"
    tokens = "tokens"
    cost = "cost"


class EstimatesChoice(enum.StrEnum):
    include = "include"
    exclude = "exclude"
    only = "only"


EstimatesOpt = Annotated[
    EstimatesChoice,
    typer.Option(
        help="Values no maker states (third-party estimates such as Epoch AI's, and 6·N·D compute): "
        "include them (marked in charts), exclude them, or use only them."
    ),
]


def register(app: typer.Typer) -> None:
    app.command("trends")(trends)
    app.command("report")(report)


#: The trends' filters: the shared ones (``cli._filters``), the notable models by default, and
#: ``--since`` and ``--until`` as before for ``--released-after`` and ``--released-before``.
_trend_filters = with_filters(
    defaults={"population": "notable"},
    aliases={"released_after": ("--since",), "released_before": ("--until",)},
)


def selection_options(
    config: Settings, filters: dict[str, Any], estimates: str = "include"
) -> tuple[Selection, Selection]:
    """The command-line filters as a ``Selection``: as asked (organizations as ids), and as the analysis
    table can apply it (what it has no column for, text, modality and base, as the ids of the models
    ``list`` finds: ``store.browse.for_frame``)."""
    from modelatlas.analysis.frame import EstimatesMode, Selection
    from modelatlas.store.browse import for_frame
    from modelatlas.store.filter_sql import named

    chosen = Selection(**filters, estimates=cast(EstimatesMode, estimates))
    with store_connection(config) as conn:
        return named(conn, chosen), for_frame(conn, chosen)


@_trend_filters
def trends(
    metric: Annotated[
        MetricName, typer.Option("--metric", "-m", help="What grows: parameters, compute, tokens or cost.")
    ] = MetricName.parameters,
    estimates: EstimatesOpt = EstimatesChoice.include,
    frontier: Annotated[
        bool, typer.Option("--frontier", help="Fit only models that set a record when released.")
    ] = False,
    top: Annotated[
        int, typer.Option(min=1, help="With --frontier: count a model in the top N when released.")
    ] = 1,
    breaks: Annotated[
        str | None,
        typer.Option(help="Find eras: auto (BIC picks 0, 1 or 2 breakpoints), 1 or 2."),
    ] = None,
    periods: Annotated[
        str | None,
        typer.Option(help="Fit each period between these years or dates: 2010,2018,2024."),
    ] = None,
    boot: Annotated[int, typer.Option(min=100, help="Bootstrap resamples for the 90% interval.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap (same seed, same interval).")] = 0,
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
    *,
    filters: dict[str, Any],
) -> None:
    """Growth per year and doubling time of a metric against release date, with a 90% bootstrap interval.

    A log-linear least-squares fit over the notable models (those meeting Epoch AI's notability criteria,
    and the curated catalog; --population all for every model) with a release date and the metric.
    Estimates (a third party's, or compute as 6·N·D where only parameters and tokens are stated) are
    included and counted.

    Examples:
      modelatlas trends --metric compute --since 2010
      modelatlas trends --metric compute --since 2010 --population all --estimates exclude
      modelatlas trends --metric parameters --domain nlp --frontier --breaks auto
    """
    from modelatlas.analysis.frame import described, load_frame, select
    from modelatlas.analysis.growth import fit_growth, fit_periods
    from modelatlas.report.headlines import headline, metric_label

    config = settings(db=db, lang=lang)
    asked, chosen = selection_options(config, filters, estimates.value)
    frame = select(load_frame(config.db, chosen), chosen)  # only the chosen models' rows in a large store
    notable = chosen.population == "notable"
    options: dict[str, Any] = {"n_boot": boot, "seed": seed, "frontier_top": top if frontier else None}
    overall = fit_growth(frame, metric.value, **options)
    eras = _eras(frame, metric.value, breaks, options)
    bounds = _bounds(periods) if periods else []
    spans = fit_periods(frame, metric.value, bounds, **options) if periods else []
    estimated = _estimated(frame, metric.value)
    if fmt is Format.json:
        emit_json(
            {
                **overall.as_dict(),
                "estimated": estimated,
                "selected": len(frame),
                "selection": described(asked),
                "breakpoints": eras.as_dict() if eras else None,
                "periods": [fit.as_dict() for fit in spans],
            }
        )
        return
    scope = (
        {"notable": "重要模型", "all": "全部"}[chosen.population]
        if config.lang == "zh"
        else chosen.population
    )
    rows = [_row(scope, overall, config.lang)]
    if eras:
        rows += [_row(f"era {n}", fit, config.lang) for n, fit in enumerate(eras.segments, start=1)]
    periods_ = zip(itertools.pairwise(bounds), spans, strict=False)
    rows += [_row(f"{lo}…{hi}", fit, config.lang) for (lo, hi), fit in periods_]
    if fmt is Format.table:
        console = stdout()
        console.print(headline(overall, config.lang, notable=notable), markup=False)
        if estimated:
            console.print(_estimate_note(estimated, config.lang), markup=False)
    emit(rows, _columns(config.lang), fmt, title=metric_label(metric.value, config.lang))


def _eras(
    frame: pd.DataFrame, metric: str, breaks: str | None, options: dict[str, Any]
) -> Breakpoints | None:
    if breaks is None:
        return None
    if breaks not in ("auto", "1", "2"):
        raise BadArgument(f"--breaks {breaks!r}: use auto, 1 or 2")
    from modelatlas.analysis.breakpoints import find_breakpoints

    return find_breakpoints(frame, metric, breaks=None if breaks == "auto" else int(breaks), **options)


def _bounds(text: str) -> list[dt.date]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    return [bound for part in parts if (bound := date_bound(part, "--periods", end=False))]


def _estimated(frame: pd.DataFrame, metric: str) -> int:
    """How many of the fitted values are estimates: a third party's, or 6·N·D."""
    from modelatlas.analysis.frame import KINDS, METRICS

    column = METRICS[metric][0]
    kind = frame[KINDS[column]]
    return int((kind.isin(["6ND", "estimate"]) & frame[column].notna() & frame["released"].notna()).sum())


def _estimate_note(count: int, lang: str) -> str:
    if lang == "zh":
        return (
            f"其中 {count} 个数值为估算值，非厂商公布"
            "（第三方估算，如 Epoch AI；或 6 × 参数量 × 训练 token 数）。"
        )
    return (
        f"{count} of the values are estimates, not stated by the maker "
        "(a third party's, such as Epoch AI's, or 6 × parameters × training tokens)."
    )


def _row(scope: str, fit: GrowthFit, lang: str) -> dict[str, Any]:
    from modelatlas.report.headlines import months, times

    return {
        "scope": scope,
        "n": fit.n,
        "start": fit.start.isoformat(),
        "end": fit.end.isoformat(),
        "growth_per_year": times(fit.growth_per_year),
        "ci90": f"{times(fit.ci90[0])}–{times(fit.ci90[1])}",
        "doubling_months": months(fit.doubling_months),
        "doubling_ci90": f"{months(fit.doubling_ci90[0])}–{months(fit.doubling_ci90[1])}",
        "r2": round(fit.r2, 3),
    }


def _columns(lang: str) -> list[tuple[str, str]]:
    zh = lang == "zh"
    return [
        ("scope", "范围" if zh else "scope"),
        ("n", "模型数" if zh else "models"),
        ("start", "起" if zh else "from"),
        ("end", "止" if zh else "to"),
        ("growth_per_year", "年增长倍数" if zh else "×/year"),
        ("ci90", "90% 置信区间" if zh else "90% CI"),
        ("doubling_months", "翻倍（月）" if zh else "doubling (months)"),
        ("doubling_ci90", "90% 置信区间" if zh else "90% CI"),
        ("r2", "R²"),
    ]


@_trend_filters
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write into (created if missing).")],
    estimates: EstimatesOpt = EstimatesChoice.include,
    growth_since: Annotated[
        int, typer.Option(min=1950, max=2100, help="Fit growth rates over models released from this year.")
    ] = 2010,
    db: DbOpt = None,
    lang: LangOpt = None,
    *,
    filters: dict[str, Any],
) -> None:
    """Write a self-contained trends report: report.md, report.html (charts inside), charts/, data/.

    Growth rates with 90% intervals, releases per quarter, open-weight share, countries, leading
    organizations, lineage and carbon, in English or Chinese (--lang zh), over the notable models
    (--population all for every model). Example:

      modelatlas report --out report --lang zh
    """
    from modelatlas.report.trends import build_report
    from modelatlas.report.writer import make_folders, write_report
    from modelatlas.store.records import load_curated_ids, load_models, load_organizations

    config = settings(db=db, lang=lang)
    _, chosen = selection_options(config, filters, estimates.value)
    make_folders(out)  # a bad --out fails before any work or progress bar
    models, organizations = load_models(config.db), load_organizations(config.db)
    built = build_report(
        models,
        organizations,
        lang=config.lang,
        selection=chosen,
        growth_since=growth_since,
        curated=load_curated_ids(config.db),
    )
    figures = sum(len(section.figures) for section in built.sections)
    with counting_bar() as bar:
        task = bar.add_task("drawing charts", total=figures)
        written = write_report(
            built, out, progress=lambda name: bar.update(task, advance=1, description=name)
        )
    stdout().print(f"wrote {len(written)} files to {out}: {written[0]}, {written[1]}", markup=False)
