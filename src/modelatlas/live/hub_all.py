"""``sync --source hf --all``: every model on the Hub, one row per repo, streamed and resumable.

The listing (``GET /api/models?sort=createdAt&limit=1000&expand=…``) is followed page by page through
its ``Link`` header. One thread fetches and decodes the next page while the caller's thread writes the
last ones, so at most ``GROUP`` + 2 pages are in memory whatever the listing's size. A page is written in
one transaction with the URL of the following page in ``hub_listing``: its repos (upserted by id), their
base-model relations (replaced), a snapshot of their downloads and likes for the run's date. When pages
come faster than the store takes them, the transaction holds every page that is waiting (at most
``GROUP``) and the URL after the last of them, which saves a disk sync per page. A run
killed at any point (Ctrl-C, ``kill -9``) therefore goes on, at the next run, from the first page it had
not written: nothing is lost and nothing is written twice. A finished run starts the next one from the
first page, on its own date, so repeated syncs add one snapshot per repo per date.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, Engine, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from modelatlas.errors import StoreError
from modelatlas.live.ledger import iso
from modelatlas.sources.hf import HubSource
from modelatlas.sources.hub_listing import EXPAND, PAGE_SIZE, SORT, ListedPage, parse_page
from modelatlas.store import tables as T
from modelatlas.store.lock import write_transaction

__all__ = [
    "GROUP",
    "LISTING",
    "ListingReport",
    "Statements",
    "first_page",
    "require_hub_tables",
    "sync_all",
    "write_group",
    "write_pages",
]

#: The key of the model listing's row in ``hub_listing``.
LISTING = "models"
#: At most this many decoded pages wait for the writer, and go into one transaction.
GROUP = 8
#: SQLite's page cache for the listing's writes, in KiB: the upserts land all over the repos' key index.
CACHE_KIB = 64 * 1024
_REPO_COLUMNS = [c.name for c in T.hub_repos.c]
_UPDATED = [name for name in _REPO_COLUMNS if name != "id"]
_KEY, _BASE_KEY = itemgetter(0), itemgetter(0, 1, 2)

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ListingReport:
    """What one ``sync --all`` did: pages and records written in this run, and the listing's totals."""

    run_on: str
    pages: int = 0
    records: int = 0
    bases: int = 0
    total_pages: int = 0
    total_records: int = 0
    resumed: bool = False
    finished: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_on": self.run_on,
            "pages": self.pages,
            "records": self.records,
            "bases": self.bases,
            "total_pages": self.total_pages,
            "total_records": self.total_records,
            "resumed": self.resumed,
            "finished": self.finished,
        }


def first_page(endpoint: str, page_size: int = PAGE_SIZE) -> str:
    """The URL of the listing's first page: newest first, ``page_size`` records, the ``EXPAND`` fields."""
    query = urlencode([("sort", SORT), ("limit", page_size), *(("expand", name) for name in EXPAND)])
    return f"{endpoint.rstrip('/')}/api/models?{query}"


