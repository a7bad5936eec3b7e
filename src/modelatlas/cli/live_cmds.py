"""``sync``, ``trending``, ``review``, ``accept``, ``reject``: keeping the catalog current from live
sources."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from modelatlas.cli._common import CatalogOpt, DbOpt, FormatOpt, date_bound, duration, open_store, settings
from modelatlas.cli._output import Format, cell, counting_bar, emit, emit_json, stderr
from modelatlas.errors import BadArgument, CatalogInvalid
from modelatlas.live.metrics import METRICS

if TYPE_CHECKING:
    from modelatlas.config import Settings
    from modelatlas.live.clients import Endpoints
    from modelatlas.live.trending import Order

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("sync")(sync_)
    app.command("trending")(trending_)
    app.command("review")(review)
    app.command("accept")(accept)
    app.command("reject")(reject)
    app.command("ecosystem")(ecosystem_)


def _endpoints(config: Settings) -> Endpoints:
    from modelatlas.live.clients import Endpoints

    return Endpoints(
        hf=config.hf_endpoint,
        arxiv=config.arxiv_url,
        github=config.github_url,
        hf_token=config.hf_token,
        github_token=config.github_token,
    )


_SYNC_COLUMNS = [
    ("source", "Source"),
    ("checked", "Checked"),
    ("ok", "OK"),
    ("missing", "Gone"),
    ("failed_count", "Failed"),
    ("fresh", "Fresh"),
    ("candidates", "New candidates"),
    ("requests", "Requests"),
    ("revalidated", "Unchanged (304)"),
    ("stopped", "Stopped"),
]


def sync_(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", "-s", help="Only this source: hf, arxiv or github (repeatable). Default: all."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many targets per source, oldest first.")
    ] = None,
    min_age: Annotated[
        str | None,
        typer.Option(
            "--min-age",
            help="Ask again only about targets checked longer ago than this (30m, 12h, 7d). "
            "Default: 12h for the Hub and GitHub, 30d for arXiv.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ask about every target, however recent.")] = False,
    discover: Annotated[
        bool, typer.Option("--discover/--no-discover", help="Look for new models to review.")
    ] = True,
    discover_limit: Annotated[
        int, typer.Option("--discover-limit", min=1, help="Models per Hub author or query when discovering.")
    ] = 20,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Candidates created or published since (default: a year ago).", show_default=False
        ),
    ] = None,
    query: Annotated[
        list[str] | None,
        typer.Option(
            "--query",
            "-q",
            help="arXiv query for discovery (repeatable). Default: LLMs in cs.CL, "
            "foundation models in cs.CV.",
        ),
    ] = None,
    budget: Annotated[
        int | None, typer.Option("--budget", min=1, help="At most this many HTTP requests per source.")
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="With --source hf: list every model on the Hub (not only the catalog's) into the store, "
            "page by page, going on from where an interrupted run stopped.",
        ),
    ] = False,
    restart: Annotated[
        bool, typer.Option("--restart", help="With --all: start again from the first page.")
    ] = False,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
) -> None:
    """Enrich catalog models from the Hugging Face Hub, arXiv and GitHub, and record their metrics.

    For each Hub repo: downloads, likes, licence, pipeline tag, library, base models, safetensors
    parameter count and config.json. For each arXiv paper: title, authors, dates, version. For each
    GitHub repository: stars, forks, licence, last push, latest release. Counts are kept as snapshots
    (see `modelatlas trending`); facts never overwrite the catalog (see `modelatlas conflicts`). New
    models found on the way wait in `modelatlas review`.

    Incremental and resumable: what was checked within --min-age is skipped, and each batch is written
    in one transaction, so an interrupted sync loses nothing and the next run goes on from there.
    Endpoints and tokens come from HF_ENDPOINT, HF_TOKEN, GITHUB_TOKEN, MODELATLAS_ARXIV_URL and
    MODELATLAS_GITHUB_URL. Exit code 1 when a target failed (it is listed); gone repositories are not
    failures.

    With --all (Hub only), every model repository on the Hub is listed instead, 1,000 a page, newest
    first: one row per repo (author, dates, pipeline tag, library, licence, gated, safetensors
    parameters, downloads, likes), its base models with their relation (finetune, adapter,
    quantized, merge) from the `base_model:` tags, and a snapshot of downloads and likes per sync
    date. Each page is written with the next page's cursor in one transaction: after Ctrl-C or
    kill -9 the next `sync --all` goes on from there (--restart starts again). See
    `modelatlas ecosystem` for what derives from a base.

    Examples:
      modelatlas sync
      modelatlas sync --source github --limit 50 --budget 60
      modelatlas sync --source arxiv --no-discover --force
      modelatlas sync --source hf --all
    """
    from modelatlas.live.clients import open_clients
    from modelatlas.live.ledger import StoreCache, require_live_tables
    from modelatlas.live.sync import DEFAULT_QUERIES, SyncOptions, sync
    from modelatlas.live.targets import SOURCES
    from modelatlas.sources._http import Policy
    from modelatlas.store.records import load_models

    config = settings(db=db)
    chosen = tuple(dict.fromkeys(source or SOURCES))
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise BadArgument(f"unknown source {unknown[0]!r}: choose hf, arxiv or github")
    if every or restart:
        if chosen != ("hf",) or not every:
            raise BadArgument("--all lists the Hub only: use `modelatlas sync --source hf --all [--restart]`")
        _sync_all(config, restart=restart, budget=budget, fmt=fmt)
        return
    options = SyncOptions(
        sources=chosen,
        limit=limit,
        min_age=dt.timedelta(0) if force else duration(min_age, "--min-age"),
        discover=discover,
        discover_limit=discover_limit,
        since=date_bound(since, "--since", end=False),
        queries=tuple(query) if query else DEFAULT_QUERIES,
    )
    engine = open_store(config)
    require_live_tables(engine)
    models = load_models(config.db)
    policies = {
        "hf": Policy(interval=config.request_interval),
        "github": Policy(interval=config.request_interval),
        "arxiv": Policy(interval=config.arxiv_interval),
    }
    clients = open_clients(
        chosen, _endpoints(config), policies=policies, budget=budget, cache=StoreCache(engine)
    )
    err = stderr()
    try:
        with counting_bar() as bar:
            tasks: dict[str, Any] = {}

            def progress(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(f"sync {name}", total=total)
                bar.update(tasks[name], completed=done, total=total)

            reports = sync(engine, models, clients, options, progress=progress)
    finally:
        clients.close()
        engine.dispose()
    records = [{**r.as_dict(), "failed_count": len(r.failed)} for r in reports]
    emit(records, _SYNC_COLUMNS, fmt, title="sync")
    failed = [(r.source, ref, message) for r in reports for ref, message in r.failed]
    for name, ref, message in failed:
        err.print(f"{name} {ref}: {message}", markup=False)
    for report in reports:
        if report.resumed:
            err.print(
                f"{report.source}: went on after an interrupted sync of {report.resumed[-1]}", markup=False
            )
    if failed:
        raise typer.Exit(1)


_LISTING_COLUMNS = [
    ("run_on", "Sync date"),
    ("pages", "Pages"),
    ("records", "Repos"),
    ("bases", "Base relations"),
    ("total_records", "Listed so far"),
    ("resumed", "Resumed"),
    ("finished", "Finished"),
]


def _sync_all(config: Settings, *, restart: bool, budget: int | None, fmt: Format) -> None:
    """``sync --source hf --all``: the whole Hub listing, with a progress bar and a one-line summary."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from modelatlas.live.clients import open_clients
    from modelatlas.live.hub_all import require_hub_tables, sync_all
    from modelatlas.sources._http import Policy

    engine = open_store(config)
    require_hub_tables(engine)
    policies = {"hf": Policy(interval=config.request_interval)}
    # no ETag cache: a listing page is read once, and a million records would fill ``http_cache``
    clients = open_clients(("hf",), _endpoints(config), policies=policies, budget=budget)
    err = stderr()
    bar = Progress(
        SpinnerColumn(),
        TextColumn("hub listing"),
        TextColumn("{task.completed:>12,.0f} repos  {task.fields[pages]:>6,} pages"),
        TextColumn("{task.fields[rate]:>9,.0f} repos/s"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    task = bar.add_task("hub", total=None, pages=0, rate=0.0)

    def progress(records: int, pages: int) -> None:
        elapsed = bar.tasks[0].elapsed or 0.0
        bar.update(task, completed=records, pages=pages, rate=records / elapsed if elapsed else 0.0)

    assert clients.hf is not None
    try:
        with bar:
            report = sync_all(engine, clients.hf, restart=restart, progress=progress)
    except KeyboardInterrupt:
        err.print(
            "Interrupted: every page written is kept; `modelatlas sync --source hf --all` goes on from there."
        )
        raise typer.Exit(130) from None
    finally:
        clients.close()
        engine.dispose()
    emit([report.as_dict()], _LISTING_COLUMNS, fmt, title="sync --all")
    if report.resumed:
        err.print(f"hf: went on with the listing of {report.run_on} from where it stopped", markup=False)


def ecosystem_(
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            "-b",
            help="The base model's Hub repo, e.g. meta-llama/Llama-2-7b-hf. Without it: the top bases of "
            "the whole listing.",
        ),
    ] = None,
    depth: Annotated[
        str,
        typer.Option(
            "--depth", help="1: the repos that name the base; all: their derivatives too, down the tree."
        ),
    ] = "1",
    top: Annotated[int, typer.Option("--top", min=1, max=1000, help="Without --base: how many bases.")] = 20,
    months: Annotated[
        int, typer.Option("--months", min=1, max=120, help="Without --base: the months shown per base.")
    ] = 12,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
) -> None:
    """What the Hub builds on a base model: its fine-tunes, adapters, quantizations and merges, per month.

    Without --base, the whole field: the TOP bases by derivatives, each with its derivatives in the last
    MONTHS months, its growth (derivatives created in the last 3 months over the 3 before), the catalog
    model it belongs to, and the days from its release to its first and tenth quantized copies; then
    the growth of each catalog model (its repos added up). `-f json` adds derivatives per month with
    the share built on Chinese bases, totals by the maker's country, by licence and by pipeline tag,
    and the median days to the quantized copies per month of release. Read from the sums each
    `sync --all` keeps when it finishes: well under a second on a million-repo listing.

    Counts the repos of the whole Hub listing (`modelatlas sync --source hf --all`) whose base_model tags
    name REPO, by relation and by the month each was created. `total` counts each repo once; a repo
    with two relations to the base counts in both. `--depth all` follows derivatives of derivatives.
    `-f json` gives {"base", "depth", "derivatives": {"total", "finetune", "adapter", "quantized",
    "merge"}, "by_month": {"YYYY-MM": {relation: count}}}.

    Examples:
      modelatlas ecosystem --base meta-llama/Llama-2-7b-hf
      modelatlas ecosystem -b mistralai/Mistral-7B-v0.1 --depth all -f json
    """
    from modelatlas.live.ecosystem import ecosystem
    from modelatlas.live.landscape import landscape
    from modelatlas.sources.hub_listing import RELATIONS

    if depth not in ("1", "all"):
        raise BadArgument(f"--depth {depth!r}: choose 1 or all")
    config = settings(db=db)
    engine = open_store(config)  # its schema revision guarantees the listing's tables and sums
    try:
        if base is None:
            field = landscape(engine, top=top, months=months)
        else:
            found = ecosystem(engine, base, "all" if depth == "all" else "1")
    finally:
        engine.dispose()
    if base is None:
        _print_landscape(field, fmt)
        return
    if fmt == Format.json:
        emit_json(found)
        return
    counts = found["derivatives"]
    records = [
        {"month": month, **{r: cell.get(r, 0) for r in RELATIONS}}
        for month, cell in found["by_month"].items()
    ]
    records.append({"month": "total", **{r: counts[r] for r in RELATIONS}})
    columns = [("month", "Month"), *((r, r.capitalize()) for r in RELATIONS)]
    emit(records, columns, fmt, title=f"derivatives of {base}: {counts['total']:,} repos")


