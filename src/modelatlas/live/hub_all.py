"""``sync --source hf --all``: every model on the Hub, one row per repo, streamed and resumable.

The listing (``GET /api/models?sort=createdAt&limit=1000&expand=…``) is followed page by page through
its ``Link`` header. One thread fetches and decodes the next pages while the caller's thread stages the
last ones (``hub_ledger.stage``), so at most ``GROUP`` + 2 pages are in memory whatever the listing's
size. Each transaction holds the pages waiting (one, when the store keeps up with the network) and the
URL of the page after them, so a run killed at any point (Ctrl-C, ``kill -9``) goes on, at the next run,
from the first page it had not written: nothing is lost and nothing is written twice. When every page is
in, ``hub_ledger.merge`` moves the run into ``hub_repos``, ``hub_bases`` and ``hub_snapshots``. A
finished run starts the next one from the first page, on its own date, so repeated syncs add one
snapshot per repo per date.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from modelatlas.errors import StoreError
from modelatlas.live import hub_ledger as L
from modelatlas.sources.hf import HubSource
from modelatlas.sources.hub_listing import EXPAND, PAGE_SIZE, SORT, ListedPage, parse_page

__all__ = ["GROUP", "ListingReport", "first_page", "require_hub_tables", "sync_all"]

#: At most this many decoded pages wait for the writer, and go into one transaction.
GROUP = 8
#: Seconds to wait for the fetching thread after the writer stops (it is a daemon: a request under way
#: is not waited for after Ctrl-C).
_LET_GO = 1.0

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ListingReport:
    """What one ``sync --all`` did: pages and repos written in this run, and the listing's totals."""

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
        if not inspect(conn).has_table("hub_staged"):
            raise StoreError(
                "the store predates `sync --all`",
                advice="run `modelatlas build` once, then sync",
                key="err_old_store",
            )


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

    ``restart`` drops an unfinished run and starts again from the first page. ``progress`` is called
    after each transaction with the repos and pages written so far in this run.

    Raises:
        SourceError: a page could not be fetched or read (names its URL); every earlier page is kept
            and the next run starts from this one.
        StoreError: the store cannot be written.
    """
    try:
        listing = L.begin(engine, first_page(hub.endpoint, page_size), now(), restart=restart)
        report = ListingReport(listing.run_on, total_pages=listing.pages, total_records=listing.records)
        report.resumed = listing.resumed
        if listing.next_url is not None:
            _follow(engine, hub, listing, report, progress)
        L.merge(engine, listing, now())
        report.finished = True
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write the Hub listing: {exc.__class__.__name__}: {exc}") from exc
    return report


_Item = tuple[ListedPage, str | None] | BaseException | None


def _follow(
    engine: Engine, hub: HubSource, listing: L.Listing, report: ListingReport, progress: Progress | None
) -> None:
    """Fetch and decode pages in a thread of their own; stage them here as they come, each transaction
    holding every page that is waiting."""
    pages: queue.Queue[_Item] = queue.Queue(maxsize=GROUP)
    stop = threading.Event()

    def fetch(following: str | None) -> None:
        try:
            while following is not None and not stop.is_set():
                body, after = hub.listing_page(following)
                pages.put((parse_page(body, following), after))
                following = after
            pages.put(None)
        except BaseException as exc:  # handed to the writer, which raises it
            pages.put(exc)

    reader = threading.Thread(target=fetch, args=(listing.next_url,), name="hub-listing", daemon=True)
    reader.start()
    statements = L.Statements.of(engine)
    try:
        while True:
            batch = [pages.get()]
            while isinstance(batch[-1], tuple) and len(batch) < GROUP:
                try:
                    batch.append(pages.get_nowait())
                except queue.Empty:
                    break
            ready = [item for item in batch if isinstance(item, tuple)]
            if ready:
                before = listing.records
                L.stage(engine, statements, ready, listing)
                report.pages += len(ready)
                report.records += listing.records - before
                report.total_pages, report.total_records = listing.pages, listing.records
                report.bases += sum(len(page.bases) for page, _ in ready)
                if progress is not None:
                    progress(report.records, report.pages)
            last = batch[-1]
            if last is None:
                return
            if isinstance(last, BaseException):
                raise last
    finally:
        stop.set()
        deadline = time.monotonic() + _LET_GO
        while reader.is_alive() and time.monotonic() < deadline:  # free a blocked put, so the thread ends
            try:
                pages.get(timeout=0.05)
            except queue.Empty:
                pass
