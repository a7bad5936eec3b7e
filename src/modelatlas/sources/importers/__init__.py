"""The importers, one module per input format, each a ``read(path, progress)`` generator of rows.

Every reader streams its input (constant memory), yields an ``ImportedRow`` per model it found (skipped
rows too, with the reason), and raises ``InputError`` only when the file as a whole cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from modelatlas.sources.importers._io import Progress
from modelatlas.sources.rows import ImportedRow

__all__ = ["FORMATS", "Reader"]

Reader = Callable[[Path, Progress | None], Iterator[ImportedRow]]


def _formats() -> dict[str, Reader]:
    from modelatlas.sources.importers import ecosystem, epoch, paper_table, seed_sections

    return {
        "seed-sections": seed_sections.read,
        "paper-table": paper_table.read,
        "epoch": epoch.read,
        "ecosystem-graphs": ecosystem.read,
    }


FORMATS: dict[str, Reader] = {}


def reader(name: str) -> Reader:
    if not FORMATS:
        FORMATS.update(_formats())
    return FORMATS[name]


FORMAT_NAMES = ("seed-sections", "paper-table", "epoch", "ecosystem-graphs")
