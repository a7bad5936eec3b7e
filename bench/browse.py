"""Time the models page's facet counts and typo-tolerant search on a synthetic store of 100,000 models.

For each state of the model browser it times ``browse`` with facets (the models page) and without (the
API's default), in-process on the SQLite store (built by ``bench/synthetic.py`` if missing); the
difference is what the facet counts add. Then it times ``search`` and ``browse`` for queries with a
typo (few or no substring matches, so the near-spelling pass runs; "chatglm3" is a control that has
matches). Each figure is the median of ``--repeat`` runs after one warm-up run, in wall time or, with
``--cpu``, in this process's CPU time (steadier when other work shares the machine). The digest columns
hash the answers (rows, total, facet counts; hits), so that runs before and after a change of the code
show whether the answers stayed the same.

    .venv/bin/python bench/browse.py [--models 100000] [--db /tmp/atlas-100k.db] [--repeat 5] [--cpu]

To time the code of another commit on its own store (a store built by older code lacks the derived
tables newer code uses, and newer code then takes its slower path):

    git archive <commit> src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src .venv/bin/python bench/browse.py --db /tmp/atlas-100k-old.db
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, func, select
from synthetic import synthetic_store  # bench/ is on the path when run as a script

from modelatlas.store import tables as T
from modelatlas.store.browse import Browse, Page, browse
from modelatlas.store.engine import make_engine
from modelatlas.store.queries import search

TYPOS = ("lamma", "qwne", "mistrl", "chatglm3", "stablediffusoin")


#: What ``_median_ms`` reads: wall time, or (``--cpu``) this process's CPU time, steadier on a shared machine.
_clock = time.perf_counter


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    answer = fn()
    times = []
    for _ in range(repeat):
        started = _clock()
        answer = fn()
        times.append(_clock() - started)
    return statistics.median(times) * 1000, answer


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:10]


def _page_digest(page: Page) -> str:
    return _digest((page.total, [r.id for r in page.rows], page.facets))


def _states(conn: Connection) -> dict[str, Browse]:
    m = T.models
    top_org = conn.execute(
        select(T.model_organizations.c.organization_id)
        .group_by(T.model_organizations.c.organization_id)
        .order_by(T.model_organizations.c.organization_id)
        .limit(1)
    ).scalar_one()
    # A stand-in for "fits on my GPU" (web.hardware.Hardware.fitting): every model up to 8B parameters.
    small = tuple(conn.execute(select(m.c.id).where(m.c.parameters <= 8e9).order_by(m.c.id)).scalars())
    return {
        "all models": Browse(),
        "domain nlp + open-weights": Browse(domain=("nlp",), openness=("open-weights",)),
        f"org {top_org} + year 2024": Browse(organization=(top_org,), year=(2024,)),
        "7B-70B + country US,CN": Browse(min_params=7 * 10**9, max_params=70 * 10**9, country=("US", "CN")),
        "q=llama, newest first": Browse(text="llama", sort="released"),
        "q=llama, relevance": Browse(text="llama", sort="relevance"),
        f"fits on a card ({len(small):,} ids)": Browse(only=small),
        "fits + nlp + year 2023": Browse(only=small, domain=("nlp",), year=(2023,)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument(
        "--db", default=None, help="Store to use (default: /tmp/atlas-<models/1000>k.db, built if missing)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cpu", action="store_true", help="time CPU (time.process_time), not wall time")
    args = parser.parse_args()
    global _clock
    if args.cpu:
        _clock = time.process_time
    db = synthetic_store(args.models, args.db)
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(T.models)).scalar_one()
        clock = "CPU" if args.cpu else "wall"
        print(f"store: {db} ({total:,} models); median of {args.repeat} runs, {clock} time")
        print(f"{'browse state':<34}{'no facets':>11}{'facets':>10}{'counts':>10}{'total':>9}  digest")
        for name, state in _states(conn).items():
            plain, _ = _median_ms(lambda s=state: browse(conn, s, facets=False), args.repeat)
            full, page = _median_ms(lambda s=state: browse(conn, s), args.repeat)
            print(
                f"{name:<34}{plain:>9.1f}ms{full:>8.1f}ms{full - plain:>8.1f}ms{page.total:>9,}  "
                f"{_page_digest(page)}"
            )
        print()
        heading = f"{'typo':<18}{'search':>10}{'hits':>6}  digest  {'browse relevance':>17}"
        print(f"{heading}{'browse newest':>15}  digest")
        for typo in TYPOS:
            took, hits = _median_ms(lambda t=typo: search(conn, t), args.repeat)
            ranked, by_rank = _median_ms(
                lambda t=typo: browse(conn, Browse(text=t, sort="relevance")),
                args.repeat,
            )
            newest, by_date = _median_ms(
                lambda t=typo: browse(conn, Browse(text=t, sort="released")),
                args.repeat,
            )
            print(
                f"{typo:<18}{took:>8.1f}ms{len(hits):>6}  {_digest(hits)}{ranked:>15.1f}ms{newest:>13.1f}ms  "
                f"{_digest((_page_digest(by_rank), _page_digest(by_date)))}"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
