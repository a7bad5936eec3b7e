"""Import N rows in Epoch AI's layout onto the default store, in this process: each stage's seconds and
the most memory this process held in it.

The rows and the store are ``import_scale.py``'s (its ``--dir``; the default store is built there
first if it is missing). The import runs in this process, its stages told by ``import_file``'s
``stages`` (reading is the time before the merge), and a thread samples the process's resident size
every 0.1 s; the build's steps are named in the memory column (``_index``, ``fill_text_index``…), the
stage they run in given by the line above. The children (the build's rows, the views) are not counted:
``import_scale.py --memory`` gives what they hold. Issue 18's target: 1,000,000 rows in ≤ 300 MB.

    .venv/bin/python bench/import_stages.py --rows 200000
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from import_scale import BIN, epoch_file  # bench/ is on the path as a script

import modelatlas.store.build as B
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources.ingest import import_file
from modelatlas.store.facet_index import FacetIndex

#: The build's steps named while they run.
STEPS = ("_index", "_check_references", "fill_text_index", "fill_organization_names", "_start_views")


class Sampled:
    """The most resident memory this process held under each name ``now`` took, sampled every 0.1 s."""

    def __init__(self) -> None:
        self.now = "start"
        self.most: dict[str, float] = {}
        self._me = psutil.Process()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            held = self._me.memory_info().rss / 2**20
            self.most[self.now] = max(self.most.get(self.now, 0.0), held)
            time.sleep(0.1)

    def named(self, step: Callable[..., Any], name: str) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            before, self.now = self.now, name
            try:
                return step(*args, **kwargs)
            finally:
                self.now = before

        return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/import-scale"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    base = args.dir / "default.db"
    if not base.exists():
        subprocess.run([str(BIN / "modelatlas"), "build", "--db", str(base)], check=True)
    source = epoch_file(args.rows, args.dir / f"all_ai_models_{args.rows}.csv")
    store = args.dir / f"stages-{args.rows}.db"
    shutil.copy(base, store)
    catalog = load_valid_catalog(bundled_catalog())
    held = Sampled()
    for name in STEPS:
        setattr(B, name, held.named(getattr(B, name), name))
    FacetIndex.write = held.named(FacetIndex.write, "facets")  # type: ignore[method-assign]
    began: dict[str, float] = {}

    def stage(name: str, _steps: int) -> Callable[[int], None]:
        held.now, began[name] = name, time.perf_counter()
        return lambda _done: None

    held.now, began["reading"] = "reading", time.perf_counter()
    import_file(catalog, f"sqlite:///{store}", "epoch", source, stages=stage)
    began["end"] = time.perf_counter()
    time.sleep(0.3)
    ends = list(began)
    print(f"{args.rows:,} rows in {began['end'] - began['reading']:.1f} s")
    print(f"{'stage':>26} {'seconds':>8}")
    for name, after in zip(ends, ends[1:], strict=False):
        print(f"{name:>26} {began[after] - began[name]:>8.1f}")
    print(f"{'stage or step':>26} {'peak MB':>8}")
    for name, most in held.most.items():
        print(f"{name:>26} {most:>8.0f}")
    for made in (store, store.with_name(f"{store.name}.lock")):
        made.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
