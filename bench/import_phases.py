"""CPU time of each stage of one import (reading, merging, writing), per row: where an import's time goes.

Imports N rows in Epoch AI's layout (made as ``import_scale.py`` makes them) onto a copy of a store, in
this process, and prints each stage's CPU seconds (all threads: the build writes on one while it makes
rows on another) and microseconds a row, wall seconds and the peak memory. Reading includes the spool
(``sources._spool``); merging is every import the store holds and then the file's rows; writing is the
build of the whole store. CPU time, because on the shared machine the wall time follows the load.
Issue 18's target, 10,000 rows a second, allows 100 µs a row in all.

    .venv/bin/python bench/import_phases.py --rows 30000 [--store /tmp/import-scale/default.db]

``--profile FILE`` also writes a cProfile of the import timed by CPU (``pstats`` reads it; the
profiler's own cost, about four times the import's, falls on the functions called most often).
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from import_scale import BIN, epoch_file  # bench/ is on the path as a script

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources.ingest import import_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/import-scale"))
    parser.add_argument("--store", type=Path, help="the store to import onto (default: built in --dir)")
    parser.add_argument("--profile", type=Path, help="write a cProfile (CPU time) of the import here")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    base = args.store or args.dir / "default.db"
    if not base.exists():
        subprocess.run([str(BIN / "modelatlas"), "build", "--db", str(base)], check=True, capture_output=True)
    source = epoch_file(args.rows, args.dir / f"all_ai_models_{args.rows}.csv")
    store = args.dir / f"phases-{args.rows}.db"
    shutil.copy(base, store)
    catalog = load_valid_catalog(bundled_catalog())
    marks = [("reading", time.process_time(), time.perf_counter(), _children())]

    def stages(name: str, _steps: int) -> Callable[[int], None]:
        marks.append((name, time.process_time(), time.perf_counter(), _children()))
        return lambda _done: None

    profile = cProfile.Profile(time.process_time) if args.profile else None
    if profile is not None:
        profile.enable()
    result = import_file(catalog, f"sqlite:///{store}", "epoch", source, stages=stages)
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    marks.append(("end", time.process_time(), time.perf_counter(), _children()))
    rows = len(result.outcomes)
    print(f"{'stage':>9} {'cpu s':>8} {'µs/row':>8} {'children':>8} {'µs/row':>8} {'wall s':>8}")
    for (name, cpu, wall, kids), (_, cpu_next, wall_next, kids_next) in zip(marks, marks[1:], strict=False):
        spent, theirs = cpu_next - cpu, kids_next - kids
        print(
            f"{name:>9} {spent:8.2f} {spent / rows * 1e6:8.0f} {theirs:8.2f} {theirs / rows * 1e6:8.0f}"
            f" {wall_next - wall:8.2f}"
        )
    spent, theirs = marks[-1][1] - marks[0][1], marks[-1][3] - marks[0][3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'all':>9} {spent:8.2f} {spent / rows * 1e6:8.0f} {theirs:8.2f} {theirs / rows * 1e6:8.0f}"
        f" {marks[-1][2] - marks[0][2]:8.2f}"
    )
    print(f"{rows:,} rows ({dict(result.counts)}), peak {peak:.0f} MB", file=sys.stderr)


def _children() -> float:
    """CPU seconds of the child processes ended so far (the readers' and the build's children)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


if __name__ == "__main__":
    main()
