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
#: Bytes ``ProgressReader`` reads at a time.
BLOCK = 1 << 20


def _undecodable(path: Path, number: int, exc: UnicodeDecodeError) -> InputError:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return InputError(
        path,
        number,
        f"not UTF-8 text (byte 0x{byte} at column {exc.start + 1}); the file is probably in GBK or "
        "Latin-1: re-save it as UTF-8 (e.g. `iconv -f gbk -t utf-8`)",
    )


def text_lines(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text without the newline)`` for each line of ``path`` (``ProgressReader``'s
    lines: a trailing ``\\r`` left out, a BOM too).

    Raises:
        InputError: the file cannot be opened, a line is not UTF-8 (names the line) or is longer than
            ``MAX_LINE`` bytes.
    """
    for number, line in enumerate(ProgressReader(path, progress), start=1):
        yield number, line[:-1]


class ProgressReader:
    """The lines of ``path`` for ``csv.reader`` (each with one ``\\n``), checked as UTF-8 and reported
    by bytes read (the line numbers are ``csv.reader``'s ``line_num``, or ``text_lines``').

    Read and decoded ``BLOCK`` bytes of whole lines at a time: a line at a time cost a million-row
    Epoch export 24 s of the reading process's CPU (about six physical lines a record). A block that is
    not UTF-8 is read again a line at a time, to name the line.
    """

    def __init__(self, path: Path, progress: Progress | None = None) -> None:
        self.path = path
        self._progress = progress

    def __iter__(self) -> Iterator[str]:
        number = 0  # lines before the block
        for block in self._blocks():
            try:
                text = block.decode("utf-8")
            except UnicodeDecodeError:
                yield from self._until_undecodable(block, number)
                raise  # pragma: no cover - _until_undecodable raises: not reached
            if number == 0 and text.startswith("\ufeff"):
                text = text[1:]  # the BOM (its bytes count in the first line's length)
            lines = text.split("\n")
            if block.endswith(b"\n"):
                lines.pop()  # the empty text after the last line's newline
            number += len(lines)
            if "\r" in text:
                yield from (line.rstrip("\r") + "\n" for line in lines)
            else:
                yield from (line + "\n" for line in lines)

    def _until_undecodable(self, block: bytes, number: int) -> Iterator[str]:
        """The lines of a ``block`` that is not UTF-8 (after ``number`` lines), up to the first that is
        not: then the error, naming it."""
        lines = block.split(b"\n")
        if block.endswith(b"\n"):
            lines.pop()
        for at, line in enumerate(lines, start=number + 1):
            try:
                text = line.removeprefix(_BOM if at == 1 else b"").decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _undecodable(self.path, at, exc) from exc
            yield text.rstrip("\r") + "\n"

    def _blocks(self) -> Iterator[bytes]:
        """The file's bytes, whole lines at a time; each line at most ``MAX_LINE``."""
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise InputError(self.path, 0, f"cannot read: {exc.strerror or exc}") from exc
        with handle:
            done, lines, carry = 0, 0, b""
            while block := handle.read(min(BLOCK, MAX_LINE)):
                done += len(block)
                first = block.find(b"\n") + 1  # the end of the line carried over, if it ends here
                if len(carry) + (first or len(block)) > MAX_LINE:
                    raise InputError(
                        self.path, lines + 1, f"a line longer than {MAX_LINE:,} bytes: not a text file"
                    )
                if first == 0:
                    carry += block
                    continue
                end = block.rfind(b"\n") + 1
                whole, carry = carry + block[:end], block[end:]
                lines += whole.count(b"\n")
                yield whole
                if self._progress is not None:
                    self._progress(done)
            if carry or (done and not lines):  # a last line without its newline; a BOM alone is a line
                yield carry
            if self._progress is not None:
                self._progress(done)
