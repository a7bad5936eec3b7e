"""Import every seed, curated list, Epoch CSV and the Ecosystem Graphs assets into a fresh store.

Prints, per source, the rows and what became of them (new, merged, conflict, skipped), the seconds and
the peak memory, then the ten most notable conflicts the imports found. Needs ../shared beside the repo.

``--outcomes FILE`` writes what became of every row of every input (action, model, how it matched, the
detail) and a digest of every model the store ends with, one line each; ``--compare FILE`` says where
this run differs from such a file, row by row: the check that a change to importing or matching gives
the same result as before.

    .venv/bin/python bench/import_all.py [--outcomes now.tsv] [--compare before.tsv]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import Connection, select

from modelatlas.catalog.schema import Model
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
    parser.add_argument("--outcomes", type=Path, help="write every row's outcome and model digest here")
    parser.add_argument("--compare", type=Path, help="an --outcomes file to compare this run with")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/all.db"
    catalog = load_valid_catalog(bundled_catalog())
    rebuild(catalog, url, curated_only=True)  # the inputs below, not the bundled copies of some of them
    heads = ("rows", "new", "merged", "confl", "skip", "sec", "models")
    print(f"{'source':45} " + " ".join(f"{h:>6}" for h in heads))
    at_import: list[str] = []  # what each row did when its file was imported
    for fmt, path in sources():
        started = time.perf_counter()
        result = import_file(catalog, url, fmt, path)
        for o in result.outcomes:
            at_import.append("\t".join(map(str, ("import", result.key, o.line, o.action, o.model_id))))
            at_import[-1] += "\t" + "\t".join(map(str, (o.matched_by, o.detail)))
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
        lines = at_import + outcome_lines(conn)
    engine.dispose()
    if args.outcomes:
        args.outcomes.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        print(f"\n{len(lines):,} outcomes and models written to {args.outcomes}")
    if args.compare:
        compare(args.compare.read_text(encoding="utf-8").splitlines(), lines)


def outcome_lines(conn: Connection) -> list[str]:
    """Every imported row's outcome, then every model's digest, as tab-separated lines."""
    i, r, m = T.imports, T.import_rows, T.models
    rows = select(i.c.key, r.c.line, r.c.name, r.c.action, r.c.model_id, r.c.matched_by, r.c.detail)
    rows = rows.join_from(r, i, i.c.id == r.c.import_id).order_by(i.c.id, r.c.position)
    lines = ["\t".join(str(v) for v in ("row", *row)) for row in conn.execute(rows)]
    for model_id, record in conn.execute(select(m.c.id, m.c.record_json).order_by(m.c.id)):
        # the record as one text whichever way the store wrote it (before 2026-12-06 with every empty list)
        text = Model.model_validate_json(record).model_dump_json(exclude_defaults=True)
        lines.append(f"model\t{model_id}\t{hashlib.sha256(text.encode()).hexdigest()[:16]}")
    return lines


def compare(before: list[str], now: list[str]) -> None:
    """Print how many lines differ, and the first twenty of them."""
    gone, added = sorted(set(before) - set(now)), sorted(set(now) - set(before))
    print(f"\ncompared with {len(before):,} lines: {len(gone):,} gone, {len(added):,} new")
    for line in gone[:20]:
        print(f"  - {line[:160]}")
    for line in added[:20]:
        print(f"  + {line[:160]}")


if __name__ == "__main__":
    main()
