"""Writing files atomically: through a temporary file beside the target, so readers never see half a file."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from modelatlas.errors import ModelAtlasError

__all__ = ["file_mode", "regular_target", "write_atomic"]


def regular_target(path: Path) -> Path:
    """The file a write to ``path`` should replace: ``path`` with symbolic links followed (the link stays
    a link to the new file), checked to be a regular file or nothing yet.

    Writing goes through a temporary file renamed over the target, which would replace a FIFO, a device
    or a directory by a file (as root, ``export csv -o /dev/full`` did; issue 19).

    Raises:
        ModelAtlasError: the path is something other than a regular file.
    """
    target = path.expanduser().resolve()
    try:
        mode = target.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return target  # nothing there yet: the write says what is missing
    except OSError as exc:
        raise ModelAtlasError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise ModelAtlasError(f"cannot write {path}: it is {kind}, not a regular file; give a file's path")
    return target


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (a regular file or nothing yet; links followed), keeping the permissions
    of the file it replaces.

    Raises:
        ModelAtlasError: the path is not a regular file, or the file cannot be written; ``path`` is as
            it was.
    """
    target = regular_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, file_mode(target))
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise ModelAtlasError(f"cannot write {path}: {exc.strerror or exc}") from exc


def file_mode(target: Path) -> int:
    """The permissions of the file being replaced, else the usual ones for a new file (0666 less umask)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
