"""Time ranked search on a synthetic store of 100,000 models: the median (p50) per query.

For each query it times ``queries.search`` as the models page and the API ask it (``limit=5000``: every
hit ranked, for paging and facets) and as ``modelatlas search`` does (``limit=20``), on the SQLite store
built by ``bench/synthetic.py`` (built if missing), or on any store given with ``--db`` (a SQLAlchemy
URL for PostgreSQL). Each figure is the median of ``--repeat`` runs after one warm-up run; ``hits`` is
how many models the query finds. Beside the wall-clock time, the CPU time of this process (SQLite runs
in it), which other work on a shared machine disturbs less.

    .venv/bin/python bench/search.py [--models 100000] [--db /tmp/atlas-100k.db] [--repeat 7]

To time the code of another commit on the same store:

    git archive <commit> src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src .venv/bin/python bench/search.py --db /tmp/atlas-100k.db
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from synthetic import synthetic_store  # bench/ is on the path when run as a script

from modelatlas.config import to_db_url
from modelatlas.store.engine import make_engine
from modelatlas.store.queries import search

QUERIES = ("llama 3", "r1", "qwen", "千问", "清华", "deepseek", "gpt", "7b", "lamma", "chatglm3")


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """The median wall-clock and CPU milliseconds of ``fn`` over ``repeat`` runs, and its answer."""
    answer = fn()
    wall, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        answer = fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="a store path or URL (default /tmp/atlas-<N>k.db)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = args.db if args.db and "://" in args.db else to_db_url(str(synthetic_store(args.models, args.db)))
    engine = make_engine(url)
    print(f"{'query':<10} {'hits':>6} {'p50 all hits':>13} {'(cpu)':>10} {'p50 first 20':>13} {'(cpu)':>10}")
    columns: list[list[float]] = [[], [], [], []]
    with engine.connect() as conn:
        for query in QUERIES:
            every_ms, every_cpu, hits = _median_ms(lambda q=query: search(conn, q, limit=5000), args.repeat)
            first_ms, first_cpu, _ = _median_ms(lambda q=query: search(conn, q, limit=20), args.repeat)
            figures = (every_ms, every_cpu, first_ms, first_cpu)
            for column, figure in zip(columns, figures, strict=True):
                column.append(figure)
            print(f"{query:<10} {len(hits):>6} " + " ".join(f"{f:>10.1f} ms" for f in figures))
    engine.dispose()
    print(f"{'median':<10} {'':>6} " + " ".join(f"{statistics.median(c):>10.1f} ms" for c in columns))


if __name__ == "__main__":
    main()
