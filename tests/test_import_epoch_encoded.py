"""epoch.read_encoded: the rows ``read`` gives, as the spool keeps them, converted in two forked children
taking turns (issue 18: converting was four fifths of reading); duplicates told in the file's order,
across batches; what a child raises fails the import; no child outlives the reading."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelatlas import _children
from modelatlas.errors import InputError
from modelatlas.sources.importers import encoded_reader, epoch, reader
from modelatlas.sources.rows import EncodedRow

EPOCH = Path(__file__).parent / "fixtures" / "epoch"


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every file converted in children (pytest's own threads aside), 7 records a batch; each child
    writes its pid into the folder returned."""
    monkeypatch.setattr(_children, "may_fork", lambda: True)
    monkeypatch.setattr(epoch, "FORK_FROM", 0)
    monkeypatch.setattr(epoch, "BATCH", 7)
    work = epoch._encoded_batches

    def recorded(layout: Any, batches: Iterator[Any]) -> Iterator[Any]:
        (tmp_path / str(os.getpid())).touch()
        yield from work(layout, batches)

    monkeypatch.setattr(epoch, "_encoded_batches", recorded)
    return tmp_path


@pytest.mark.parametrize(
    "name",
    [
        "notable_ai_models_2026-07.csv",
        "duplicates.csv",
        "truncated.csv",
        "non_numeric.csv",
        "pcd_all_ml_systems_2023.csv",
        "merge_notable.csv",
    ],
)
def test_the_rows_are_reads_converted_in_two_children(forked: Path, name: str) -> None:
    expected = [EncodedRow.of(row) for row in epoch.read(EPOCH / name)]
    assert list(epoch.read_encoded(EPOCH / name)) == expected
    children = {int(p.name) for p in forked.iterdir()}
    assert len(children) == 2 and os.getpid() not in children
    assert multiprocessing.active_children() == []


def test_duplicates_are_told_in_the_files_order_across_batches(forked: Path, tmp_path: Path) -> None:
    """The first row of a name is the one kept, whichever child converted it: a duplicate 1,000 lines on,
    in another batch and child, is skipped naming it and its spelling."""
    rows = [f"Model {i},2023-01-0{1 + i % 9},{i}000000" for i in range(1000)]
    lines = ["Model,Publication date,Parameters", "Twin,2023-01-01,7000000", *rows, "twin,2023-02-01,8000000"]
    path = tmp_path / "all_ai_models.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = list(epoch.read_encoded(path))
    assert got == [EncodedRow.of(row) for row in epoch.read(path)]
    assert len(got) == 1002 and [g.makes_model for g in got] == [True] * 1001 + [False]
    twin = got[-1].decoded()
    assert (twin.line, twin.name, twin.model) == (1003, "twin", None)
    assert twin.skipped == "duplicate of line 2 ('Twin', the same name once normalised)"
    assert len([p for p in forked.iterdir() if p.name.isdigit()]) == 2


def test_a_small_file_is_converted_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below ``FORK_FROM`` bytes no child is started; the rows are the same."""

    def no_fork(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("forked for a small file")

    monkeypatch.setattr(epoch, "in_turns", no_fork)
    path = EPOCH / "notable_ai_models_2026-07.csv"
    assert path.stat().st_size < epoch.FORK_FROM
    assert list(encoded_reader("epoch")(path, None)) == [EncodedRow.of(r) for r in epoch.read(path)]


def test_what_a_child_raises_fails_the_reading(forked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unseen = epoch._unseen
    path = EPOCH / "notable_ai_models_2026-07.csv"
    at = [row.line for row in epoch.read(path)][300]

    def broken(layout: Any, line: int, cells: Any) -> Any:
        if line == at:
            raise ValueError(f"no record at {line} for you (pid {os.getpid()})")
        return unseen(layout, line, cells)

    monkeypatch.setattr(epoch, "_unseen", broken)
    with pytest.raises(ValueError, match=rf"no record at {at} for you") as failed:
        list(epoch.read_encoded(path))
    assert f"pid {os.getpid()})" not in str(failed.value)  # raised in a child
    assert multiprocessing.active_children() == []


def test_a_reading_stopped_early_ends_its_children(forked: Path) -> None:
    rows = epoch.read_encoded(EPOCH / "notable_ai_models_2026-07.csv")
    first = [next(rows) for _ in range(3)]
    rows.close()
    assert [r.line for r in first] == [2, 7, 12]  # records of several lines each
    assert multiprocessing.active_children() == []


def test_a_file_that_is_not_utf8_is_refused_with_its_line(forked: Path) -> None:
    with pytest.raises(InputError, match=r"bad_encoding_gbk\.csv:3: not UTF-8 text"):
        list(epoch.read_encoded(EPOCH / "bad_encoding_gbk.csv"))
    assert multiprocessing.active_children() == []


def test_other_formats_are_encoded_as_read() -> None:
    table = Path(__file__).parent / "fixtures" / "lists" / "eugeneyan_open-llms_README.md"
    expected = [EncodedRow.of(row) for row in reader("paper-table")(table, None)]
    assert len(expected) > 3 and list(encoded_reader("paper-table")(table, None)) == expected


def test_a_child_that_dies_fails_the_reading_naming_the_file(
    forked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed (out of memory?), a converting child is an ``InputError`` on the file, not a TypeError."""

    def killed(layout: Any, batches: Iterator[Any]) -> Iterator[Any]:
        next(batches)
        os._exit(3)
        yield []

    monkeypatch.setattr(epoch, "_encoded_batches", killed)
    path = EPOCH / "merge_notable.csv"
    with pytest.raises(InputError) as raised:
        list(epoch.read_encoded(path))
    assert str(raised.value) == f"{path}: the process converting the records ended unexpectedly (exit code 3)"
    assert multiprocessing.active_children() == []
