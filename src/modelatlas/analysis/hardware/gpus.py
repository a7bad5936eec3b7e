"""The GPUs of the catalog's ``gpus.yaml``, found by the names people type: ``RTX 4090``, ``A100``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from modelatlas.catalog.loader import load_gpus
from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Gpu, Source
from modelatlas.errors import CatalogInvalid, NotFound

__all__ = ["GIB", "GpuTable", "load_gpu_table"]

GIB = 1024**3


@dataclass(frozen=True, slots=True)
class GpuTable:
    gpus: list[Gpu]
    sources: dict[str, Source]

    def find(self, name: str) -> Gpu:
        """The card ``name`` names (id, name or alias; case, spaces and hyphens do not matter).

        Raises:
            NotFound: no card answers to ``name``; the message suggests the closest names.
        """
        key = name_key(name)
        by_key = {name_key(s): gpu for gpu in self.gpus for s in gpu.spellings()}
        if key in by_key:
            return by_key[key]
        spaced = key.replace("geforce", "").replace("nvidia", "")
        if spaced in by_key:
            return by_key[spaced]
        close = process.extract(
            key, list(by_key), scorer=DamerauLevenshtein.normalized_similarity, limit=8, score_cutoff=0.6
        )
        near = list(dict.fromkeys(by_key[k].name for k, _, _ in close))[:3]
        suggestion = f"; did you mean {', '.join(near)}?" if near else ""
        raise NotFound(
            f"no GPU called {name!r}{suggestion}",
            advice="`modelatlas gpus` lists them all",
            key="err_no_gpu_near" if near else "err_no_gpu",
            values={"name": name, "near": near},
        )

    @staticmethod
    def memory_bytes(gpu: Gpu) -> int:
        """Usable memory of one card in bytes: vendors' GPU "GB" are binary, so 24 GB is 24 GiB; of
        unified memory (Apple), the share the GPU may hold (``gpu_share``)."""
        return round(gpu.memory_gb * GIB * (gpu.gpu_share or 1))


def load_gpu_table(catalog: Path) -> GpuTable:
    """The cards in ``catalog/gpus.yaml``.

    Raises:
        CatalogInvalid: the file is missing or has problems (all of them listed).
    """
    loaded = load_gpus(catalog)
    if loaded.problems:
        raise CatalogInvalid(loaded.problems)
    return GpuTable([e.record for e in loaded.gpus], {e.record.id: e.record for e in loaded.gpu_sources})
