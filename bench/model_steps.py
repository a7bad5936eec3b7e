"""CPU a model of each step of a merged build, and a row of the merge, in this one process.

The end-to-end benches (``build_scale.py``, ``import_stages.py``) run for minutes on a machine whose speed
drifts by half within an hour, so a change of a tenth is lost in their noise. This script times each step
on its own, in CPU seconds (``time.process_time``), the collector paused as the build and the import run:

- ``decode``: a merged model read back from the merge's shelf (``Model.model_validate_json``), as the
  build's children do (``store.chunks._fed``);
- ``rows``: its rows made (``chunks.Maker.make``, with the text it was read from);
- ``part``: its rows written into a part (``store.parts.PartFile``);
- ``copy``: the part copied into a store made by the migrations (``store.parts.copy_part``);
- ``merge``: a row of an Epoch export merged as an import merges it (``Merger.apply`` of its JSON, as
  the spool keeps it, with its name; the rows read first, not timed); ``decoded``: the same rows merged
  as ``ImportedRow``s (what a version before the plain way took: the two compare across versions).

The models come from ``bench/synthetic.py``, merged; the Epoch rows from ``import_scale.py``'s file of
``--rows`` rows (made there if missing). Each step is run ``--runs`` times and its quickest shown. To
compare two versions, run it from each in turns (``PYTHONPATH=<clone>/src``).

    .venv/bin/python bench/model_steps.py --models 20000 --rows 15000
    .venv/bin/python bench/model_steps.py --build-epoch 15000 --rows 0   # the models an import makes
"""

from __future__ import annotations

import argparse
import gc
import inspect
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy
from import_scale import epoch_file  # bench/ is on the path as a script
from synthetic import synthetic_catalog

from modelatlas._children import batched
from modelatlas._collector import paused
from modelatlas.catalog.loader import Entry
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources.importers.epoch import read
from modelatlas.sources.merge import Merger
from modelatlas.sources.rows import EncodedRow
from modelatlas.store import build as B
from modelatlas.store import chunks as C
from modelatlas.store import rows as R
from modelatlas.store.facet_index import FacetIndex
from modelatlas.store.parts import PART, PartFile, copy_part


