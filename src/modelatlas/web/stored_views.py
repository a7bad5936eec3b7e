"""The views a build computed and kept in the store (``kept_views``): read, written and serialised.

``web.refresh`` computes the default views of the pages once, at the end of a build, and stores each
under its ``views.per_build`` key (its ``repr``) and the build's stamp; a worker that lacks a view looks
here before computing it, so every worker and every restart reads the same bytes instead of fitting the
trends again (minutes at a million models). A store whose table is empty, or holds another build's rows,
is computed from as before.

Values are MessagePack (msgspec): the dicts of the chart views as they are (their embedded JSON is made
again from the spec on reading), the overview and the models page as their dataclasses, and a
``NotEnoughData`` as its message, advice, phrase key and values (what a page says of it), raised again
on reading like ``per_build`` raises a kept one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import msgspec
from jinja2.utils import htmlsafe_json_dumps
from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from modelatlas.errors import NotEnoughData
from modelatlas.store import queries as Q
from modelatlas.store import tables as T
from modelatlas.store.browse import Page

__all__ = [
    "MISSING",
    "decode",
    "encode",
    "encoded",
    "keep",
    "read",
    "record",
    "recording",
    "text_of",
    "write",
]

_log = logging.getLogger("modelatlas.web")

#: What ``read`` returns when the store keeps no value for the key and build.
MISSING: Any = object()

#: The type each kind of view decodes to (a key's first element names its kind); others are plain data.
_TYPES: dict[str, Any] = {
    "overview": Q.Overview,
    "browse": Page,
    "domains": tuple[str, ...],
    "suggestions": list[str],
    "added": list[tuple[Q.ModelRow, dt.date]],
}
#: The first byte of a stored value: a value, or the message of a NotEnoughData.
_VALUE, _NOT_ENOUGH = b"v", b"e"

_recorded: ContextVar[dict[str, Any] | None] = ContextVar("recorded", default=None)
#: The builds (``views.stamp``) found to have no ``kept_views`` table: not asked again.
_absent: set[str] = set()
#: The key texts each build (``views.stamp``) keeps, read once: a question no build keeps (any but the
#: default views: a search, a filter, the next page) is not looked for, one round trip less. A build
#: that keeps none is asked again each time (its views may not be written yet: ``refresh`` writes them
#: all in one transaction, after the rest of the build).
_kept_keys: dict[str, frozenset[str]] = {}


def text_of(key: Hashable) -> str:
    """A view's key as the store keeps it: its ``repr``, the same in every process (the keys are tuples
    of strings, numbers, dates and frozen dataclasses of those, whose ``repr`` has no address)."""
    return repr(key)


def _kind(key: Hashable) -> str:
    return str(key[0]) if isinstance(key, tuple) and key else str(key)


def _plain(value: Any) -> Any:
    """What msgspec cannot encode itself: numpy scalars (from pandas) as Python numbers."""
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise NotImplementedError(f"cannot keep a {type(value).__name__}")


_encoder = msgspec.msgpack.Encoder(enc_hook=_plain)


def encode(key: Hashable, value: Any) -> bytes:
    """``value`` (or a ``NotEnoughData``) as stored; a chart view without its embedded JSON (``*_json``:
    the spec embedded, made again by ``decode``)."""
    if isinstance(value, NotEnoughData):  # what a page says of it: its message, advice, phrase and values
        said = {
            "message": value.plain,
            "advice": value.advice,
            "key": value.key,
            "values": dict(value.values),
        }
        return _NOT_ENOUGH + _encoder.encode(said)
    if isinstance(value, Mapping):
        value = {k: v for k, v in value.items() if not (isinstance(k, str) and k.endswith("_json"))}
    return _VALUE + _encoder.encode(value)


def decode(key: Hashable, data: bytes) -> Any:
    """The value ``encode`` stored for ``key``: equal to the one computed (tuples as tuples, each chart's
    embedded JSON made again); a ``NotEnoughData`` is returned, for the caller to raise."""
    if data[:1] == _NOT_ENOUGH:
        said = msgspec.msgpack.decode(data[1:], type=dict[str, Any])
        return NotEnoughData(said["message"], advice=said["advice"], key=said["key"], values=said["values"])
    kind = _kind(key)
    value = msgspec.msgpack.decode(data[1:], type=_TYPES.get(kind, Any))
    if kind == "lineage":
        value["built_on"] = [tuple(item) for item in value["built_on"]]
    if isinstance(value, dict):
        for name in ("chart", "quantized"):
            if isinstance(value.get(name), dict):
                value[f"{name}_json"] = htmlsafe_json_dumps(value[name])
    return value


def _stamp_of(built_at: str) -> str:
    """The build stamp in a ``views.stamp`` (``<url>@<stamp>``: the stamp has no ``@``)."""
    return built_at.rsplit("@", 1)[-1]


def read(engine: Engine, built_at: str, key: Hashable) -> Any:
    """The value the store keeps for ``key`` from the build ``built_at`` (a ``views.stamp``), or
    ``MISSING``: none kept, kept from another build, or a store without the table; and while
    ``recording``, which computes every view afresh."""
    if built_at in _absent or _recorded.get() is not None:
        return MISSING
    k = T.kept_views.c
    wanted, stamp = text_of(key), _stamp_of(built_at)
    keys = _kept_keys.get(built_at)
    if keys is not None and wanted not in keys:  # without a connection: its checkout is a round trip too
        return MISSING
    try:
        with engine.connect() as conn:
            if keys is None:
                keys = frozenset(conn.execute(select(k.key).where(k.stamp == stamp)).scalars())
                if keys:
                    _kept_keys[built_at] = keys
            if wanted not in keys:
                return MISSING
            found = conn.execute(
                select(k.value).where(k.key == wanted, k.stamp == stamp)
            ).scalar_one_or_none()
    except SQLAlchemyError:  # a store from before the table: computed as before
        _absent.add(built_at)
        return MISSING
    return MISSING if found is None else decode(key, bytes(found))


@contextlib.contextmanager
def recording() -> Iterator[dict[str, Any]]:
    """Collect every value ``record`` is given in this context, by key text (``web.refresh``)."""
    found: dict[str, Any] = {}
    token = _recorded.set(found)
    try:
        yield found
    finally:
        _recorded.reset(token)


def record(key: Hashable, value: Any) -> None:
    """Note ``value`` (or a ``NotEnoughData``) as the view ``key`` when ``recording``; else nothing."""
    found = _recorded.get()
    if found is not None:
        found[text_of(key)] = (key, value)


def encoded(found: Mapping[str, tuple[Hashable, Any]]) -> dict[str, bytes]:
    """``recording``'s values as ``write`` keeps them: each ``encode``d, by key text."""
    return {text: encode(key, value) for text, (key, value) in found.items()}


def write(conn: Connection, stamp: str, found: Mapping[str, bytes]) -> int:
    """Replace the store's kept views with ``found`` (``encoded``: by key text), computed from the build
    ``stamp`` (``queries.build_stamp``), in the caller's transaction; how many were written."""
    rows = [{"key": text, "stamp": stamp, "value": value} for text, value in sorted(found.items())]
    conn.execute(delete(T.kept_views))
    if rows:
        conn.execute(insert(T.kept_views), rows)
    return len(rows)


def keep(engine: Engine, compute: Callable[[], Mapping[str, bytes]]) -> int:
    """Keep the views ``compute`` gives (``encoded``'s answer) in the store of ``engine``, replacing the
    previous build's; how many were kept: none if the store was rebuilt while they were computed (that
    build keeps its own)."""
    started = time.perf_counter()
    with engine.connect() as conn:
        stamp = Q.build_stamp(conn)
    found = compute()
    with engine.begin() as conn:
        if Q.build_stamp(conn) != stamp:
            return 0
        kept = write(conn, stamp, found)
    _log.info("kept %d views in %.1f s", kept, time.perf_counter() - started)
    return kept
