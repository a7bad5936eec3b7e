"""modelatlas.sources.importers._io: ``ProgressReader`` (and ``text_lines``, its lines numbered) reads
blocks of lines as the importers read lines one at a time before (issue 18: a line at a time was 24 s
of a million-row import's reading process)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelatlas.errors import InputError
from modelatlas.sources.importers import _io
from modelatlas.sources.importers._io import ProgressReader, text_lines
from modelatlas.sources.importers._io import _undecodable as undecodable

#: Pieces of text that make the cases: line ends of three kinds, a BOM, two- and three-byte characters
#: (cut by a block's end), bytes that are not UTF-8, quotes and commas (a CSV record over lines).
PIECES = [
    b"a",
    b"bc",
    b",",
    b'"',
    b"\n",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    "é".encode(),
    "模".encode(),
    b"\xff",
]


def read_lines(path: Path) -> list[str]:
    """The lines of ``path`` as the importers read them until 2026-12-07, one ``readline`` at a time."""
    lines: list[str] = []
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(_io.MAX_LINE + 1):
            number += 1
            if len(raw) > _io.MAX_LINE:
                raise InputError(path, number, f"a line longer than {_io.MAX_LINE:,} bytes: not a text file")
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise undecodable(path, number, exc) from exc
            lines.append(text.rstrip("\r\n") + "\n")
    return lines


def line_by_line(path: Path) -> list[str] | str:
    """The lines read one at a time, or the error."""
    try:
        return read_lines(path)
    except InputError as exc:
        return str(exc)


def in_blocks(path: Path, progress: list[int] | None = None) -> list[str] | str:
    try:
        return list(ProgressReader(path, None if progress is None else progress.append))
    except InputError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=40), block=st.integers(1, 12), limit=st.integers(4, 30)
)
def test_blocks_give_the_lines_and_errors_a_line_at_a_time_gives(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[bytes], block: int, limit: int
) -> None:
    path = tmp_path_factory.mktemp("lines") / "f.csv"
    path.write_bytes(b"".join(pieces))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_io, "BLOCK", block)
        patch.setattr(_io, "MAX_LINE", limit)
        progress: list[int] = []
        assert in_blocks(path, progress) == line_by_line(path)
        try:
            numbered: list[str] | str = [f"{n}:{text}" for n, text in text_lines(path)]
        except InputError as exc:
            numbered = str(exc)
        expected = line_by_line(path)
        if isinstance(expected, list):
            expected = [f"{n}:{line[:-1]}" for n, line in enumerate(expected, start=1)]
        assert numbered == expected
        if progress:
            assert progress == sorted(progress) and progress[-1] <= path.stat().st_size


def test_the_exact_lines_errors_and_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'\xef\xbb\xbfModel,Note\r\nA,"two\r\nlines"\n\nB,\xc3\xa9\rC,x')
    monkeypatch.setattr(_io, "BLOCK", 8)
    progress: list[int] = []
    lines = list(ProgressReader(path, progress.append))
    assert lines == ["Model,Note\n", 'A,"two\n', 'lines"\n', "\n", "B,é\rC,x\n"]
    assert progress[-1] == path.stat().st_size == 39
    reader = csv.reader(ProgressReader(path))
    assert [(next(reader), reader.line_num) for _ in range(3)] == [
        (["Model", "Note"], 1),
        (["A", "two\nlines"], 3),  # the record's lines, \r\n read as \n
        ([], 4),
    ]
    with pytest.raises(csv.Error, match="new-line character seen in unquoted field"):
        next(reader)  # a lone \r in a line is no line end: csv says so, as it did line by line
    path.write_bytes(b"Model\nok\nbad \xff here\n")
    with pytest.raises(InputError, match=r"f\.csv:3: not UTF-8 text \(byte 0xff at column 5\)"):
        list(ProgressReader(path))
    path.write_bytes(b"\xef\xbb\xbfModel \xff\n")  # the column counted after the BOM
    with pytest.raises(InputError, match=r"f\.csv:1: not UTF-8 text \(byte 0xff at column 7\)"):
        list(ProgressReader(path))
    monkeypatch.setattr(_io, "MAX_LINE", 10)
    path.write_bytes(b"Model\n012345678\n" + b"x" * 10 + b"\n")  # line 2: 10 bytes, line 3: 11
    with pytest.raises(InputError, match=r"f\.csv:3: a line longer than 10 bytes"):
        list(ProgressReader(path))
