"""Commands' docstrings as the terminal shows them: each paragraph one flowing line, examples kept.

Typer (0.29) keeps the single line breaks of a docstring after its first paragraph, and Rich then wraps
each source line at the terminal's width, so a docstring wrapped at 110 columns came out ragged at 80
(a full line, then two words, then a full line). ``reflow`` joins the lines of each paragraph, leaving
indented lines (the examples) on lines of their own, for Rich to wrap at whatever width it has.
"""

from __future__ import annotations

import inspect

import typer

__all__ = ["reflow", "reflow_commands"]


def reflow(text: str) -> str:
    """``text`` (a docstring) with each paragraph's lines joined, except indented ones, which stay whole."""
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            if lines and not line[:1].isspace() and not lines[-1][:1].isspace():
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def reflow_commands(app: typer.Typer) -> None:
    """Give each of ``app``'s commands its docstring, reflowed, as its help."""
    for command in app.registered_commands:
        text = command.help or inspect.getdoc(command.callback) or ""
        command.help = reflow(text)
