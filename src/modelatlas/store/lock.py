"""One writer at a time: the lock that every command writing the store holds.

``build`` and ``import`` read the store (its imports, its live-tracking tables), merge, and replace it
whole; two at once each replaced the other's work, and a ``sync`` writing meanwhile wrote into a file
that was about to be replaced (issue 19: one of two imports vanished, a build lost 1,036 import rows,
all with exit 0). A writer now holds this lock from its first read to its last write; a second waits its
turn and then reads what the first wrote.

- SQLite: an OS file lock on ``<store>.lock`` beside the store (filelock); a crashed writer's lock goes
  with its process.
- PostgreSQL: a session advisory lock in the database, held on a connection of its own.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, text

from modelatlas.errors import StoreError
from modelatlas.store.engine import is_postgres, make_engine, safe_url, sqlite_path

__all__ = ["WAIT_SECONDS", "lock_path", "write_transaction", "writing"]

#: How long a writer waits for another to finish before giving up.
WAIT_SECONDS = 600.0
#: The advisory lock's key on PostgreSQL ("modelatl" in ASCII).
ADVISORY_KEY = 0x6D6F64656C61746C
_POLL = 0.2


def lock_path(store: Path) -> Path:
    """The lock file of the SQLite store at ``store``."""
    return store.with_name(f"{store.name}.lock")


@contextlib.contextmanager
def writing(
    url: str, *, wait: float = WAIT_SECONDS, waiting: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the write lock of the store at ``url`` for the ``with`` block.

    ``waiting`` is called once if another writer holds the lock (to say so); then this one waits up to
    ``wait`` seconds. Not reentrant: a writer takes it once, at its entry point.

    Raises:
        StoreError: another writer held the lock for longer than ``wait``.
    """
    path = sqlite_path(url)
    if path is not None:
        with _file_lock(url, path, wait, waiting):
            yield
    elif is_postgres(url):
        with _advisory_lock(url, wait, waiting):
            yield
    else:
        yield


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` under the write lock, on the store as it is now (a pooled connection to a
    SQLite file a build has since replaced is let go: ``engine.make_engine``)."""
    with writing(engine.url.render_as_string(hide_password=False)), engine.begin() as conn:
        yield conn


def _busy(url: str, wait: float) -> StoreError:
    return StoreError(
        f"another modelatlas command has been writing the store {safe_url(url)} for over {wait:.0f} s; "
        "try again when it has finished"
    )


@contextlib.contextmanager
def _file_lock(url: str, path: Path, wait: float, waiting: Callable[[], None] | None) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if waiting:
            waiting()
        try:
            lock.acquire(timeout=wait, poll_interval=_POLL)
        except Timeout as exc:
            raise _busy(url, wait) from exc
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def _advisory_lock(url: str, wait: float, waiting: Callable[[], None] | None) -> Iterator[None]:
    engine = make_engine(url, schema="public")
    try:
        with engine.connect() as conn:
            take = text("SELECT pg_try_advisory_lock(:key)").bindparams(key=ADVISORY_KEY)
            deadline = time.monotonic() + wait
            told = False
            while not conn.execute(take).scalar_one():
                conn.commit()
                if not told and waiting:
                    waiting()
                told = True
                if time.monotonic() > deadline:
                    raise _busy(url, wait)
                time.sleep(_POLL)
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)").bindparams(key=ADVISORY_KEY))
                conn.commit()
    finally:
        engine.dispose()