_LANDSCAPE_COLUMNS = [
    ("rank", "#"),
    ("base", "Base"),
    ("model", "Catalog model"),
    ("country", "Country"),
    ("total", "Derivatives"),
    ("recent", "Last 3 months"),
    ("growth", "Growth"),
    ("first_quantized_days", "Days to first quantized"),
    ("tenth_quantized_days", "Days to 10th quantized"),
]
_FAMILY_COLUMNS = [
    ("name", "Family"),
    ("organization", "Organization"),
    ("total", "Derivatives"),
    ("recent", "Last 3 months"),
    ("previous", "3 months before"),
    ("growth", "Growth"),
]


def _print_landscape(field: dict[str, Any], fmt: Format) -> None:
    """The top bases as a table (or the whole overview as JSON)."""
    if fmt == Format.json:
        emit_json(field)
        return
    records = [
        {
            "rank": rank,
            **{key: entry.get(key) for key, _ in _LANDSCAPE_COLUMNS[1:]},
            "growth": None if entry["growth"] is None else f"×{entry['growth']:.2f}",
        }
        for rank, entry in enumerate(field["top_bases"], 1)
    ]
    title = f"{field['derivatives']:,} derivatives of {field['bases']:,} bases on the Hub"
    emit(records, _LANDSCAPE_COLUMNS, fmt, title=title)
    if field["by_model"] and fmt == Format.table:
        families = [
            {**m, "growth": None if m["growth"] is None else f"×{m['growth']:.2f}"} for m in field["by_model"]
        ]
        emit(families, _FAMILY_COLUMNS, fmt, title="growth by catalog model (its repos added up)")


