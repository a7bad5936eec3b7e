"""The importers, one module per input format, each a ``read(path, progress)`` generator of rows.

Every reader streams its input (constant memory), yields an ``ImportedRow`` per model it found (skipped
rows too, with the reason), and raises ``InputError`` only when the file as a whole cannot be read.
``encoded_reader`` gives the rows as an import's spool keeps them (``EncodedRow``): Epoch's exports, the
large ones, are converted in child processes (``epoch.read_encoded``), the others encoded as read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from modelatlas.sources.formats import FORMAT_NAMES
from modelatlas.sources.importers import ecosystem, epoch, paper_table, seed_sections, seed_timeline
from modelatlas.sources.importers._io import Progress
from modelatlas.sources.rows import EncodedRow, ImportedRow

__all__ = ["FORMATS", "FORMAT_NAMES", "EncodedReader", "Reader", "encoded_reader", "reader"]

Reader = Callable[[Path, Progress | None], Iterator[ImportedRow]]
EncodedReader = Callable[[Path, Progress | None], Iterator[EncodedRow]]

FORMATS: dict[str, Reader] = {
    "seed-sections": seed_sections.read,
    "seed-timeline": seed_timeline.read,
    "paper-table": paper_table.read,
    "epoch": epoch.read,
    "ecosystem-graphs": ecosystem.read,
}
assert tuple(FORMATS) == FORMAT_NAMES, "sources.formats names every reader, in order"


def reader(name: str) -> Reader:
    return FORMATS[name]


def encoded_reader(name: str) -> EncodedReader:
    """Format ``name``'s reader, its rows as an import's spool keeps them."""
    if name == "epoch":
        return epoch.read_encoded
    read = reader(name)

    def encoded(path: Path, progress: Progress | None) -> Iterator[EncodedRow]:
        return (EncodedRow.of(row) for row in read(path, progress))

    return encoded
