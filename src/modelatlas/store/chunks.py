"""The rows of a build, a chunk of models at a time, made in forked processes while the build writes.

A build's two costs, making the rows in Python and SQLite writing them, used to run in two threads of
one process; but ``executemany`` takes the GIL back for every row, so the threads took turns and a
build's wall time was its CPU time (141 s at 1,000,000 models). Here the rows are made, and turned into
the statements and tuples the driver takes (``store.bulk.prepare_rows``), in a child process forked from
the build's, which sends each chunk down a pipe (a pickled list of tuples is cheap to pass); the build's
process only writes. On SQLite a child writes its chunks into a file of its own instead, and sends its
name every ``store.parts.PART`` models: the build's process then has SQLite copy the rows in, without
unpickling them or turning their values one by one (``store.parts``).

The child reads the catalog the build's process holds, through the fork, without copying it; each reads
``SLICE`` models and ends, since reading an object writes its reference count and so copies its memory
page into the child (a child for the whole catalog would hold a second copy of it: 5.9 GB at a million
models). Two children run at a time, so that the next slice's first chunk is made before the last
slice's is written.

A merge's catalog (what ``modelatlas build`` and ``import`` write) keeps its models as JSON on disk
(``sources.merge``, ``Encoded``): the build's process reads their text and sends it, two chunks (or
parts) ahead, to ``FED`` children in turn that decode them and make their rows (decoding was half of
such a build's CPU when they were pickled, and is quicker from JSON).

The facet index's combinations are numbered in the build's process (``FacetIndex.number``, or
``renumber`` for a part's), in the models' order, from each model's combination made with its rows; the
lineage edges are kept for the end, when every model they join is in. Without ``fork`` (not on Linux),
in a process running other threads than daemons (forking one is unsafe: ``may_fork``), for a catalog
made as it is read (neither a list nor ``Encoded``: it would be made again by every child) or a small
one, the same chunks are made in a thread of the build's process instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Dialect

from modelatlas._children import (
    Pipe,
    Turn,
    given_batches,
    may_fork,
    own_streams,
    received,
    send_failure,
    start,
)
from modelatlas.analysis.rows import table_rows
from modelatlas.catalog.loader import Catalog, Entry
from modelatlas.catalog.schema import Model, Organization
from modelatlas.errors import StoreError
from modelatlas.store import rows as R
from modelatlas.store import tables as T
from modelatlas.store.bulk import Prepared, prepare_all_at_once, prepare_rows
from modelatlas.store.facet_index import Combination, combinations
from modelatlas.store.parts import PART, Part, PartFile
from modelatlas.store.text_index import TEXT
from modelatlas.store.text_index import text_rows as texts_of

__all__ = ["CHUNK", "SLICE", "Chunk", "Maker", "chunks"]

#: Models written at a time: a build's memory is a few chunks' rows, whatever the catalog's size.
#: 10,000 held 140 MB at the peak of an import.
CHUNK = 2_000
#: Models read by one child process before it ends and the next is forked: what each child copies of the
#: catalog (its pages, as it reads them) is a slice's, about 6 KB a model.
SLICE = 50_000
#: Below this many models the rows are made in a thread: forking is not worth it.
FORK_FROM = 2 * CHUNK

#: The order tables are written in: parents before the tables that refer to them.
ORDER = [t.name for t in T.metadata.sorted_tables]


@runtime_checkable
class Encoded(Protocol):
    """A catalog's models kept encoded (a merge's, as JSON on disk: ``sources.merge``), which a child
    process can decode itself: the build's process only reads and passes the text."""

    def encoded(self) -> Iterator[tuple[str, str]]:
        """Each model's record encoded (``Model.record_json``, kept in the store as it is), with its
        file, in the catalog's order."""
        ...

    def decode(self, body: str) -> Model:
        """A record ``encoded`` gave."""
        ...


