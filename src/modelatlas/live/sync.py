"""``sync``: ask each source about the catalog's targets, record what it says, and look for new models.

Incremental: a target checked less than ``min_age`` ago is not asked again (per-source defaults: 12 hours
for the Hub and GitHub, 30 days for arXiv papers). Resumable: targets are asked oldest-checked first and
written a batch at a time, each batch in one transaction, so a run killed at any point is continued by the
next one and never leaves half a target written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from modelatlas.catalog.schema import Model
from modelatlas.errors import SourceError, SourceLimit, StoreError
from modelatlas.live import discover as D
from modelatlas.live.clients import Clients
from modelatlas.live.ledger import (
    Outcome,
    checked_at,
    finish_run,
    iso,
    last_discovery,
    observed,
    start_run,
    write_outcomes,
)
from modelatlas.live.review import offer
from modelatlas.live.targets import SOURCES, Target, targets
from modelatlas.sources.arxiv import ArxivPaper, ArxivSource
from modelatlas.sources.github import GitHubSource
from modelatlas.sources.hf import HubSource

__all__ = ["DEFAULT_MIN_AGE", "DEFAULT_QUERIES", "SourceReport", "SyncOptions", "sync"]

DEFAULT_MIN_AGE = {
    "hf": dt.timedelta(hours=12),
    "github": dt.timedelta(hours=12),
    "arxiv": dt.timedelta(days=30),
}
#: arXiv queries for papers that introduce models (arXiv query syntax).
DEFAULT_QUERIES = (
    'cat:cs.CL AND abs:"large language model"',
    'cat:cs.CV AND abs:"foundation model"',
)
_BATCH = {"hf": 10, "github": 10, "arxiv": 100}

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class SyncOptions:
    sources: tuple[str, ...] = SOURCES
    #: At most this many targets per source in this run (the oldest-checked first).
    limit: int | None = None
    #: Ask again only about targets checked longer ago than this; None uses ``DEFAULT_MIN_AGE``.
    min_age: dt.timedelta | None = None
    #: Look for new models (tracked Hub authors, most-liked Hub models, arXiv queries).
    discover: bool = True
    discover_limit: int = 20
    #: Candidates must be created or published on or after this date; None means a year before now.
    since: dt.date | None = None
    queries: tuple[str, ...] = DEFAULT_QUERIES


@dataclass(slots=True)
class SourceReport:
    """What one source's part of a sync did."""

    source: str
    due: int = 0
    fresh: int = 0
    ok: int = 0
    missing: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    candidates: int = 0
    requests: int = 0
    revalidated: int = 0
    stopped: str | None = None
    resumed: list[str] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.ok + self.missing + len(self.failed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "due": self.due,
            "fresh": self.fresh,
            "checked": self.checked,
            "ok": self.ok,
            "missing": self.missing,
            "failed": [{"ref": ref, "error": message} for ref, message in self.failed],
            "candidates": self.candidates,
            "requests": self.requests,
            "revalidated": self.revalidated,
            "stopped": self.stopped,
            "resumed_after": self.resumed,
        }


def sync(
    engine: Engine,
    models: Sequence[Model],
    clients: Clients,
    options: SyncOptions,
    *,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    progress: Progress | None = None,
) -> list[SourceReport]:
    """Sync each source in ``options.sources`` for the catalog ``models`` into the store behind ``engine``.

    A failing target is recorded with its error and the run goes on; a spent rate limit or budget stops
    that source (``SourceReport.stopped``) after writing everything fetched so far.

    Raises:
        StoreError: the store cannot be written.
    """
    plan = targets(models)
    catalog = D.known(models)
    try:
        return [
            _sync_source(engine, source, plan[source], catalog, clients, options, now, progress)
            for source in options.sources
        ]
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write the live-tracking tables: {exc.__class__.__name__}: {exc}") from exc


def _sync_source(
    engine: Engine,
    source: str,
    found: list[Target],
    catalog: D.Known,
    clients: Clients,
    options: SyncOptions,
    now: Callable[[], dt.datetime],
    progress: Progress | None,
) -> SourceReport:
    report = SourceReport(source)
    run_id, report.resumed = start_run(engine, source, iso(now()))
    status, discovered = "done", None
    try:
        _enrich(engine, source, found, clients, options, report, now, progress)
        if report.stopped is None and _discovery_due(engine, source, options, now()):
            _discover(engine, source, catalog, clients, options, report, now)
            discovered = report.candidates
    except SourceLimit as exc:
        report.stopped = str(exc)
    except BaseException:
        status = "failed"
        raise
    finally:
        tally = clients.tallies.get(source)
        if tally is not None:
            report.requests, report.revalidated = tally.requests, tally.revalidated
        finish_run(
            engine,
            run_id,
            iso(now()),
            status="stopped" if report.stopped else status,
            checked=report.checked,
            failed=len(report.failed),
            requests=report.requests,
            discovered=discovered,
            note=report.stopped or "",
        )
    return report


def _discovery_due(engine: Engine, source: str, options: SyncOptions, moment: dt.datetime) -> bool:
    """Whether to look for new models: asked for, a source that can, and not done within ``min_age``."""
    if not options.discover or source == "github":
        return False
    with engine.connect() as conn:
        last = last_discovery(conn, source)
    min_age = options.min_age if options.min_age is not None else DEFAULT_MIN_AGE["hf"]
    return last is None or last <= iso(moment - min_age)


