"""``refresh(store)``: compute the default views of the pages and the API once, and keep them in the store.

Called at the end of every build (``store.build.build_store``, and so of every import) and by any other
path that changes a store's build: it computes what the home page, ``/trends`` and ``/api/v1/trends``
(each metric), ``/timeline`` (each period), ``/lineage``, ``/models`` and ``/api/v1/models``, and the
hardware page show when asked nothing, in each language, and stores the results under the keys a request
asks (``web.stored_views``). Every worker of ``serve`` then reads them instead of computing them (at a
million models each worker spent minutes on it at start), and all read the same numbers.

A SQLite build computes them in a child forked as soon as its rows are in (``web.early``): the views
the analysis table gives (the trends, timelines, lineage, the form's choices, the hardware suggestions)
while it makes its indexes, then those read from the store's tables (``early_views``); it keeps them
all before the file takes the store's place.

``warm`` asks the same views in a worker at start: from a store with them kept, a read of each (and,
for a store of up to ``LOAD_TABLE_UP_TO`` models, the analysis table other questions need).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable
from typing import cast

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from modelatlas._children import Pipe, ended, may_fork, own_streams, received, send_failure, start
from modelatlas.analysis.frame import METRICS
from modelatlas.config import Settings
from modelatlas.errors import ModelAtlasError, NotEnoughData
from modelatlas.store import tables as T
from modelatlas.store.engine import make_engine
from modelatlas.web import stored_views, views
from modelatlas.web.deps import (
    FEED_SINCE,
    default_browse,
    default_trend,
    feed_selection,
    new_selection,
    new_since,
)
from modelatlas.web.early import DOING
from modelatlas.web.hardware import Hardware
from modelatlas.web.i18n import LANGS

__all__ = ["LOAD_TABLE_UP_TO", "defaults", "early_views", "refresh", "warm"]

#: Up to this many models a worker reads the analysis table at start too, so the first question no
#: view was kept for (another metric's trend since 2010, a filtered timeline) does not wait for it: at
#: 100,000 models it took that question 3.9–4.4 s in each worker. Above it the table (1 GB and 20 s a
#: worker at 1,000,000 models) is read only when such a question comes.
LOAD_TABLE_UP_TO = 300_000
#: The timelines' periods: the home page's (year), ``/timeline``'s default (quarter) and its other.
PERIODS = ("year", "quarter", "month")


def defaults(
    engine: Engine, url: str, langs: Iterable[str] = LANGS, settings: Settings | None = None
) -> None:
    """Ask every default view of the store at ``url`` (``engine``) in each of ``langs``: each is read from
    the store's kept views, or computed and kept in this process (``views.per_build``). ``settings``
    say where the hardware page's bundled configs are (default: the environment's)."""
    data = views.analysis(engine, url)
    _store_views(engine, data)
    _analysis_views(engine, data, langs, settings or Settings(db=url))


def _store_views(engine: Engine, data: views.Analysis) -> None:
    """The views read from the store's tables, not from the analysis table: the home page's and the
    timeline's overview, the models page and API's first page, the feed and ``/new`` (this month's)."""
    views.overview(engine, data.built_at, 10)  # the home page's
    views.overview(engine, data.built_at, 30)  # the timeline's newest
    for facets in (True, False):  # the models page, the models API
        views.browse_page(engine, default_browse(), facets=facets)
    views.added_view(engine, FEED_SINCE, feed_selection())
    views.added_view(engine, new_since(), new_selection())


def _from_the_table(engine: Engine, url: str) -> None:
    """Every default view but ``_store_views``': those the analysis table gives (``Early``'s work)."""
    data = views.analysis(engine, url)
    data.load_table()
    gc.freeze()  # the table just read: no collection walks it again
    _analysis_views(engine, data, LANGS, Settings(db=url))


def _analysis_views(engine: Engine, data: views.Analysis, langs: Iterable[str], settings: Settings) -> None:
    """The views the analysis table gives: the small ones, the charts and the trends, in each of ``langs``."""
    _table_views(data)
    _charts(data, langs, settings)
    _trends(engine, data, langs)


def _table_views(data: views.Analysis) -> None:
    """The small views of the analysis table: the trends form's choices, the domains, the dense year."""
    views.trend_choices(data)
    _ = data.domains
    views.dense_year(data)


def _charts(data: views.Analysis, langs: Iterable[str], settings: Settings) -> None:
    """The timelines (each period), the lineage chart and the hardware page's suggestions."""
    for lang in langs:
        for freq in PERIODS:
            with contextlib.suppress(NotEnoughData):
                views.timeline_view(data, lang, freq=freq)
        with contextlib.suppress(NotEnoughData):
            views.lineage_view(data, lang)
    Hardware(settings, data.engine).suggestions()


def _trends(engine: Engine, data: views.Analysis, langs: Iterable[str]) -> None:
    """Each metric's default trend, in each language (a fit is shared by the languages, which follow
    one another)."""
    queries = [default_trend(engine, metric) for metric in METRICS]
    for query in queries:
        for lang in langs:
            with contextlib.suppress(NotEnoughData):
                views.trend_view(data, query, lang)


def _computed(engine: Engine, url: str) -> dict[str, bytes]:
    """Every default view of the store, as ``stored_views.write`` keeps them (by key text, encoded).

    Where this process may fork (``_children.may_fork``) the work is shared with two children, on a
    machine's two cores: one forked at once computes the views read from the store's tables while this
    process reads the analysis table; one forked once the table is read (sharing it, unchanged, through
    the fork) makes the timelines, the lineage chart and the hardware suggestions while this process
    fits the trends. Each child computes its views as this process would, and sends them encoded.
    Elsewhere this process computes them all, one after another (``defaults``)."""
    data = views.analysis(engine, url)
    settings = Settings(db=url)
    if not may_fork():
        with stored_views.recording() as found:
            defaults(engine, url, LANGS, settings)
        return stored_views.encoded(found)
    gc.freeze()  # the children would otherwise copy every page the collector walks (GBs at 1M models)
    children: list[_Child] = []
    try:
        children.append(_Child(engine, lambda: _store_views(engine, data)))
        with stored_views.recording() as found:
            data.load_table()  # the graph is made in the charts' child, which alone needs it
            gc.freeze()  # the table just read too: the charts' child shares it, and no collection walks it
            _table_views(data)
            children.append(_Child(engine, lambda: _charts(data, LANGS, settings)))
            _trends(engine, data, LANGS)
        kept = stored_views.encoded(found)
        for child in children:
            kept.update(child.result())
        return kept
    finally:
        for child in children:
            child.end()
        gc.unfreeze()


class _Child:
    """A forked process computing some views, and the pipe it sends them down."""

    def __init__(self, engine: Engine, work: Callable[[], None]) -> None:
        self.process, self.receive = start(_serve, engine, work)

    def result(self) -> dict[str, bytes]:
        """The child's views, encoded by key text.

        Raises:
            ModelAtlasError: the child ended without sending them (killed: out of memory?).
            BaseException: what the child raised computing them.
        """
        return cast(dict[str, bytes], received(self.process, self.receive, DOING, ModelAtlasError))

    def end(self) -> None:
        """Wait for the child to exit (ending it first if it is still at work: the caller failed)."""
        ended(self.process, self.receive)


def _serve(send: Pipe, engine: Engine, work: Callable[[], None]) -> None:
    """In the child: ``work``'s views, encoded, sent down ``send``; or what went wrong."""
    own_streams()
    engine.dispose(close=False)  # the parent's connections stay the parent's: this child opens its own
    try:
        with stored_views.recording() as found:
            work()
        send.send(stored_views.encoded(found))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        send_failure(send, exc, DOING, ModelAtlasError)
    finally:
        send.close()


def early_views(engine: Engine, url: str, indexed: Callable[[], object]) -> dict[str, bytes]:
    """The work of a SQLite build's child (``web.early``): the views the analysis table gives, then,
    once ``indexed`` returns (the build has made the store's indexes), those read from its tables;
    encoded by key text."""
    with stored_views.recording() as found:
        _from_the_table(engine, url)
        indexed()
        _store_views(engine, views.analysis(engine, url))
    return stored_views.encoded(found)


def refresh(store: Engine | str) -> int:
    """Compute the default views of ``store`` (an engine or a database URL) and keep them in its
    ``kept_views``, replacing the previous build's; how many were kept (``stored_views.keep``)."""
    engine = make_engine(store) if isinstance(store, str) else store
    url = store if isinstance(store, str) else engine.url.render_as_string(hide_password=False)
    try:
        return stored_views.keep(engine, lambda: _computed(engine, url))
    finally:
        if isinstance(store, str):
            engine.dispose()


def warm(engine: Engine, settings: Settings, langs: Iterable[str] = LANGS) -> None:
    """``defaults`` and the ecosystem page's charts in a worker at start, so that the default pages'
    first visitors wait no longer than the next; a store that cannot be read is left to the pages to
    report."""
    with contextlib.suppress(ModelAtlasError, SQLAlchemyError):
        defaults(engine, settings.db, langs, settings)
        for lang in langs:
            views.ecosystem_view(engine, lang)  # per listing, not per build: not kept by a build
        with engine.connect() as conn:
            models = conn.execute(select(func.count()).select_from(T.models)).scalar_one()
        if models <= LOAD_TABLE_UP_TO:
            views.analysis(engine, settings.db).load()
