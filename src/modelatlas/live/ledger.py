"""The live-tracking tables of the store: what a sync reads before it asks and writes after, one batch a time.

Each batch of outcomes is written in one transaction (state, snapshots, observations together), so a sync
killed at any point leaves every target either fully recorded or untouched. Times are ISO 8601 UTC
strings to the second (``2026-11-23T08:00:00Z``), which sort as they read on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, func, insert, inspect, select, update

from modelatlas.errors import StoreError
from modelatlas.sources._http import CachedResponse
from modelatlas.store import tables as T
from modelatlas.store.lock import write_transaction

__all__ = [
    "Outcome",
    "StoreCache",
    "checked_at",
    "finish_run",
    "history",
    "iso",
    "last_discovery",
    "latest",
    "observed",
    "require_live_tables",
    "start_run",
    "write_outcomes",
]


def iso(moment: dt.datetime) -> str:
    """``moment`` as the ledger writes it: UTC, to the second, with a ``Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Outcome:
    """What one target gave: ``ok`` with metrics and facts, ``missing`` (the source no longer has it) or
    ``error`` (with the message; the target's earlier facts stay as they were)."""

    ref: str
    status: str
    detail: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


def require_live_tables(engine: Engine) -> None:
    """Raises ``StoreError`` when the store was built by a version without live tracking."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("snapshots"):
            raise StoreError(
                "the store predates live tracking",
                advice="run `modelatlas build` once, then sync",
                key="err_old_store",
            )


def checked_at(conn: Connection, source: str) -> dict[str, str]:
    """When each of ``source``'s targets was last checked."""
    query = select(T.sync_state.c.ref, T.sync_state.c.checked_at).where(T.sync_state.c.source == source)
    return {ref: when for ref, when in conn.execute(query)}  # noqa: C416


def observed(conn: Connection, source: str, name: str) -> dict[str, Any]:
    """The latest observed value of fact ``name`` for each of ``source``'s targets."""
    o = T.observations.c
    query = select(o.ref, o.value).where(o.source == source, o.field == name)
    return {ref: orjson.loads(value) for ref, value in conn.execute(query)}


def write_outcomes(engine: Engine, source: str, outcomes: Sequence[Outcome], when: str) -> None:
    """Record one batch in one transaction: a failed write leaves the store as it was before the batch."""
    if not outcomes:
        return
    refs = [o.ref for o in outcomes]
    with write_transaction(engine) as conn:
        state = T.sync_state.c
        conn.execute(delete(T.sync_state).where(state.source == source, state.ref.in_(refs)))
        conn.execute(
            insert(T.sync_state),
            [
                {"source": source, "ref": o.ref, "status": o.status, "detail": o.detail, "checked_at": when}
                for o in outcomes
            ],
        )
        snapshots = [
            {"source": source, "ref": o.ref, "metric": metric, "observed_at": when, "value": value}
            for o in outcomes
            for metric, value in o.metrics.items()
        ]
        if snapshots:
            s = T.snapshots.c
            conn.execute(
                delete(T.snapshots).where(s.source == source, s.ref.in_(refs), s.observed_at == when)
            )
            conn.execute(insert(T.snapshots), snapshots)
        facts = [(o.ref, name, value) for o in outcomes for name, value in o.facts.items()]
        if facts:
            ob = T.observations.c
            for ref in {ref for ref, _, _ in facts}:
                names = [name for r, name, _ in facts if r == ref]
                conn.execute(
                    delete(T.observations).where(ob.source == source, ob.ref == ref, ob.field.in_(names))
                )
            conn.execute(
                insert(T.observations),
                [
                    {
                        "source": source,
                        "ref": ref,
                        "field": name,
                        "value": orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode(),
                        "observed_at": when,
                    }
                    for ref, name, value in facts
                ],
            )


