"""Trends no build keeps: reading only the rows of a trend's models against reading the whole table.

    PYTHONPATH=src .venv/bin/python bench/trend_rows.py --db /tmp/atlas-1m-hub.db [--mode rows|table]

In one process, an ``Analysis`` of the store (``web.views``), then the fit of each trend of ``TRENDS``
(the filters as the API takes them, notable models since 2018 unless they say otherwise): with
``--mode rows`` each reads what ``Analysis.rows_for`` reads (its models' rows alone in a store of more
than ``frame.ALONE_UP_TO`` models when they are at most that many, else the whole table, kept), with
``--mode table`` the whole table is read first, as every trend did before. Printed: each trend's time,
how many models it fitted and selected, the rows it read; then the time of all and the peak memory.
Run each mode in its own process. ``--db`` may be a PostgreSQL URL; ``--alone-up-to N`` sets the limit.

A store shaped like a Hub listing (2 % curated and so notable) is what ``bench/synthetic.py --curated
0.02`` builds; its default (every model curated) makes every trend select most of the store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

from modelatlas.analysis import frame
from modelatlas.analysis.frame import Selection
from modelatlas.errors import NotEnoughData
from modelatlas.store.browse import for_frame
from modelatlas.store.engine import make_engine
from modelatlas.store.filters import filter_kwargs
from modelatlas.web import views

#: The trends asked, as API parameters.
TRENDS: list[dict[str, str]] = [
    {"domain": "cv"},
    {"country": "CN"},
    {"org": "alibaba"},
    {"population": "all", "domain": "speech"},
    {"openness": "open", "released_after": "2022"},
    {},
]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="A SQLite store's path, or a store URL.")
    parser.add_argument("--mode", choices=("rows", "table"), default="rows")
    parser.add_argument(
        "--alone-up-to", type=int, default=frame.ALONE_UP_TO, help="frame.ALONE_UP_TO for this run."
    )
    args = parser.parse_args()
    frame.ALONE_UP_TO = args.alone_up_to
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    engine = make_engine(url)
    data = views.Analysis("bench", engine, url, None)
    started = time.perf_counter()
    if args.mode == "table":
        data.load_table()
        print(f"the table read in {time.perf_counter() - started:.1f} s, peak {_peak_mb():,.0f} MB")
    for params in TRENDS:
        asked = {"released_after": dt.date(2018, 1, 1), "population": "notable", **filter_kwargs(params)}
        with engine.connect() as conn:
            selection = for_frame(conn, Selection(**asked))
        begun = time.perf_counter()
        rows = data.frame if args.mode == "table" else data.rows_for(selection)
        try:
            _, fit, selected = views._fit(rows, views.TrendQuery(selection=selection))
            said = f"fitted {fit.n:,}, selected {selected:,}"
        except NotEnoughData:
            said = "too few to fit"
        spent = (time.perf_counter() - begun) * 1000
        print(f"{params or 'the default filters'}: {spent:,.0f} ms, {said}, {len(rows):,} rows read")
    print(f"all: {time.perf_counter() - started:.1f} s, peak {_peak_mb():,.0f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
