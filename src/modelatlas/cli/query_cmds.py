"""`overview`, `new`, `list`, `show`, `search`, `compare`: read the store."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

import typer

from modelatlas.cli import _render
from modelatlas.cli._common import (
    DbOpt,
    FormatOpt,
    LangOpt,
    date_bound,
    open_store,
    settings,
    store_connection,
)
from modelatlas.cli._filters import with_filters
from modelatlas.cli._output import Format, emit, emit_json, markdown_table, stdout
from modelatlas.errors import BadArgument

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("overview")(overview)
    app.command("new")(new)
    app.command("list")(list_)
    app.command("show")(show)
    app.command("search")(search)
    app.command("compare")(compare)


def overview(db: DbOpt = None, lang: LangOpt = None, fmt: FormatOpt = Format.table) -> None:
    """The catalog at a glance: models per release year and domain, the newest ten, and how current it
    is (the curated catalog's newest release, each bundled or imported dataset's date and rows)."""
    from modelatlas.store import queries as Q

    config = settings(db=db, lang=lang)
    with store_connection(config) as conn:
        result = Q.overview(conn)
    if fmt is Format.json:
        emit_json(
            {
                "total": result.total,
                "by_domain": result.by_domain,
                "by_year": result.by_year,
                "by_domain_year": [
                    {"domain": d, "year": y, "models": n} for (d, y), n in result.by_domain_year.items()
                ],
                "newest": [r.as_dict() for r in result.newest],
                "curated_models": result.currency.curated_models,
                "newest_curated": result.currency.newest_curated,
                "built_at": result.currency.built_at,
                "sources": [
                    {"source": s.key, "date": s.date, "rows": s.rows} for s in result.currency.sources
                ],
            }
        )
        return
    _render.overview(result, config.lang, fmt)


@with_filters()
def new(
    since: Annotated[
        str | None,
        typer.Option(
            help="Models that entered the atlas on or after this date (2026, 2026-11 or 2026-11-15); "
            "default: the first day of this month."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
    *,
    filters: dict[str, Any],
) -> None:
    """What is new: the models that entered the atlas since a date, the most recent first; the filters
    of `list` narrow them.

    A model enters the atlas when its first source is read: the day its curated record was written, or
    the snapshot date of the bundled dataset it came from.

    Examples: `modelatlas new`, `modelatlas new --since 2026-07 --domain nlp`,
    `modelatlas new --org 智谱 -f csv`.
    """
    from modelatlas.store.browse import Browse, added_since

    config = settings(db=db, lang=lang)
    first = date_bound(since, "--since", end=False) or dt.date.today().replace(day=1)
    chosen = Browse(**filters, limit=limit)
    with store_connection(config) as conn:
        found = added_since(conn, first, chosen)
    records = [r.as_dict() | {"added": a.isoformat()} for r, a in found]
    _render.model_rows(records, config.lang, fmt, extra=[("added", _render.label("added", config.lang))])


@with_filters()
def list_(
    sort: Annotated[str, typer.Option(help="Sort by released, parameters or name.")] = "released",
    reverse: Annotated[
        bool, typer.Option("--reverse", help="Reverse the order (default: newest, largest, A-Z first).")
    ] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="Show at most this many.")] = None,
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
    *,
    filters: dict[str, Any],
) -> None:
    """List models, filtered and sorted: the filters of the API and the models page, spelt the same
    (`--org` by id, name, alias or Chinese name; `--openness open` for downloadable weights).

    Examples: `modelatlas list --domain nlp --open --min-params 6B`,
    `modelatlas list --base llama`, `modelatlas list --country CN --released-after 2023 -f csv`.
    """
    from modelatlas.store.browse import Browse, BrowseSort, browse

    config = settings(db=db, lang=lang)
    if sort not in ("released", "parameters", "name"):
        raise BadArgument(f"--sort {sort!r} is not one of released, parameters, name")
    chosen = Browse(
        **filters, sort=cast(BrowseSort, sort), descending=(sort != "name") != reverse, limit=limit
    )
    with store_connection(config) as conn:
        rows = browse(conn, chosen, facets=False).rows
    _render.model_rows([r.as_dict() for r in rows], config.lang, fmt)


def show(
    model: Annotated[str, typer.Argument(help="Model id, name or alias: llama, LLaMa-7B, 紫东太初.")],
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table (readable text), json or markdown.")
    ] = Format.table,
) -> None:
    """Show one model: every fact, its lineage up (bases) and down (derivatives), and its sources.

    After a `modelatlas sync`, also the newest counts (likes, downloads, stars) of its Hub repos, papers
    and code repositories, with when they were checked.
    """
    from modelatlas.live.ledger import latest
    from modelatlas.live.targets import refs_of
    from modelatlas.store import queries as Q

    config = settings(db=db, lang=lang)
    engine = open_store(config)
    try:
        with engine.connect() as conn:
            model_id = Q.resolve(conn, model)
            record = Q.get_model(conn, model_id)
            tree = Q.lineage(conn, model_id)
            orgs = Q.organizations(conn)
            related = [m for m, _, _ in tree.up + tree.down]
            names = {r.id: r.name for r in Q.rows_for(conn, related)}
        live = latest(engine, refs_of(record))
    finally:
        engine.dispose()
    if fmt is Format.json:
        data: dict[str, Any] = record.model_dump(mode="json", exclude_none=True)
        data["lineage"] = {
            "up": [{"model": m, "relation": r, "depth": d} for m, r, d in tree.up],
            "down": [{"model": m, "relation": r, "depth": d} for m, r, d in tree.down],
        }
        data["live"] = live
        emit_json(data)
        return
    if fmt is Format.csv:
        raise BadArgument("show has no csv form; use --format json, markdown or table")
    _render.record(record, tree, orgs, names, config.lang, markdown=fmt is Format.markdown)
    _render.live(live, config.lang, markdown=fmt is Format.markdown)


def search(
    text: Annotated[str, typer.Argument(help="Words to find: llama2, 'Llama 2', chatglm, 紫东, diffusion.")],
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many.")] = 20,
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Find models by name, alias, organization or summary, in Chinese or English; tolerant of case,
    hyphens and typos.

    Ranked as the models page and the API rank: the exact name first, then its versions and sizes
    (`llama 3`: Llama 3.1, 3.2, 3.3), names beginning with the words, names with them inside
    (`r1`: DeepSeek-R1), the models of an organization so named (`清华`: every Tsinghua model), names
    with only the letters; within each, newest first. See docs/store.md, "Search".
    """
    from modelatlas.store import queries as Q

    config = settings(db=db, lang=lang)
    with store_connection(config) as conn:
        hits = Q.search(conn, text, limit=limit)
        rows = {r.id: r for r in Q.rows_for(conn, [h.id for h in hits])}
    records = []
    for hit in hits:
        row = rows[hit.id].as_dict()
        records.append({**row, "matched": hit.matched, "score": hit.score})
    if not records and fmt is Format.table:
        typer.echo(f"no model matches {text!r}", err=True)
        raise typer.Exit(1)
    _render.model_rows(records, config.lang, fmt, extra=[("matched", "matched")])


def compare(
    models: Annotated[list[str], typer.Argument(help="Two to six model ids, names or aliases.")],
    db: DbOpt = None,
    lang: LangOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compare models side by side, as in the comparison tables of seed 001 (data, code, weights, cost …)."""
    if not 2 <= len(models) <= 6:
        raise BadArgument(f"compare takes 2 to 6 models, got {len(models)}")
    from modelatlas.store import queries as Q

    config = settings(db=db, lang=lang)
    with store_connection(config) as conn:
        records = [Q.get_model(conn, Q.resolve(conn, m)) for m in models]
        orgs = Q.organizations(conn)
    table = _render.comparison(records, orgs, config.lang)
    if fmt is Format.json:
        emit_json({"models": [r.id for r in records], "rows": [{"field": f, "values": v} for f, v in table]})
    elif fmt is Format.markdown:
        headers = ["", *(r.name for r in records)]
        stdout().print(markdown_table(headers, [[f, *v] for f, v in table]), end="", markup=False)
    else:
        keys = ["field", *(r.id for r in records)]
        rows = [dict(zip(keys, [f, *v], strict=True)) for f, v in table]
        emit(rows, [("field", ""), *((r.id, r.name) for r in records)], fmt)
