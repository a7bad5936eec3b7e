"""A synthetic catalog of N models drawn from the real catalog's distributions, built into a store.

Families and organizations come from the bundled catalog; each synthetic model is a family name with a
size and a version suffix (``Qwen-14B-v37``), its domain, organization and openness drawn with the real
catalog's frequencies, its parameter count log-uniform between 10M and 2T, its release date uniform over
2015–2026, and two aliases. It exists to load the store as 100,000 real models would, for
``bench/web_models.py``; nothing here goes into the catalog.

Every synthetic model is a curated record (a ``.yaml`` file), so every one is notable and the default
trends fit all of them. ``--curated 0.02`` makes 2 % of them so, the others known from a listing (as a
Hub listing's import gives them: not notable), the shape of a store a Hub listing filled.

    .venv/bin/python bench/synthetic.py --models 100000 --db /tmp/atlas-100k.db [--curated 0.02]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from modelatlas.catalog.loader import Catalog, Entry
from modelatlas.catalog.schema import Model
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog, to_db_url
from modelatlas.store.build import build_store

_SIZES = ["125M", "350M", "1.3B", "3B", "7B", "13B", "14B", "34B", "70B", "175B"]


def synthetic_catalog(count: int, seed: int = 0, *, stream: bool = False, curated: float = 1.0) -> Catalog:
    """``count`` synthetic models, with the real catalog's organizations, domains and openness mix.

    ``stream``: the models are made as the build reads them, each time it reads them (the same models:
    one seeded generator, replayed), so that only a chunk of them is ever in memory; the build's time
    then includes making them. ``curated``: the share of them that are curated records (the others
    come from a listing).
    """
    real = load_valid_catalog(bundled_catalog())
    catalog = Catalog(root=Path("/synthetic"), organizations=real.organizations)
    models = _Streamed(real, count, seed, curated)
    catalog.models = models if stream else list(models)  # type: ignore[assignment]
    return catalog


class _Streamed(Sequence[Entry]):
    """The synthetic models, made anew on each pass: a catalog that holds none of them."""

    def __init__(self, real: Catalog, count: int, seed: int, curated: float = 1.0) -> None:
        self.real, self.count, self.seed, self.curated = real, count, seed, curated

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Entry:  # type: ignore[override]
        return next(itertools.islice(self, index, None))

    def __iter__(self) -> Iterator[Entry]:
        models = [e.record for e in self.real.models]
        families = [m.family or m.id for m in models]
        domains = Counter(d for m in models for d in m.domains[:1])
        openness = Counter(m.openness for m in models if m.openness)
        orgs = [e.record.id for e in self.real.organizations]
        start, days = dt.date(2015, 1, 1), (dt.date(2026, 11, 1) - dt.date(2015, 1, 1)).days
        rng = random.Random(self.seed)
        listed = random.Random(self.seed + 1)  # its own draws: the models are the same at any share
        for number in range(self.count):
            family = rng.choice(families)
            size = rng.choice(_SIZES)
            name = f"{family.title()}-{size}-v{number}"
            record = Model.model_validate(
                {
                    "id": f"{family}-{size.lower()}-v{number}".replace("_", "-"),
                    "name": name,
                    "aliases": [f"{family} {size} {number}", f"{family}{number}"],
                    "organizations": [rng.choice(orgs)],
                    "domains": [rng.choices(list(domains), weights=list(domains.values()))[0]],
                    "parameters": {"total": int(10 ** rng.uniform(7, 12.3))},
                    "released": (start + dt.timedelta(days=rng.randrange(days))).isoformat(),
                    "openness": rng.choices(list(openness), weights=list(openness.values()))[0],
                    "summary": {"en": f"A synthetic {size} model of the {family} family, number {number}."},
                    "sources": [
                        {"id": "synthetic", "citation": "bench/synthetic.py", "accessed": "2026-11-23"}
                    ],
                }
            )
            curated = self.curated >= 1 or listed.random() < self.curated
            path = Path(f"/synthetic/{record.id}.yaml" if curated else "/synthetic/listing.jsonl")
            yield Entry(record, path, None)


def build(models: int, db: str | Path, curated: float = 1.0) -> None:
    """Build a store of ``models`` synthetic models at ``db`` and say how long it took."""
    started = time.perf_counter()
    catalog = synthetic_catalog(models, curated=curated)
    made = time.perf_counter()
    result = build_store(catalog, to_db_url(str(db)))
    print(
        f"{models:,} synthetic models: generated in {made - started:.1f} s, built in {result.seconds:.1f} s"
    )
    print(f"store: {db} ({Path(db).stat().st_size / 1e6:.0f} MB)")


def synthetic_store(models: int, db: str | None) -> Path:
    """The store at ``db`` (default ``/tmp/atlas-<N>k.db``), built with ``models`` models if missing."""
    path = Path(db or f"/tmp/atlas-{models // 1000}k.db")
    if not path.exists():
        build(models, path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/atlas-100k.db")
    parser.add_argument(
        "--curated", type=float, default=1.0, help="The share of curated (notable) models; the rest listed."
    )
    args = parser.parse_args()
    build(args.models, args.db, args.curated)


if __name__ == "__main__":
    main()
