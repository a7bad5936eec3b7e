"""Time the analytic parameter count against building the model on PyTorch's meta device.

For every config in catalog/configs that modelatlas counts exactly, runs ``count_parameters``
(pure Python, no weights) and ``meta_count`` (transformers 5 on ``torch.device("meta")``, the
ground truth the tests use) and prints both times, their ratio and whether the counts agree.
Needs the dev dependencies (torch 2.13.0 CPU, transformers).

    .venv/bin/python bench/param_count.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from meta_reference import meta_count  # noqa: E402
from modelatlas.analysis.hardware import KNOWN, count_parameters  # noqa: E402


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="Runs of the analytic count per config.")
    parser.add_argument(
        "--meta-repeat", type=int, default=3, help="Runs of the meta-device count per config."
    )
    args = parser.parse_args()

    configs = []
    for path in sorted((ROOT / "catalog" / "configs").glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("model_type") in KNOWN:
            configs.append((f"{path.parent.name}/{path.stem}", data))

    meta_count(configs[0][1])  # import torch and transformers outside the timings
    print(f"{'config':45} {'parameters':>16} {'analytic µs':>12} {'meta ms':>10} {'ratio':>9}  equal")
    ratios, analytic_total, meta_total, equal = [], 0.0, 0.0, 0
    for name, data in configs:
        ours = count_parameters(data)
        truth = meta_count(data, ours.model_class)
        fast = _best(lambda data=data: count_parameters(data), args.repeat)  # type: ignore[misc]
        slow = _best(lambda data=data, cls=ours.model_class: meta_count(data, cls), args.meta_repeat)  # type: ignore[misc]
        ratios.append(slow / fast)
        analytic_total += fast
        meta_total += slow
        equal += ours.total == truth
        same = "yes" if ours.total == truth else f"NO ({truth:,})"
        timings = f"{fast * 1e6:>12.1f} {slow * 1e3:>10.1f} {slow / fast:>8.0f}×"
        print(f"{name:45} {ours.total:>16,} {timings}  {same}")
    print(
        f"\n{len(configs)} configs, {equal} equal. Analytic {analytic_total * 1e3:.2f} ms in all, "
        f"meta device {meta_total:.2f} s in all: {meta_total / analytic_total:,.0f}× faster overall, "
        f"median {statistics.median(ratios):,.0f}× per config."
    )


if __name__ == "__main__":
    main()
