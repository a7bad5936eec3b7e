"""Time the models browser's new questions on PostgreSQL with the facet index and without it.

Issue 18's slow routes on PostgreSQL were those no kept answer helps (``bench/scale.py``'s ``{n}``
routes): each new filter, search or size counted the six facets over the models. This bench asks the
same questions of ``store.browse.browse`` in-process (nothing kept: every call computes its hits, total,
counts and page), a new one each time (``{n}`` = 1, 2, 3 …), of two databases on one server built from
the same synthetic catalog: ``--with`` (built by this code: the facet index of migration 0011) and
``--without`` (built by an older modelatlas, or the same with the three tables dropped: ``browse``
counts over the models). The two are asked in turn, so that both see the same load; each figure is the
median (and the worst) of ``--repeat`` questions, in wall time (PostgreSQL's work is in another
process, so this process's CPU time would leave it out). The digest hashes the answers: equal digests
mean both databases gave the same totals, pages and counts.

    PYTHONPATH=src .venv/bin/python bench/pg_facets.py --with postgresql+psycopg://…/atlas_100k \\
        --without postgresql+psycopg://…/base_100k [--repeat 15]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time
from collections.abc import Callable

from sqlalchemy import Connection

from modelatlas.store.browse import Browse, Page, browse
from modelatlas.store.engine import make_engine

#: (what the question stands for, a new question for each n, facets?): the scale bench's routes.
QUESTIONS: list[tuple[str, Callable[[int], Browse], bool]] = [
    ("/models (every model, counted)", lambda n: Browse(offset=n), True),
    ("/models?domain=nlp&offset={n}", lambda n: Browse(domain=("nlp",), offset=n), True),
    ("/models?year={y}&openness=open", lambda n: Browse(year=(2000 + n % 25,), openness=("open",)), True),
    ("/models?q=v1{n}", lambda n: Browse(text=f"v1{n}", sort="relevance"), True),
    ("/models?q=v1{n}&sort=released", lambda n: Browse(text=f"v1{n}"), True),
    ("/api/v1/models?q=v1{n}&domain=nlp", lambda n: Browse(text=f"v1{n}", domain=("nlp",), limit=20), False),
    (
        "/api/v1/models?min_params={n}000000&sort=parameters",
        lambda n: Browse(min_params=n * 10**6, sort="parameters", limit=20),
        False,
    ),
    ("/models?min_params={n}000000 (counted)", lambda n: Browse(min_params=n * 10**6), True),
    ("/models?q=l{n} (two characters)", lambda n: Browse(text=f"l{n % 10}", sort="relevance"), True),
]


def _digest(page: Page) -> str:
    shown = (
        page.total,
        [row.id for row in page.rows],
        sorted((f, sorted(c.items())) for f, c in page.facets.items()),
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:8]


def _time(conn: Connection, question: Browse, facets: bool) -> tuple[float, str]:
    started = time.perf_counter()
    page = browse(conn, question, facets=facets)
    return (time.perf_counter() - started) * 1000, _digest(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with", dest="indexed", required=True, help="A store with the facet index.")
    parser.add_argument("--without", dest="plain", required=True, help="The same store without it.")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", default=None, help="Only the questions whose label contains this.")
    args = parser.parse_args()
    engines = {"without": make_engine(args.plain), "with": make_engine(args.indexed)}
    print(f"load average before: {os.getloadavg()}; median / worst of {args.repeat} new questions, ms")
    print(f"{'question':<56} {'without':>17} {'with':>17}  answers")
    with engines["without"].connect() as plain, engines["with"].connect() as indexed:
        conns = {"without": plain, "with": indexed}
        for label, make, facets in QUESTIONS:
            if args.only and args.only not in label:
                continue
            times: dict[str, list[float]] = {name: [] for name in conns}
            digests: dict[str, list[str]] = {name: [] for name in conns}
            for n in range(1, args.repeat + 1):
                for name, conn in conns.items():
                    ms, digest = _time(conn, make(n), facets)
                    times[name].append(ms)
                    digests[name].append(digest)
            same = "same" if digests["with"] == digests["without"] else "DIFFERENT"
            cells = [f"{statistics.median(times[n]):>8.0f} /{max(times[n]):>7.0f}" for n in conns]
            print(f"{label:<56} {cells[0]:>17} {cells[1]:>17}  {same}", flush=True)
    print(f"load average after: {os.getloadavg()}")
    for engine in engines.values():
        engine.dispose()


if __name__ == "__main__":
    main()