def _due(
    engine: Engine, source: str, found: list[Target], options: SyncOptions, moment: dt.datetime
) -> list[Target]:
    with engine.connect() as conn:
        last = checked_at(conn, source)
    min_age = options.min_age if options.min_age is not None else DEFAULT_MIN_AGE[source]
    cutoff = iso(moment - min_age)
    due = [t for t in found if last.get(t.ref, "") <= cutoff]  # never checked: ""
    due.sort(key=lambda t: (last.get(t.ref, ""), t.ref.lower()))
    return due[: options.limit] if options.limit is not None else due


def _enrich(
    engine: Engine,
    source: str,
    found: list[Target],
    clients: Clients,
    options: SyncOptions,
    report: SourceReport,
    now: Callable[[], dt.datetime],
    progress: Progress | None,
) -> None:
    due = _due(engine, source, found, options, now())
    report.due, report.fresh = len(due), len(found) - len(due)
    done = 0
    if progress:
        progress(source, 0, len(due))
    for start in range(0, len(due), _BATCH[source]):
        batch = due[start : start + _BATCH[source]]
        outcomes: list[Outcome] = []
        try:
            for outcome in _ask(engine, source, batch, clients):
                outcomes.append(outcome)
        except SourceLimit as exc:
            report.stopped = str(exc)
        write_outcomes(engine, source, outcomes, iso(now()))
        for outcome in outcomes:
            if outcome.status == "ok":
                report.ok += 1
            elif outcome.status == "missing":
                report.missing += 1
            else:
                report.failed.append((outcome.ref, outcome.detail or ""))
        done += len(outcomes)
        if progress:
            progress(source, done, len(due))
        if report.stopped:
            return


def _ask(engine: Engine, source: str, batch: list[Target], clients: Clients) -> Iterator[Outcome]:
    if source == "hf" and clients.hf is not None:
        with engine.connect() as conn:
            config_sha = observed(conn, "hf", "config_sha")
        for target in batch:
            yield _guard(target.ref, partial(_hub, clients.hf, target.ref, config_sha.get(target.ref)))
    elif source == "github" and clients.github is not None:
        for target in batch:
            yield _guard(target.ref, partial(_github, clients.github, target.ref))
    elif source == "arxiv" and clients.arxiv is not None:
        yield from _arxiv(clients.arxiv, [t.ref for t in batch])


def _guard(ref: str, fetch: Callable[[], Outcome]) -> Outcome:
    """Run ``fetch``; a source error becomes an ``error`` outcome (a spent limit still stops the source)."""
    try:
        return fetch()
    except SourceLimit:
        raise
    except SourceError as exc:
        return Outcome(ref, "error", str(exc))


def _hub(hub: HubSource, ref: str, config_sha: str | None) -> Outcome:
    model = hub.model(ref)
    if model is None:
        return Outcome(ref, "missing", "the Hub no longer has this repository (deleted, renamed or private)")
    facts = model.facts()
    if model.sha is None or model.sha != config_sha:
        config = hub.config(ref, model.sha)
        if config is not None:
            facts["config"] = config
        facts["config_sha"] = model.sha
    return Outcome(ref, "ok", None, model.metrics(), facts)


def _github(github: GitHubSource, ref: str) -> Outcome:
    repo = github.repo(ref)
    if repo is None:
        return Outcome(ref, "missing", "GitHub no longer has this repository")
    return Outcome(ref, "ok", None, repo.metrics(), repo.facts())


def _arxiv(client: ArxivSource, ids: list[str]) -> Iterator[Outcome]:
    found: dict[str, ArxivPaper] = {}
    try:
        for part in client.papers(ids):
            found.update(part)
    except SourceLimit:
        raise
    except SourceError as exc:
        yield from (Outcome(arxiv_id, "error", str(exc)) for arxiv_id in ids)
        return
    for arxiv_id in ids:
        paper = found.get(arxiv_id)
        if paper is None:
            yield Outcome(arxiv_id, "missing", "arXiv returned no entry for this id")
        else:
            yield Outcome(arxiv_id, "ok", None, {}, paper.facts())


def _discover(
    engine: Engine,
    source: str,
    catalog: D.Known,
    clients: Clients,
    options: SyncOptions,
    report: SourceReport,
    now: Callable[[], dt.datetime],
) -> None:
    moment = now()
    since = (options.since or (moment - dt.timedelta(days=365)).date()).isoformat()
    found: list[D.Candidate] = []
    try:
        if source == "hf" and clients.hf is not None:
            for author in catalog.authors():
                found += D.from_hub(clients.hf.recent(author, options.discover_limit), catalog, since)
            found += D.from_hub(clients.hf.most_liked(options.discover_limit), catalog, since)
        elif source == "arxiv" and clients.arxiv is not None:
            for query in options.queries:
                found += D.from_arxiv(clients.arxiv.search(query, options.discover_limit), catalog, since)
    except SourceLimit:
        raise
    except SourceError as exc:
        report.failed.append((f"discovery ({source})", str(exc)))
    report.candidates = offer(engine, found, iso(now()))
