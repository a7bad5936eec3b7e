"""The importers, one module per input format, each a ``read(path, progress)`` generator of rows.

Every reader streams its input (constant memory), yields an ``ImportedRow`` per model it found (skipped
rows too, with the reason), and raises ``InputError`` only when the file as a whole cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from modelatlas.sources.formats import FORMAT_NAMES
from modelatlas.sources.importers import ecosystem, epoch, paper_table, seed_sections, seed_timeline
from modelatlas.sources.importers._io import Progress
from modelatlas.sources.rows import ImportedRow

__all__ = ["FORMATS", "FORMAT_NAMES", "Reader", "reader"]

Reader = Callable[[Path, Progress | None], Iterator[ImportedRow]]

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
