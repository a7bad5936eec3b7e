"""Reading input files line by line: strict UTF-8, constant memory, progress by bytes read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from modelatlas.errors import InputError

__all__ = ["MAX_LINE", "Progress", "ProgressReader", "text_lines"]

#: Called with the number of bytes of the input read so far.
Progress = Callable[[int], None]

_BOM = b"\xef\xbb\xbf"
#: The longest line read, in bytes (a 50 MB cell is read and its row skipped): a 200 MB cell, or an endless
#: stream, grew memory without bound (issue 19).
MAX_LINE = 64 << 20


def _undecodable(path: Path, number: int, exc: UnicodeDecodeError) -> InputError:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return InputError(
        path,
        number,
        f"not UTF-8 text (byte 0x{byte} at column {exc.start + 1}); the file is probably in GBK or "
        "Latin-1: re-save it as UTF-8 (e.g. `iconv -f gbk -t utf-8`)",
    )


def text_lines(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text without the newline)`` for each line of ``path``.

    Raises:
        InputError: the file cannot be opened, or a line is not UTF-8 (names the line).
    """
    done = 0
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(path, 0, f"cannot read: {exc.strerror or exc}") from exc
    with handle:
        number = 0
        while raw := handle.readline(MAX_LINE + 1):
            number += 1
            if len(raw) > MAX_LINE:  # no line of a list or an export is this long: memory would follow it
                raise InputError(path, number, f"a line longer than {MAX_LINE:,} bytes: not a text file")
            done += len(raw)
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _undecodable(path, number, exc) from exc
            if progress is not None and number % 256 == 0:
                progress(done)
            yield number, text.rstrip("\r\n")
        if progress is not None:
            progress(done)


class ProgressReader:
    """A text stream over ``path`` for ``csv.reader`` that checks UTF-8 per line and reports progress.

    ``line`` is the number of the physical line last read (a CSV record may span several).
    """

    def __init__(self, path: Path, progress: Progress | None = None) -> None:
        self.path = path
        self.line = 0
        self._lines = text_lines(path, progress)

    def __iter__(self) -> Iterator[str]:
        for number, text in self._lines:
            self.line = number
            yield text + "\n"