def require_hub_tables(engine: Engine) -> None:
    """Raises ``StoreError`` when the store was built by a version without the Hub listing's tables."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("hub_repos"):
            raise StoreError("the store predates `sync --all`: run `modelatlas build` once, then sync")


def sync_all(
    engine: Engine,
    hub: HubSource,
    *,
    page_size: int = PAGE_SIZE,
    restart: bool = False,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    progress: Progress | None = None,
) -> ListingReport:
    """List every model on the Hub into the store behind ``engine``, from where the last run stopped.

    ``restart`` ignores an unfinished run and starts again from the first page. ``progress`` is called
    after each page with the records and pages written so far in this run.

    Raises:
        SourceError: a page could not be fetched or read (names its URL); every earlier page is kept
            and the next run starts from this one.
        StoreError: the store cannot be written.
    """
    try:
        report, url = _begin(engine, hub.endpoint, page_size, restart, now())
        if url is not None:
            _follow(engine, hub, url, report, now, progress)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write the Hub listing: {exc.__class__.__name__}: {exc}") from exc
    return report


def _begin(
    engine: Engine, endpoint: str, page_size: int, restart: bool, moment: dt.datetime
) -> tuple[ListingReport, str | None]:
    """The run to go on with (an unfinished one from its saved page) or a new one from the first page."""
    start = first_page(endpoint, page_size)
    h = T.hub_listing.c
    with write_transaction(engine) as conn:
        saved = conn.execute(select(T.hub_listing).where(h.listing == LISTING)).first()
        going_on = (
            saved is not None
            and not restart
            and saved.finished_at is None
            and saved.next_url is not None
            and saved.next_url.startswith(endpoint.rstrip("/") + "/")
        )
        if saved is not None and going_on:
            report = ListingReport(saved.run_on, total_pages=saved.pages, total_records=saved.records)
            report.resumed = True
            return report, str(saved.next_url)
        report = ListingReport(moment.date().isoformat())
        state = {
            "run_on": report.run_on,
            "started_at": iso(moment),
            "next_url": start,
            "pages": 0,
            "records": 0,
            "finished_at": None,
        }
        # a second run on the same day replaces that day's snapshots
        conn.execute(T.hub_snapshots.delete().where(T.hub_snapshots.c.observed_on == report.run_on))
        if saved is None:
            conn.execute(T.hub_listing.insert().values(listing=LISTING, **state))
        else:
            conn.execute(T.hub_listing.update().where(h.listing == LISTING).values(**state))
    return report, start


_Item = tuple[str, ListedPage, str | None] | BaseException | None


def _follow(
    engine: Engine,
    hub: HubSource,
    url: str,
    report: ListingReport,
    now: Callable[[], dt.datetime],
    progress: Progress | None,
) -> None:
    """Fetch and decode pages in a thread of their own; write them here as they come, each transaction
    holding every page that is waiting (one, when the store keeps up with the network)."""
    pages: queue.Queue[_Item] = queue.Queue(maxsize=GROUP)
    stop = threading.Event()

    def fetch() -> None:
        following: str | None = url
        try:
            while following is not None and not stop.is_set():
                body, after = hub.listing_page(following)
                pages.put((following, parse_page(body, following), after))
                following = after
            pages.put(None)
        except BaseException as exc:  # handed to the writer, which raises it
            pages.put(exc)

    reader = threading.Thread(target=fetch, name="hub-listing", daemon=True)
    reader.start()
    try:
        statements = Statements(engine.dialect.paramstyle)
        while True:
            batch = [pages.get()]
            while isinstance(batch[-1], tuple) and len(batch) < GROUP:
                try:
                    batch.append(pages.get_nowait())
                except queue.Empty:
                    break
            ready = [(page, after) for item in batch if isinstance(item, tuple) for _, page, after in [item]]
            if ready:
                write_group(engine, statements, ready, report.run_on, report.total_records, now)
                records = sum(len(page.repos) for page, _ in ready)
                report.pages += len(ready)
                report.total_pages += len(ready)
                report.records += records
                report.total_records += records
                report.bases += sum(len(page.bases) for page, _ in ready)
                if progress is not None:
                    progress(report.records, report.pages)
            last = batch[-1]
            if last is None:
                report.finished = True
                return
            if isinstance(last, BaseException):
                raise last
    finally:
        stop.set()
        while reader.is_alive():  # let a blocked put go, so the thread ends
            try:
                pages.get(timeout=0.05)
            except queue.Empty:
                pass


class Statements:
    """The page's SQL, with the driver's own parameter marks (``?`` for sqlite3, ``%s`` for psycopg)."""

    def __init__(self, paramstyle: str) -> None:
        mark = "?" if paramstyle == "qmark" else "%s"
        marks = ", ".join([mark] * len(_REPO_COLUMNS))
        updates = ", ".join(f"{name} = excluded.{name}" for name in _UPDATED)
        self.repos = (
            f"INSERT INTO hub_repos ({', '.join(_REPO_COLUMNS)}) VALUES ({marks}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
        self.mark = mark
        four = ", ".join([mark] * 4)
        self.bases = (
            f"INSERT INTO hub_bases (repo_id, base, relation, stated) VALUES ({four}) ON CONFLICT DO NOTHING"
        )
        self.snapshots = (
            "INSERT INTO hub_snapshots (observed_on, position, repo_id, downloads, likes) "
            f"VALUES ({four}, {mark})"
        )

    def forget_bases(self, count: int) -> str:
        return f"DELETE FROM hub_bases WHERE repo_id IN ({', '.join([self.mark] * count)})"


def write_group(
    engine: Engine,
    sql: Statements,
    pages: list[tuple[ListedPage, str | None]],
    run_on: str,
    position: int,
    now: Callable[[], dt.datetime],
) -> None:
    """``write_pages`` in a transaction of its own, under the store's write lock."""
    with write_transaction(engine) as conn:
        if conn.dialect.name == "sqlite":  # the repos' key index, cached across pages
            conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
        write_pages(conn, sql, pages, run_on, position, now)


def write_pages(
    conn: Connection,
    sql: Statements,
    pages: list[tuple[ListedPage, str | None]],
    run_on: str,
    position: int,
    now: Callable[[], dt.datetime],
) -> None:
    """Pages, each with the URL of the page after it, and the last one's next URL, in the caller's
    transaction. ``position`` is the place of the first repo in the run's listing (the snapshots' key)."""
    for page, _ in pages:
        repos = page.repos
        if not repos:
            continue
        ids = [repo.id for repo in repos]
        # in key order: neighbouring rows share B-tree pages, so fewer pages are written per commit
        conn.exec_driver_sql(sql.repos, sorted([(*repo, run_on) for repo in repos], key=_KEY))
        conn.exec_driver_sql(sql.forget_bases(len(ids)), tuple(ids))
        if page.bases:
            conn.exec_driver_sql(sql.bases, sorted(page.bases, key=_BASE_KEY))
        snapshots = [
            (run_on, position + n, repo.id, repo.downloads, repo.likes) for n, repo in enumerate(repos)
        ]
        conn.exec_driver_sql(sql.snapshots, snapshots)
        position += len(repos)
    h = T.hub_listing.c
    after = pages[-1][1]
    conn.execute(
        T.hub_listing.update()
        .where(h.listing == LISTING)
        .values(
            next_url=after,
            pages=h.pages + len(pages),
            records=h.records + sum(len(page.repos) for page, _ in pages),
            finished_at=iso(now()) if after is None else None,
        )
    )
