"""``paused()``: Python's cyclic garbage collector off while a job makes millions of objects in no cycle.

Each collection walks every object made since the last and still alive, so a job that builds a large
structure (a merge's pydantic records, a million rows of the analysis table) pays again and again for the
objects it keeps: an import of 10,000 Epoch rows took 13.2 s of CPU with the collector on, 8.7 s paused;
the analysis table of a million models was read in 16.7 s on, 7.3 s paused. Reference counting still
frees everything else; only cycles wait until the collector is on again.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
from collections.abc import Iterator

__all__ = ["give_back", "paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off meanwhile, then on again if it was on (off it stays off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def give_back() -> None:
    """Return to the operating system the memory the C library holds freed (glibc's ``malloc_trim``;
    elsewhere nothing): what a stage let go (a merge's files and page caches, its decoded models) is
    otherwise kept for the process's next allocations, and counted in its size, to its end: 24 MB
    after a merge of 200,000 rows."""
    if not sys.platform.startswith("linux"):
        return
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # this process's C library (musl has none)
    if trim is not None:
        trim(0)
