"""Import N rows in Epoch AI's layout onto the default store: seconds, rows per second and peak memory.

The rows are Epoch's own (``all_ai_models.csv`` from ../shared, else the test fixture), repeated with a
new name after the first pass (``<name> b<N>``), so that their fields, lengths and notes are real and
the first pass meets the store's models as a real import does. Each import runs as
``modelatlas import epoch FILE --db STORE`` in its own process; its peak resident memory is the most
that process or one of its children held (``wait4``), each counting every page it maps, shared with its
parent by the fork or not; ``--memory`` also samples what they hold together (``Held``). Issue 18's
target: 1,000,000 rows at ≥ 10,000 rows/s in ≤ 300 MB.

    .venv/bin/python bench/import_scale.py --rows 10000,40000
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = [
    ROOT.parent / "shared" / "data" / "epoch" / "all_ai_models.csv",
    ROOT / "tests" / "fixtures" / "epoch" / "notable_ai_models_2026-07.csv",
]


def epoch_file(rows: int, path: Path) -> Path:
    """``rows`` records in Epoch's layout at ``path``: the template's, then renamed copies of them."""
    template = next(p for p in TEMPLATES if p.exists())
    with template.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    header, body = records[0], records[1:]
    name_at = header.index("Model")
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for i in range(rows):
            record = list(body[i % len(body)])
            if i >= len(body):
                record[name_at] = f"{record[name_at]} b{i}"
            out.writerow(record)
    return path


class Held:
    """The most memory ``pid``'s process held, alone and with its children, sampled every 5 s: their
    proportional set sizes, so that a page a forked child shares with its parent counts once (its
    resident size, which ``wait4``'s peak is, counts it in each: a build's children seem to hold what
    the import holds)."""

    def __init__(self, pid: int) -> None:
        self.alone = self.all = 0
        self._pid, self._done = pid, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(5.0):
            try:
                main = psutil.Process(self._pid)
                family = [main, *main.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            sizes = []
            for process in family:
                try:
                    sizes.append(process.memory_full_info().pss)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    sizes.append(0)
            self.alone, self.all = max(self.alone, sizes[0]), max(self.all, sum(sizes))


def measure(args: list[str], *, memory: bool = False) -> tuple[float, float, float, int, Held | None]:
    """Seconds, CPU seconds (user and system), peak resident MB and exit status of ``modelatlas *args``
    in its own process, and with ``memory`` what it held (``Held``). CPU seconds say what the import
    costs when other work shares the machine."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "modelatlas"), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    held = Held(process.pid) if memory else None
    _, status, usage = os.wait4(process.pid, 0)
    if held is not None:
        held.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu, usage.ru_maxrss / 1024, process.returncode, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000", help="Row counts, comma-separated.")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/import-scale"))
    parser.add_argument(
        "--memory",
        action="store_true",
        help="Also say the most the import's process held alone and with its children (proportional "
        "set sizes, sampled every 5 s: the sampling costs CPU, so leave it off for timings).",
    )
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    base = args.dir / "default.db"
    if not base.exists():
        seconds, _, peak, code, _ = measure(["build", "--db", str(base)])
        print(f"default store built in {seconds:.1f} s ({peak:.0f} MB), exit {code}")
    heads = f"{'rows':>9} {'seconds':>9} {'cpu s':>9} {'rows/s':>9} {'peak MB':>9} {'KB/row':>7} exit"
    print(heads + (f" {'alone MB':>9} {'all MB':>9}" if args.memory else ""))
    for rows in (int(r) for r in args.rows.split(",")):
        source = epoch_file(rows, args.dir / f"all_ai_models_{rows}.csv")
        store = args.dir / f"store-{rows}.db"
        shutil.copy(base, store)
        seconds, cpu, peak, code, held = measure(
            ["import", "epoch", str(source), "--db", str(store)], memory=args.memory
        )
        pss = "" if held is None else f" {held.alone / 2**20:>9,.0f} {held.all / 2**20:>9,.0f}"
        print(
            f"{rows:>9,} {seconds:>9.1f} {cpu:>9.1f} {rows / seconds:>9,.0f} {peak:>9,.0f} "
            f"{peak * 1024 / rows:>7.1f} {code:>4}{pss}",
            flush=True,
        )


if __name__ == "__main__":
    main()
