"""Rows as plain text: one flat cell per value, markdown tables and CSV; shared by the CLI and the web."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

__all__ = ["cell", "csv_text", "markdown_table"]


def cell(value: Any) -> str:
    """A value as flat text: lists joined with ``; ``, None as empty, booleans as yes/no."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


#: Characters a markdown renderer would read as a table edge, raw HTML or a link: written as themselves.
_MARKDOWN = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "\n": " "})
#: What makes a spreadsheet read a CSV cell as a formula (``=HYPERLINK(…)``; OWASP's list).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table whose cells read as written: no raw HTML, no links, no broken columns (a name
    like ``<img src=x onerror=…>`` or ``[x](javascript:…)`` is text)."""

    def esc(value: Any) -> str:
        return cell(value).translate(_MARKDOWN)

    lines = ["| " + " | ".join(esc(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV whose text cells a spreadsheet shows as text: one starting like a formula gets a ``'`` first
    (numbers keep their sign)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([[_inert(v) for v in row] for row in rows])
    return buffer.getvalue()


def _inert(value: Any) -> str:
    text = cell(value)
    number = isinstance(value, int | float)
    return f"'{text}" if not number and text.startswith(_FORMULA) else text
