"""Compare modelatlas's inference-memory estimates with the GPU memory the sources state.

For every catalog model whose ``hardware`` entries state an inference figure with a precision, prints
the stated GB, the estimate (at the model's maximum context up to 4096, batch 1, one card), and the
difference. Builds a throwaway store from the bundled catalog.

    .venv/bin/python bench/stated_memory.py [--context N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from modelatlas.analysis.hardware.memory import Workload
from modelatlas.analysis.hardware.precision import get_precision
from modelatlas.analysis.hardware.subjects import catalog_subjects, inference_need
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.store.build import build_store
from modelatlas.store.records import load_models

GiB = 1024**3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--context", type=int, help="Tokens of context (default: the model's, at most 4096).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'store.db'}"
        build_store(load_valid_catalog(bundled_catalog()), url)
        subjects = catalog_subjects(load_models(url), bundled_catalog() / "configs")
    seen: set[tuple[str, str, float]] = set()
    header = f"{'model (size)':34} {'precision':9} {'stated GB':>9} {'ours GiB':>9} {'diff':>7}"
    print(f"{header}  context  source / note")
    for found in subjects:
        for need in found.stated:
            if need.purpose != "inference" or need.precision is None or need.gpu_memory_gb is None:
                continue
            key = (found.model_id or "", need.precision, need.gpu_memory_gb)
            if key in seen:
                continue
            seen.add(key)
            limit = found.context_length or (found.count.shape.max_context if found.count.shape else None)
            context = args.context or (min(4096, limit) if limit else 4096)
            estimate = inference_need(found, get_precision(need.precision), Workload(context=context))
            if estimate is None:  # a pipeline's weights are counted in float formats only
                continue
            ours = estimate.total / GiB
            diff = (ours - need.gpu_memory_gb) / need.gpu_memory_gb
            kind = "" if found.count.exact else " (stated size)"
            note = f"{need.source}; {need.gpu or ''} {need.note or ''}".strip()
            print(
                f"{found.title + kind:34} {need.precision:9} {need.gpu_memory_gb:>9g} {ours:>9.1f} "
                f"{diff:>+7.0%}  {context:>7}  {note[:90]}"
            )


if __name__ == "__main__":
    main()
