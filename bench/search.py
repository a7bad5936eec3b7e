"""Time ranked search on a synthetic store of 100,000 models: the median (p50) per query.

For each query it times ``queries.search`` as the models page and the API ask it (``limit=5000``: every
hit ranked, for paging and facets) and as ``modelatlas search`` does (``limit=20``), on the SQLite store
built by ``bench/synthetic.py`` (built if missing), or on any store given with ``--db`` (a SQLAlchemy
URL for PostgreSQL). Each figure is the median of ``--repeat`` runs after one warm-up run; ``hits`` is
how many models the query finds.

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


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    answer = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="a store path or URL (default /tmp/atlas-<N>k.db)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = args.db if args.db and "://" in args.db else to_db_url(str(synthetic_store(args.models, args.db)))
    engine = make_engine(url)
    print(f"{'query':<10} {'hits':>6} {'p50 all hits':>13} {'p50 first 20':>13}")
    every, first = [], []
    with engine.connect() as conn:
        for query in QUERIES:
            all_ms, hits = _median_ms(lambda q=query: search(conn, q, limit=5000), args.repeat)
            top_ms, _ = _median_ms(lambda q=query: search(conn, q, limit=20), args.repeat)
            every.append(all_ms)
            first.append(top_ms)
            print(f"{query:<10} {len(hits):>6} {all_ms:>10.1f} ms {top_ms:>10.1f} ms")
    engine.dispose()
    print(f"{'median':<10} {'':>6} {statistics.median(every):>10.1f} ms {statistics.median(first):>10.1f} ms")


if __name__ == "__main__":
    main()
