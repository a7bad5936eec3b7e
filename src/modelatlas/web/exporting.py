"""What a page offers to take away: a selection of models as CSV or markdown (the export links and
``format=`` on the API), and each chart with what a citation needs (its title, the data's date, its URL)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from modelatlas.report.plain import csv_text, markdown_table

__all__ = ["Figure", "figure", "table"]


def table(items: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> tuple[str, str]:
    """``items`` as ``fmt`` (csv or markdown), with the media type to send it as."""
    rows = [[item.get(c) for c in columns] for item in items]
    if fmt == "csv":
        return csv_text(columns, rows), "text/csv; charset=utf-8"
    return markdown_table(columns, rows), "text/markdown; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Figure:
    """A chart as a page shows it: its spec (embedded JSON), its title, the date of its data (the
    store's build) and the address to cite; the page draws it with PNG, SVG and CSV downloads."""

    json: Markup
    title: str
    as_of: str
    url: str

    @property
    def file(self) -> str:
        """The downloads' name: the title, words joined by hyphens (``modelatlas-parameters.png``)."""
        return re.sub(r"\W+", "-", self.title.lower()).strip("-")[:60] or "chart"


def figure(
    spec: dict[str, Any], embedded: Markup, as_of: dt.date | None, url: str, *, untitled: str = ""
) -> Figure:
    """The ``Figure`` of ``spec`` (``embedded`` is its JSON, kept per build by ``views``), titled as the
    chart is, or ``untitled`` when it has none."""
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    named = " ".join(text) if isinstance(text, list) else str(text)
    return Figure(embedded, named or untitled, _day(as_of), url)


def _day(as_of: dt.date | None) -> str:
    return as_of.isoformat() if as_of else "-"