@dataclass(slots=True)
class Chunk:
    """One chunk's rows, ready for the driver: ``tables`` in ``ORDER``, then the facet index's rows
    (``facets``: each model's combination and the rest of its row, to be numbered), then ``text``
    (``model_text``, in one statement on SQLite); ``lineage`` rows are written at the end."""

    models: int
    tables: list[Prepared] = field(default_factory=list)
    facets: list[tuple[Combination, tuple[Any, ...]]] = field(default_factory=list)
    text: Prepared | None = None
    lineage: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Maker:
    """What making a chunk needs: the dialect the statements are for, the organizations (for the
    analysis rows, and their countries for the facet index: None when the build writes no facet index)."""

    dialect: Dialect
    organizations: Mapping[str, Organization]
    countries: Mapping[str, str | None] | None

    def make(
        self,
        entries: Sequence[Entry[Model]],
        *,
        text_rows: bool = False,
        encoded: Sequence[str] | None = None,
    ) -> Chunk:
        """The rows of ``entries``' models; ``text_rows``: ``model_text``'s as rows (for a part:
        ``store.parts``), not in one statement. ``encoded``: each model's ``Model.record_json``, where
        the caller has it (``_fed``'s children decode the models from it)."""
        batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
        records: list[Model] = []
        curated: set[str] = set()  # of the chunk's models: the catalog's may be on disk, read once
        chunk = Chunk(models=len(entries))
        texts: Sequence[str | None] = [None] * len(entries) if encoded is None else encoded
        for entry, record_json in zip(entries, texts, strict=True):
            for table, rows in R.model_rows(entry.record, entry.path, record_json).items():
                (chunk.lineage if table == "lineage" else batch[table]).extend(rows)
            records.append(entry.record)
            if entry.path.name.endswith(".yaml"):
                curated.add(entry.record.id)
        batch["analysis_rows"] = list(table_rows(records, self.organizations, curated=curated))
        for name in ORDER:
            prepared = prepare_rows(self.dialect, T.metadata.tables[name], batch.get(name, ()))
            if prepared is not None:
                chunk.tables.append(prepared)
        if self.countries is not None:
            chunk.facets = combinations(batch, self.countries)
            prepare = prepare_rows if text_rows else prepare_all_at_once
            chunk.text = prepare(self.dialect, TEXT, texts_of(batch))
        return chunk


def chunks(catalog: Catalog, maker: Maker, folder: Path | None = None) -> Generator[Chunk | Part, None, None]:
    """The chunks of ``catalog``'s models, in order, each made while the caller writes the last.

    ``folder`` (a SQLite build's): where the children write their rows as parts (``store.parts``), which
    they send instead of chunks; made in a thread, the rows come as chunks."""
    models = catalog.models
    if len(models) >= FORK_FROM and may_fork():
        if isinstance(models, list):
            return _forked(models, maker, folder)
        if isinstance(models, Encoded):
            return _fed(models, maker, folder)
    return _threaded(models, maker)


def _slices(count: int, size: int) -> Iterator[range]:
    return (range(start, min(start + size, count)) for start in range(0, count, size))


def _threaded(models: Sequence[Entry[Model]], maker: Maker) -> Generator[Chunk, None, None]:
    """The chunks made in a thread, the next while the caller writes this one (the two mostly take
    turns: ``executemany`` takes the GIL back for every row). ``models`` is read once, in order."""
    entries = iter(models)

    def make_next() -> Chunk | None:
        part = list(islice(entries, CHUNK))
        return maker.make(part) if part else None

    with ThreadPoolExecutor(max_workers=1) as ahead:
        coming = ahead.submit(make_next)
        while (chunk := coming.result()) is not None:
            coming = ahead.submit(make_next)
            yield chunk


def _forked(
    models: list[Entry[Model]], maker: Maker, folder: Path | None = None
) -> Generator[Chunk | Part, None, None]:
    """The chunks (or parts, in ``folder``) made in child processes, ``SLICE`` models each, two at a time."""
    waiting = list(_slices(len(models), SLICE))[::-1]
    running: list[tuple[BaseProcess, Pipe]] = []
    try:
        while waiting or running:
            while waiting and len(running) < 2:
                running.append(start(_serve, models, waiting.pop(), maker, folder))
            child, receive = running[0]
            while (message := _received(child, receive)) is not None:
                yield message
            running.pop(0)
            receive.close()
            child.join()
    finally:
        for child, receive in running:
            child.kill()
            child.join()
            receive.close()


