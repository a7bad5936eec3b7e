"""Build stores of N synthetic models and say where the time goes: the load, the indexes, the check.

The catalog comes from ``bench/synthetic.py`` (made once per size, not timed; ``--stream`` makes it as
the build reads it instead, which is timed then); each build writes a fresh SQLite file. The phases are
timed by wrapping the build's own steps: "load" is making and writing the rows, chunk by chunk ("write"
the part of it in ``_write`` and ``_write_chunk``: on SQLite mostly copying the children's parts in,
``store.parts``; the rest waiting for the next chunk's rows),
"index" the indexes made after the load, "check" the reference check, "text" ``name_keys`` (and
PostgreSQL's trigram indexes),
"facets" writing the facet index's combinations; "rest" the migrations and the rest. "cpu" is the
process's CPU time during the build, every thread's: on this shared 2-core machine wall time depends on
the other work running, so both are shown; "main" is the build's own process, "cpu" adds its child
processes' (``store.chunks``: they make the rows while the build's process writes them; and the child
computing the views the analysis table gives, ``web.early.Early``). "peak MB" is the build's process's
peak, the catalog included. A second line gives the build's process's own CPU seconds in each phase (its
threads', not its children's) and how long it then waited for the views' child. With ``--memory``,
"all MB" is the most the build's process and its children held together (their proportional set sizes
summed, sampled every 5 s: the kernel's walk of their pages is charged to the build's process, 27 s of
CPU at a million models when sampled every second, so leave it off for timings). Issue 18's target:
1,000,000 models in under 2 minutes.

    .venv/bin/python bench/build_scale.py --models 100000,1000000
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from synthetic import synthetic_catalog  # bench/ is on the path as a script

import modelatlas.store.build as B
from modelatlas._collector import paused
from modelatlas.sources.merge import Merger

#: Timed steps of the build: module functions, and the facet index's methods ("tally" runs in the thread
#: that makes the next chunk, beside the writes, so it is not shown).
PHASES = ("_load", "_write", "_write_chunk", "_index", "_check_references", "fill_text_index")
FACET_STEPS = (("add", "tally"), ("write", "facets"), ("finish", "facets"))  # finish: an older build's


def _timed(times: collections.Counter[str], name: str, step: Callable[..., Any]) -> Callable[..., Any]:
    """``step``, its wall seconds added to ``times[name]`` and this process's CPU seconds (every thread's)
    to ``times[name + " cpu"]``."""

    def run(*args: Any, **kwargs: Any) -> Any:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return step(*args, **kwargs)
        finally:
            times[name] += time.perf_counter() - started
            times[f"{name} cpu"] += time.process_time() - cpu

    return run


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    """CPU seconds of this process so far, every thread's, user and system (``RUSAGE_CHILDREN``: of its
    child processes that have ended, which make a build's rows)."""
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime


class _Sampled:
    """The most memory this process and its children held at once while in the block: their
    proportional set sizes (a page shared by the fork counted once across them), every 5 s."""

    def __init__(self, sampling: bool) -> None:
        self.sampling = sampling
        self.most = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)  # a daemon: the build may fork

    def __enter__(self) -> _Sampled:
        if self.sampling:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        if self.sampling:
            self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process(os.getpid())
        while not self._done.wait(5.0):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.most = max(self.most, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="100000", help="Catalog sizes, comma-separated.")
    parser.add_argument(
        "--stream",
        action="store_true",
        help="Make the models as the build reads them (its time then "
        "includes making them): the memory of a build whose catalog is not all in memory.",
    )
    parser.add_argument(
        "--merged",
        action="store_true",
        help="Build the catalog as a merge gives it (``sources.merge.Merger``: the models pickled on disk, "
        "as ``modelatlas build`` and ``import`` do); the merge itself is not timed.",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="Also say the most the build and its children held together (costs the build CPU).",
    )
    parser.add_argument("--dir", default=None, help="Where the stores are built (default: the temp dir).")
    parser.add_argument(
        "--cache-mib",
        default=None,
        help="The most SQLite page cache the build may take, in MiB (default: the build's own, "
        "store.build.MAX_CACHE_KIB); several, comma-separated, build each size once with each, in turn "
        "on the same catalog.",
    )
    args = parser.parse_args()
    caches = [int(n) * 1024 for n in args.cache_mib.split(",")] if args.cache_mib else [B.MAX_CACHE_KIB]
    times: collections.Counter[str] = collections.Counter()
    for name in (n for n in PHASES if hasattr(B, n)):  # an older build may lack some
        setattr(B, name, _timed(times, name, getattr(B, name)))
    for method, label in (s for s in FACET_STEPS if hasattr(B.FacetIndex, s[0])):
        setattr(B.FacetIndex, method, _timed(times, label, getattr(B.FacetIndex, method)))
    heads = (
        "build s",
        "cpu s",
        "main s",
        "load s",
        "write s",
        "index s",
        "check s",
        "text s",
        "facets s",
        "rest s",
        "peak MB",
        "all MB",
    )
    print(f"{'models':>9} {'cache MB':>8} " + " ".join(f"{h:>8}" for h in heads))
    for models in (int(n) for n in args.models.split(",")):
        catalog = synthetic_catalog(models, stream=args.stream)
        if args.merged:
            with paused():
                catalog = Merger(catalog).catalog()
        for cache in caches:
            B.MAX_CACHE_KIB = cache
            _build(catalog, models, times, memory=args.memory, folder=args.dir)
        del catalog


def _build(
    catalog: Any, models: int, times: collections.Counter[str], *, memory: bool, folder: str | None
) -> None:
    """Build ``catalog`` once and print its line."""
    times.clear()
    cpu, children = _cpu(), _cpu(resource.RUSAGE_CHILDREN)
    # the collector paused, as ``modelatlas build`` and ``import`` run the build (``ingest.rebuild``)
    with tempfile.TemporaryDirectory(dir=folder) as built, _Sampled(memory) as held, paused():
        result = B.build_store(catalog, f"sqlite:///{Path(built) / 'store.db'}")
    cpu = _cpu() - cpu
    children = _cpu(resource.RUSAGE_CHILDREN) - children
    phases = ("_load", "_index", "_check_references", "fill_text_index", "facets")
    rest = result.seconds - sum(times[name] for name in phases)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    write = times["_write"] + times["_write_chunk"]
    shown = [
        result.seconds,
        cpu + children,
        cpu,
        times["_load"],
        write,
        *(times[n] for n in phases[1:]),
        rest,
    ]
    held_mb = f" {peak:>8,.0f} " + (f"{held.most / 2**20:>8,.0f}" if held.most else f"{'-':>8}")
    cache = B._cache_kib(models) / 1024  # the build's own choice
    print(f"{models:>9,} {cache:>8,.0f} " + " ".join(f"{t:>8.1f}" for t in shown) + held_mb, flush=True)
    own = ", ".join(f"{name.strip('_')} {times[f'{name} cpu']:.1f}" for name in ("_load", *phases[1:]))
    waited = f"then waited {result.views_seconds:.1f} s for the views"
    print(f"{'':>9} the build's process's CPU s: {own}; {waited}")


if __name__ == "__main__":
    main()
