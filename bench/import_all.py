"""Import every seed, curated list, Epoch CSV and the Ecosystem Graphs assets into a fresh store.

Prints, per source, the rows and what became of them (new, merged, conflict, skipped), the seconds and
the peak memory, then the ten most notable conflicts the imports found. Needs ../shared beside the repo.

    .venv/bin/python bench/import_all.py [--db sqlite:///tmp/all.db]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources.ingest import import_file, rebuild
from modelatlas.store import tables as T
from modelatlas.store.engine import make_engine

_NOTABLE = ["parameters", "released", "training.compute_flop", "training.tokens"]
SHARED = Path(__file__).resolve().parents[2] / "shared"


def sources() -> list[tuple[str, Path]]:
    seeds = sorted((SHARED / "seeds").glob("0*.txt"))
    plan = [("seed-sections", seeds[0])] + [("seed-timeline", p) for p in seeds[1:3]]
    plan += [("paper-table", p) for p in seeds[3:]]
    plan += [("paper-table", p) for p in sorted((SHARED / "data" / "lists").glob("*.md"))]
    epoch = SHARED / "data" / "epoch"
    for name in ("notable", "all", "frontier", "large_scale"):
        plan.append(("epoch", epoch / f"{name}_ai_models.csv"))
    plan.append(("epoch", epoch / "pcd_all_ml_systems_2023.csv"))
    plan.append(("ecosystem-graphs", SHARED / "data" / "ecosystem-graphs" / "assets"))
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="store URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/all.db"
    catalog = load_valid_catalog(bundled_catalog())
    rebuild(catalog, url, curated_only=True)  # the inputs below, not the bundled copies of some of them
    heads = ("rows", "new", "merged", "confl", "skip", "sec", "models")
    print(f"{'source':45} " + " ".join(f"{h:>6}" for h in heads))
    for fmt, path in sources():
        started = time.perf_counter()
        result = import_file(catalog, url, fmt, path)
        c = result.counts
        total = result.build.models if result.build else 0
        print(
            f"{fmt + ' ' + path.name:45.45} {len(result.outcomes):6} {c['new']:6} {c['merged']:6} "
            f"{c['conflict']:6} {c['skipped']:6} {time.perf_counter() - started:6.2f} {total:6}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")
    engine = make_engine(url)
    query = (
        select(T.conflicts)
        .where(T.conflicts.c.origin != "catalog")
        .where(T.conflicts.c.field.in_(_NOTABLE))
        .order_by(T.conflicts.c.magnitude.desc())
        .limit(10)
    )
    print("\nten most notable conflicts (catalog value kept | other value | from):")
    with engine.connect() as conn:
        for row in conn.execute(query):
            print(f"  {row.model_id:24} {row.field:14} {row.kept:>12} | {row.other:>12} | {row.origin}")
    engine.dispose()


if __name__ == "__main__":
    main()