def _fed(models: Encoded, maker: Maker, folder: Path | None = None) -> Generator[Chunk | Part, None, None]:
    """The chunks (or parts, in ``folder``) made in ``FED`` child processes from the encoded models this
    one reads and sends them, a batch each in turn (a chunk's or a part's models), two batches ahead
    (the children hold none of the catalog: they need no slices). Each child sends one message a batch,
    so the messages come back in the catalog's order taken in the same turns. A batch goes a chunk's
    models at a time (a part's at once held its models twice: 40 MB of this process's peak at 30,000
    models, pickled)."""
    encoded = models.encoded()
    size = CHUNK if folder is None else PART
    feeds: list[Turn] = []
    try:
        for _ in range(FED):
            feeds.append(Turn.started(_decode_and_serve, models.decode, maker, folder))
        for _ in range(2):
            for feed in feeds:
                _give_batch(feed, encoded, size)
        turn = 0
        while (message := _received(feeds[turn].child, feeds[turn].receive)) is not None:
            _give_batch(feeds[turn], encoded, size)
            yield message
            turn = (turn + 1) % len(feeds)
        for feed in feeds:
            feed.child.join()
    finally:
        for feed in feeds:
            feed.end()


#: Child processes decoding a merge's catalog (``_fed``): one per core of this 2-core machine; the
#: build's process only copies their parts in.
FED = 2


def _give_batch(feed: Turn, encoded: Iterator[tuple[str, str]], size: int) -> None:
    """Send a child of ``_fed`` the next batch, ``size`` models in pieces of at most ``CHUNK``, or None
    (once) when there are none left; nothing once it is done."""
    left = size
    while left and not feed.done:
        piece = list(islice(encoded, min(left, CHUNK)))
        left -= len(piece)
        feed.give(piece or None)


#: What the children are doing, for the errors that say they failed.
DOING = "making the store's rows"


def _received(child: BaseProcess, receive: Pipe) -> Chunk | Part | None:
    """The child's next chunk or part; None after its last.

    Raises:
        StoreError: the child ended without saying (killed: out of memory?), or sent something else.
        BaseException: what the child raised making the rows.
    """
    message = received(child, receive, DOING, StoreError)
    if message is None or isinstance(message, Chunk | Part):
        return message
    raise StoreError(f"the process {DOING} sent {type(message).__name__}")


def _serve(send: Pipe, models: list[Entry[Model]], part: range, maker: Maker, folder: Path | None) -> None:
    """In the child: send the chunks of ``models[part]`` (or parts, in ``folder``), then None; or what
    went wrong."""
    own_streams()
    try:
        made = (
            maker.make(
                models[part.start + piece.start : part.start + piece.stop], text_rows=folder is not None
            )
            for piece in _slices(len(part), CHUNK)
        )
        _send(send, made, folder)
    except BaseException as exc:  # noqa: BLE001 - handed to the build's process, which raises it
        send_failure(send, exc, DOING, StoreError)
    finally:
        send.close()


def _send(send: Pipe, made: Iterator[Chunk], folder: Path | None) -> None:
    """In a child: send each chunk ``made``, or with ``folder`` the parts they are written into there
    (``PART`` models each, the last maybe fewer); then None."""
    if folder is None:
        for chunk in made:
            send.send(chunk)
    else:
        part: PartFile | None = None
        for chunk in made:
            part = part or PartFile(folder)
            part.add(chunk)
            if part.models >= PART:
                send.send(part.close())
                part = None
        if part is not None:
            send.send(part.close())
    send.send(None)


def _decode_and_serve(
    send: Pipe, receive: Pipe, decode: Callable[[str], Model], maker: Maker, folder: Path | None
) -> None:
    """In the child of ``_fed``: make and send the rows of each piece of encoded models received (read by
    ``decode``; their text is what the store keeps of them: ``Encoded``), until None
    (``_children.given_batches``)."""
    own_streams()
    try:
        made = (  # a piece is at most a chunk's models (``_give_batch``)
            maker.make(
                [Entry(decode(body), _path(path), None) for body, path in piece],
                text_rows=folder is not None,
                encoded=[body for body, _ in piece],  # the store keeps the text the model was read from
            )
            for piece in given_batches(receive)
        )
        _send(send, made, folder)
    except BaseException as exc:  # noqa: BLE001 - handed to the build's process, which raises it
        send_failure(send, exc, DOING, StoreError)
    finally:
        send.close()


@lru_cache(maxsize=64)
def _path(path: str) -> Path:
    """The file a model came from: one ``Path`` for the many models of one import (making one a model
    was 4 % of a child's time)."""
    return Path(path)
