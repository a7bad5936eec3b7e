"""The names of the input formats ``modelatlas import`` and ``check --input`` take.

Kept apart from ``sources.importers`` (whose package imports every reader and the catalog's models) so
that the CLI can offer them without importing the readers: every command's start-up paid for them.
``sources.importers.FORMATS`` has a reader for each name, in this order (``tests/test_import_formats.py``).
"""

from __future__ import annotations

__all__ = ["FORMAT_NAMES"]

FORMAT_NAMES: tuple[str, ...] = ("seed-sections", "seed-timeline", "paper-table", "epoch", "ecosystem-graphs")