def _quickest(runs: int, step: Callable[[], Any]) -> float:
    """The least CPU time ``step`` took in ``runs`` runs."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        step()
        best = min(best, time.process_time() - started)
    return best


def build_steps(models: int, runs: int, epoch: Path | None = None) -> dict[str, float]:
    """Seconds of CPU a model of decoding, making rows, writing a part and copying it in: of ``models``
    synthetic models, or of the models an import of the Epoch export ``epoch`` makes on the bundled
    catalog (the million-row import's build writes those)."""
    with paused():
        if epoch is None:
            merged = Merger(synthetic_catalog(models)).catalog()
        else:
            merger = Merger(load_valid_catalog(bundled_catalog()))
            merger.apply("epoch-bench", epoch, list(read(epoch)))
            merged = merger.catalog()
            models = len(merged.models)
    encoded = merged.models
    assert isinstance(encoded, C.Encoded)
    pieces = list(batched(encoded.encoded(), C.CHUNK))
    organizations = {e.record.id: e.record for e in merged.organizations}
    countries = {oid: org.country for oid, org in organizations.items()}
    maker = C.Maker(sqlalchemy.create_engine("sqlite://").dialect, organizations, countries)
    keeps_text = "encoded" in inspect.signature(maker.make).parameters  # an older version's has not
    entries = [[Entry(encoded.decode(body), Path(path), None) for body, path in piece] for piece in pieces]

    def make() -> list[C.Chunk]:
        return [
            maker.make(made, text_rows=True, **({"encoded": [b for b, _ in piece]} if keeps_text else {}))
            for made, piece in zip(entries, pieces, strict=True)
        ]

    chunks = make()
    times = {
        "decode": _quickest(runs, lambda: [[encoded.decode(b) for b, _ in piece] for piece in pieces]),
        "rows": _quickest(runs, make),
    }
    with tempfile.TemporaryDirectory() as folder:
        times["part"] = _quickest(runs, lambda: _parts(chunks, Path(folder)))
        times["copy"] = min(_copy(merged, _parts(chunks, Path(folder)), Path(folder)) for _ in range(runs))
    return {step: seconds / models for step, seconds in times.items()}


def _parts(chunks: list[C.Chunk], folder: Path) -> list[Any]:
    """``chunks`` written into parts of ``PART`` models in ``folder``."""
    parts, part = [], PartFile(folder)
    for chunk in chunks:
        part.add(chunk)
        if part.models >= PART:
            parts.append(part.close())
            part = PartFile(folder)
    return [*parts, part.close()] if part.models else parts


def _copy(catalog: Any, parts: list[Any], folder: Path) -> float:
    """``parts`` copied into a new store in ``folder`` (made by the migrations, without its indexes):
    the CPU seconds of the copying alone."""
    store = folder / "store.db"
    store.unlink(missing_ok=True)
    engine = sqlalchemy.create_engine(f"sqlite:///{store}")
    with engine.connect() as conn:
        B.migrate(conn)
        B._without_indexes(conn)
        for pragma in ("foreign_keys=OFF", "journal_mode=OFF", "synchronous=OFF"):
            conn.exec_driver_sql(f"PRAGMA {pragma}")
        B._write(conn, {"organizations": [R.organization_row(e.record) for e in catalog.organizations]})
        facets = FacetIndex({e.record.id: e.record.country for e in catalog.organizations})
        started = time.process_time()
        for part in parts:
            copy_part(conn, part, facets)
        copying = time.process_time() - started
    engine.dispose()
    return copying


def merge_steps(rows: int, folder: Path, runs: int) -> dict[str, float]:
    """Seconds of CPU a row of merging ``rows`` Epoch rows into the bundled catalog: as an import merges
    them (``merge``: each row's JSON, as the spool keeps it, with its name, made a model from its plain
    values where it can be), and decoded first (``decoded``: ``ImportedRow``s, as every version takes)."""
    path = folder / f"all_ai_models_{rows}.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        epoch_file(rows, path)
    catalog = load_valid_catalog(bundled_catalog())
    read_rows = list(read(path))
    steps: dict[str, float] = {}
    if "str" in str(inspect.signature(Merger.apply).parameters["rows"].annotation):  # a version that can
        payloads = [EncodedRow.of(row).payload for row in read_rows]
        names = [row.name if row.model is not None else None for row in read_rows]
        merged = _quickest(runs, lambda: Merger(catalog).apply("epoch-bench", path, payloads, names=names))
        steps["merge"] = merged / len(read_rows)
    decoded = _quickest(runs, lambda: Merger(catalog).apply("epoch-bench", path, read_rows))
    return steps | {"decoded": decoded / len(read_rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=20_000, help="Merged synthetic models to build.")
    parser.add_argument("--rows", type=int, default=15_000, help="Epoch rows to merge (0: none).")
    parser.add_argument("--runs", type=int, default=3, help="Runs of each step; the quickest is shown.")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/import-scale"), help="Where the rows are.")
    parser.add_argument(
        "--build-epoch",
        type=int,
        default=0,
        help="Time the build's steps on the models an import of this many Epoch rows makes (the bundled "
        "catalog's and theirs), not on --models synthetic ones.",
    )
    args = parser.parse_args()
    gc.disable()  # as the build and the import run (``_collector.paused``)
    epoch = None
    if args.build_epoch:
        epoch = args.dir / f"all_ai_models_{args.build_epoch}.csv"
        if not epoch.exists():
            args.dir.mkdir(parents=True, exist_ok=True)
            epoch_file(args.build_epoch, epoch)
    for step, seconds in build_steps(args.models, args.runs, epoch).items():
        print(f"{step:>7} {seconds * 1e6:8.1f} µs a model")
    if args.rows:
        for step, seconds in merge_steps(args.rows, args.dir, args.runs).items():
            print(f"{step:>7} {seconds * 1e6:8.1f} µs a row")


if __name__ == "__main__":
    main()
