"""A selection of models as CSV or markdown, for the export links and ``format=`` on the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelatlas.report.plain import csv_text, markdown_table

__all__ = ["table"]


def table(items: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> tuple[str, str]:
    """``items`` as ``fmt`` (csv or markdown), with the media type to send it as."""
    rows = [[item.get(c) for c in columns] for item in items]
    if fmt == "csv":
        return csv_text(columns, rows), "text/csv; charset=utf-8"
    return markdown_table(columns, rows), "text/markdown; charset=utf-8"