def start_run(engine: Engine, source: str, when: str) -> tuple[str, list[str]]:
    """Open a run of ``source``; returns its id and the start times of earlier runs that never finished."""
    run_id = f"{source}-{when}-{uuid.uuid4().hex[:6]}"
    r = T.sync_runs.c
    with write_transaction(engine) as conn:
        unfinished = [
            row.started_at
            for row in conn.execute(select(r.started_at).where(r.source == source, r.status == "running"))
        ]
        conn.execute(
            update(T.sync_runs)
            .where(r.source == source, r.status == "running")
            .values(status="killed", note="interrupted; the next run went on from where it stopped")
        )
        conn.execute(
            insert(T.sync_runs).values(
                id=run_id, source=source, started_at=when, status="running", checked=0, failed=0, requests=0
            )
        )
    return run_id, unfinished


def finish_run(engine: Engine, run_id: str, when: str, **values: Any) -> None:
    """Close a run with its ``status``, ``checked``, ``failed``, ``requests``, ``discovered`` and ``note``."""
    with write_transaction(engine) as conn:
        conn.execute(update(T.sync_runs).where(T.sync_runs.c.id == run_id).values(finished_at=when, **values))


def last_discovery(conn: Connection, source: str) -> str | None:
    """When a run of ``source`` last finished looking for new models."""
    r = T.sync_runs.c
    query = select(func.max(r.finished_at)).where(r.source == source, r.discovered.is_not(None))
    found = conn.execute(query).scalar()
    return str(found) if found is not None else None


class StoreCache:
    """ETags and bodies in the store's ``http_cache`` table, each entry written as soon as it is fetched."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, url: str) -> CachedResponse | None:
        c = T.http_cache.c
        with self.engine.connect() as conn:
            row = conn.execute(select(c.etag, c.headers, c.body).where(c.url == url)).first()
        if row is None:
            return None
        return CachedResponse(row.etag, bytes(row.body), orjson.loads(row.headers))

    def put(self, url: str, entry: CachedResponse) -> None:
        row = {
            "url": url,
            "etag": entry.etag,
            "headers": orjson.dumps(entry.headers).decode(),
            "body": entry.body,
            "stored_at": iso(dt.datetime.now(dt.UTC)),
        }
        with write_transaction(self.engine) as conn:
            conn.execute(delete(T.http_cache).where(T.http_cache.c.url == url))
            conn.execute(insert(T.http_cache), [row])


def latest(engine: Engine, refs: dict[str, list[str]]) -> list[dict[str, Any]]:
    """For each ``(source, ref)``: its sync status, when it was checked, and its newest count per metric.

    Empty when the store has no live tables or nothing was synced for these refs.
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table("snapshots"):
            return []
        found = []
        for source, listed in refs.items():
            for ref in listed:
                st = T.sync_state.c
                state = conn.execute(
                    select(st.status, st.checked_at).where(st.source == source, st.ref == ref)
                ).first()
                if state is None:
                    continue
                s = T.snapshots.c
                newest = select(func.max(s.observed_at)).where(s.source == source, s.ref == ref)
                counts = conn.execute(
                    select(s.metric, s.value).where(
                        s.source == source, s.ref == ref, s.observed_at == newest.scalar_subquery()
                    )
                )
                found.append(
                    {
                        "source": source,
                        "ref": ref,
                        "status": state.status,
                        "checked_at": state.checked_at,
                        "metrics": {metric: value for metric, value in counts},  # noqa: C416
                    }
                )
    return found


def history(engine: Engine, refs: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every snapshot of these refs, oldest first: source, ref, metric, observed_at and value."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("snapshots"):
            return []
        s = T.snapshots.c
        found: list[dict[str, Any]] = []
        for source, listed in refs.items():
            if not listed:
                continue
            query = (
                select(s.source, s.ref, s.metric, s.observed_at, s.value)
                .where(s.source == source, s.ref.in_(listed))
                .order_by(s.observed_at)
            )
            found.extend(dict(row) for row in conn.execute(query).mappings())
    return found
