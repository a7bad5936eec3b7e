"""Print records as a Rich table, JSON, CSV or markdown: every listing pipes."""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Console

from modelatlas.report.plain import cell, csv_text, markdown_table

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = [
    "Format",
    "bar_stages",
    "cell",
    "counting_bar",
    "emit",
    "emit_json",
    "markdown_table",
    "stage_bar",
    "stderr",
    "stdout",
]


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def stdout() -> Console:
    """The console for results; wide when piped, so tables are not folded into narrow columns."""
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=200)
    return console


def stderr() -> Console:
    """The console for messages and progress: never wrapped, so each message stays one line."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def counting_bar(label: str = "{task.description}") -> Progress:
    """A transient ``label  ━━━━  done/total`` bar on stderr; silent when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    err = stderr()
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def stage_bar(err: Console, *, quiet: bool) -> Progress:
    """The bars of a long write on ``err``, one a stage (reading: bytes; merging: rows; writing: models;
    a stage that counts nothing pulses), each with its rate and the time left; transient, and silent
    when ``quiet``."""
    from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class Done(ProgressColumn):
        def render(self, task: Task) -> Text:
            if task.total is None:
                return Text("")
            if task.fields["unit"] == "bytes":
                return Text(f"{task.completed / 1e6:,.1f}/{task.total / 1e6:,.1f} MB")
            return Text(f"{task.completed:,.0f}/{task.total:,.0f} {task.fields['unit']}")

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            if speed is None or task.total is None:
                return Text("")
            if task.fields["unit"] == "bytes":
                return Text(f"{speed / 1e6:,.1f} MB/s")
            return Text(f"{speed:,.0f} {task.fields['unit']}/s")

    columns = (TextColumn("{task.description}"), BarColumn(), Done(), Rate(), TimeRemainingColumn())
    return Progress(*columns, console=err, transient=True, disable=quiet)


def bar_stages(bar: Progress, what: str) -> Callable[[str, int], Callable[[int], None]]:
    """``sources.ingest.Stages`` on ``bar``: a task a stage, ``what: name`` (``merging``: rows, else
    models; 0 steps: nothing counted), and what moves it."""

    def stage(name: str, steps: int) -> Callable[[int], None]:
        unit = "rows" if name == "merging" else "models"
        task = bar.add_task(f"{what}: {name}", total=steps or None, unit=unit)
        return lambda done: bar.update(task, completed=done)

    return stage


def emit_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def emit(
    records: Sequence[dict[str, Any]],
    columns: Sequence[tuple[str, str]],
    fmt: Format,
    *,
    title: str | None = None,
    shown: dict[str, Any] | None = None,
    most: int | None = None,
) -> None:
    """Print ``records``: ``columns`` pairs keys with headers, ``shown`` maps keys to display functions.

    JSON keeps every key of every record with its raw value; the other formats show ``columns`` only.
    A table shows at most ``most`` records and then says, on stderr, how to get them all (a table of a
    million rows helps no one and takes minutes to draw); the other formats always give every record.
    """
    if fmt is Format.json:
        emit_json(list(records))
        return
    shown = shown or {}
    keys = [k for k, _ in columns]
    headers = [h for _, h in columns]
    total = len(records)
    if fmt is Format.table:
        records = records[:most]  # what is not shown is not drawn
    rows = [[shown[k](r.get(k)) if k in shown else cell(r.get(k)) for k in keys] for r in records]
    if fmt is Format.csv:
        sys.stdout.write(csv_text(keys, [[r.get(k) for k in keys] for r in records]))
    elif fmt is Format.markdown:
        sys.stdout.write(markdown_table(headers, rows))
    else:
        from rich.table import Table
        from rich.text import Text

        # cells as Text, not markup: Epoch's "Flux.1 [dev]" printed as "Flux.1", "[/bold]" in a name
        # crashed the command and "[link=…]" made a live terminal link (issue 19)
        table = Table(title=Text(title) if title else None, header_style="bold")
        for header in headers:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*(Text(value) for value in row))
        stdout().print(table)
        if most is not None and total > most:
            stderr().print(
                f"the first {most:,} of {total:,} rows shown; --format csv or json gives them all",
                markup=False,
            )
