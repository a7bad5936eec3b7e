"""The bundled catalog as it stood before the records of models made public since 2023-08."""

from __future__ import annotations

import dataclasses

from modelatlas.catalog.loader import Catalog, Entry
from modelatlas.catalog.schema import Model


def seed_era(catalog: Catalog, *, keep: frozenset[str] = frozenset()) -> Catalog:
    """``catalog`` without the models released or announced since 2023-08 (but those in ``keep``),
    and without any model that names a dropped one as its base or the model it is a version of."""

    def dated(entry: Entry[Model]) -> str:
        return str(entry.record.released or entry.record.announced or "")

    kept = {e.record.id for e in catalog.models if dated(e) < "2023-08" or e.record.id in keep}
    while True:
        linked = {
            e.record.id
            for e in catalog.models
            if e.record.id in kept
            and all(b.model in kept for b in e.record.base_models)
            and (e.record.version_of is None or e.record.version_of in kept)
        }
        if linked == kept:
            break
        kept = linked
    return dataclasses.replace(catalog, models=[e for e in catalog.models if e.record.id in kept])