_TREND_COLUMNS = [
    ("rank", "#"),
    ("models", "Models"),
    ("ref", "Repository"),
    ("start", "Start"),
    ("end", "Now"),
    ("gain", "Gain"),
    ("per_day", "Per day"),
    ("relative", "Growth"),
    ("start_at", "Since"),
]


def _count(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else cell(value)


def trending_(
    metric: Annotated[
        str, typer.Option("--metric", "-m", help=f"What grows: {', '.join(METRICS)}.")
    ] = "likes",
    window: Annotated[str, typer.Option("--window", "-w", help="Over how long: 7d, 30d, 12w…")] = "30d",
    until: Annotated[
        str | None,
        typer.Option("--until", help="Window ending on this date (default: now).", show_default=False),
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many to show.")] = 20,
    by: Annotated[
        str,
        typer.Option("--by", help="Rank by the gain (gain) or by the gain relative to the start (relative)."),
    ] = "gain",
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
) -> None:
    """Rank catalog models by how much their downloads, likes or stars grew, from the sync snapshots.

    The start of the window is the last snapshot at or before it; a repo first seen inside the window
    starts at its first snapshot and its date shows with `*` (its gain covers less than the window).
    Hub `downloads` counts the last 30 days, so its gain measures acceleration; `downloads_all_time`,
    `likes`, `stars` and `forks` are running totals.

    Examples:
      modelatlas trending
      modelatlas trending --metric stars --window 7d --top 10
      modelatlas trending -m downloads_all_time --by relative -f csv
    """
    from modelatlas.live.ledger import iso, require_live_tables
    from modelatlas.live.targets import targets
    from modelatlas.live.trending import trending
    from modelatlas.store.records import load_models

    if by not in ("gain", "relative"):
        raise BadArgument(f"--by {by!r}: choose gain or relative")
    config = settings(db=db)
    span = duration(window, "--window") or dt.timedelta(days=30)
    end = date_bound(until, "--until", end=True)
    moment = dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=dt.UTC) if end else dt.datetime.now(dt.UTC)
    engine = open_store(config)
    try:
        require_live_tables(engine)
        plan = targets(load_models(config.db))
        owners = {(t.source, t.ref): t.models for found in plan.values() for t in found}
        order: Order = "relative" if by == "relative" else "gain"
        found = trending(engine, owners, metric=metric, window=span, now=moment, top=top, order=order)
    finally:
        engine.dispose()
    records = [
        {**t.as_dict(), "rank": rank, "start_at": t.start_at[:10] + ("*" if t.partial else "")}
        for rank, t in enumerate(found, start=1)
    ]
    shown = {
        "start": _count,
        "end": _count,
        "gain": lambda v: f"{v:+,.0f}",
        "per_day": lambda v: f"{v:+,.1f}",
        "relative": lambda v: "" if v is None else f"{v:+.1%}",
    }
    emit(
        records, _TREND_COLUMNS, fmt, title=f"trending: {metric}, {window} to {iso(moment)[:10]}", shown=shown
    )
    if not records:
        stderr().print(
            f"no {metric} growth to rank: it takes two syncs at least a little apart (`modelatlas sync`)",
            markup=False,
        )


_REVIEW_COLUMNS = [
    ("key", "Key"),
    ("name", "Name"),
    ("organization", "Organization"),
    ("published", "Published"),
    ("about", "About"),
    ("status", "Status"),
]


def _about(row: dict[str, Any]) -> str:
    detail = row["detail"]
    if row["source"] == "arxiv":
        return str(detail.get("title", ""))
    parts = [detail.get("pipeline_tag")]
    if detail.get("parameters"):
        parts.append(f"{detail['parameters'] / 1e9:.1f}B params")
    if detail.get("likes") is not None:
        parts.append(f"{detail['likes']:,} likes")
    return ", ".join(str(p) for p in parts if p)


def review(
    status: Annotated[str, typer.Option("--status", help="pending, accepted, rejected or all.")] = "pending",
    source: Annotated[
        str | None,
        typer.Option("--source", "-s", help="Only candidates from hf or arxiv.", show_default=False),
    ] = None,
    fmt: FormatOpt = Format.table,
    db: DbOpt = None,
) -> None:
    """List the candidates for new catalog models that syncs found, newest first.

    Then `modelatlas accept KEY` writes one into the catalog, `modelatlas reject KEY` drops it for good.

    Examples:
      modelatlas review
      modelatlas review --status all --format json
    """
    from modelatlas.live import review as R
    from modelatlas.live.ledger import require_live_tables

    if status not in (*R.STATUSES, "all"):
        raise BadArgument(f"--status {status!r}: choose pending, accepted, rejected or all")
    engine = open_store(settings(db=db))
    try:
        require_live_tables(engine)
        rows = R.candidates(engine, status=None if status == "all" else status, source=source)
    finally:
        engine.dispose()
    records = [{**row, "about": _about(row)} for row in rows]
    emit(records, _REVIEW_COLUMNS, fmt, title="candidates")
    stderr().print(f"{len(records)} candidate(s)", markup=False)


def accept(
    key: Annotated[str, typer.Argument(help="The candidate, e.g. hf:THUDM/chatglm2-6b or arxiv:2310.06825.")],
    model_id: Annotated[
        str | None,
        typer.Option("--id", help="The new model's id (default: from its name).", show_default=False),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain", help="nlp, cv, multimodal, speech… (default: from its source).", show_default=False
        ),
    ] = None,
    catalog: CatalogOpt = None,
    db: DbOpt = None,
) -> None:
    """Write a candidate into the catalog as models/<id>.yaml, with only the facts its source states.

    The catalog is validated with the new file; if that fails, the file is removed and nothing changes.
    Review the file, then `modelatlas build`.

    Examples:
      modelatlas accept hf:THUDM/chatglm2-6b
      modelatlas accept arxiv:2310.06825 --id mistral-7b
    """
    from modelatlas.live import review as R
    from modelatlas.live.ledger import iso, require_live_tables

    config = settings(db=db, catalog=catalog)
    engine = open_store(config)
    now = dt.datetime.now(dt.UTC)
    try:
        require_live_tables(engine)
        row, path = R.accept(
            engine, key, config.catalog, model_id=model_id, domain=domain, today=now.date(), when=iso(now)
        )
    except CatalogInvalid as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise
    finally:
        engine.dispose()
    stderr().print(f"wrote {path}; review it, then run `modelatlas build`", markup=False)
    typer.echo(row["model_id"])


def reject(
    key: Annotated[str, typer.Argument(help="The candidate, e.g. hf:someone/some-finetune.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why, for the record.", show_default=False)
    ] = None,
    db: DbOpt = None,
) -> None:
    """Drop a candidate: later syncs will not propose it again.

    Examples:
      modelatlas reject hf:someone/some-finetune --reason "a finetune, not a new model"
    """
    from modelatlas.live import review as R
    from modelatlas.live.ledger import iso, require_live_tables

    engine = open_store(settings(db=db))
    try:
        require_live_tables(engine)
        R.reject(engine, key, reason, iso(dt.datetime.now(dt.UTC)))
    finally:
        engine.dispose()
    stderr().print(f"rejected {key}", markup=False)
