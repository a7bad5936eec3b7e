"""Writing files atomically: through a temporary file beside the target, so readers never see half a file."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from modelatlas.errors import ModelAtlasError

__all__ = ["write_atomic"]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, keeping the permissions of the file it replaces.

    Raises:
        ModelAtlasError: the file cannot be written; ``path`` is as it was.
    """
    target = path.expanduser()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, _mode_for(target))
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise ModelAtlasError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _mode_for(target: Path) -> int:
    """The permissions of the file being replaced, else the usual ones for a new file (0666 less umask)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
