"""Options shared by commands, and the settings they build.

Imported by every command module to build its options, so it imports nothing heavy at the top: the
settings, the store and the catalog schema are imported by the functions that use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from modelatlas.cli._output import Format, stderr
from modelatlas.errors import BadArgument

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from modelatlas.config import Settings

__all__ = [
    "store_connection",
    "CatalogOpt",
    "DbOpt",
    "FormatOpt",
    "LangOpt",
    "date_bound",
    "duration",
    "open_store",
    "settings",
]

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///x.db, postgresql://…) or SQLite path. Env: MODELATLAS_DB.",
        show_default=False,
    ),
]
CatalogOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        help="Catalog directory. Default: the bundled catalog. Env: MODELATLAS_CATALOG.",
        file_okay=False,
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output: table, json, csv or markdown.")]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang", help="Language of labels and summaries: en or zh. Env: MODELATLAS_LANG.", show_default=False
    ),
]


def settings(*, db: str | None = None, catalog: Path | None = None, lang: str | None = None) -> Settings:
    """Settings from the environment, overridden by whatever was given on the command line."""
    from modelatlas.config import Settings

    given: dict[str, Any] = {"db": db, "catalog": catalog, "lang": lang}
    overrides = {k: v for k, v in given.items() if v is not None}
    if "lang" in overrides and overrides["lang"] not in ("en", "zh"):
        raise typer.BadParameter(f"{lang!r} is not a language: use en or zh", param_hint="--lang")
    return Settings(**overrides)


def open_store(config: Settings) -> Engine:
    """An engine on the built store.

    Raises:
        StoreMissing: nothing has been built at the configured URL yet.
    """
    from modelatlas.store.engine import make_engine
    from modelatlas.store.queries import check_store

    engine = make_engine(config.db)
    try:
        check_store(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def waiting_notice(db: str) -> Callable[[], None]:
    """What ``build`` and ``import`` print when another command holds the store's write lock."""
    from modelatlas.store.engine import safe_url

    notice = f"waiting for another modelatlas command to finish writing {safe_url(db)}…"
    return lambda: stderr().print(notice, markup=False)


@contextmanager
def store_connection(config: Settings) -> Iterator[Connection]:
    """A connection to the built store; the engine is disposed when the block ends, error or not.

    Raises:
        StoreMissing: nothing has been built at the configured URL yet.
    """
    engine = open_store(config)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def date_bound(text: str | None, option: str, *, end: bool) -> dt.date | None:
    """``text`` (2023, 2023-03 or 2023-03-14) as a date: its first day, or with ``end`` its last day."""
    if text is None:
        return None
    from modelatlas.catalog.units import date_bound as bound

    try:
        return bound(text, end=end)
    except BadArgument as exc:
        raise BadArgument(f"{option} {exc}") from exc


_UNITS = {
    "m": dt.timedelta(minutes=1),
    "h": dt.timedelta(hours=1),
    "d": dt.timedelta(days=1),
    "w": dt.timedelta(weeks=1),
}


def duration(text: str | None, option: str) -> dt.timedelta | None:
    """``text`` such as ``30m``, ``12h``, ``7d`` or ``2w`` as a timedelta; None when not given."""
    if text is None:
        return None
    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    try:
        amount = float(value)
    except ValueError:
        amount = -1.0
    if unit not in _UNITS or amount < 0:
        raise BadArgument(f"{option} {text!r} is not a duration: write 30m, 12h, 7d or 2w")
    return amount * _UNITS[unit]
