"""The hardware side of the dashboard: the catalog's cards and configs, and estimates for the API and pages.

``Hardware`` wraps ``analysis.hardware.subjects`` for one request: it never opens a file path given in a
query, keeps the store's model sizes per build and re-reads ``gpus.yaml`` only when it changes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine, select

from modelatlas.analysis.hardware.configs import bundled_repos
from modelatlas.analysis.hardware.gpus import GpuTable, load_gpu_table
from modelatlas.analysis.hardware.memory import TrainMethod, kv_bits
from modelatlas.analysis.hardware.precision import PRECISIONS, get_precision
from modelatlas.analysis.hardware.subjects import (
    Subject,
    catalog_subjects,
    downloadable,
    estimates,
    fits_on,
    inference_need,
    precision_list,
    subjects,
)
from modelatlas.catalog.schema import Gpu, Model
from modelatlas.config import Settings
from modelatlas.errors import BadArgument, NotFound
from modelatlas.live.clients import Endpoints
from modelatlas.live.hub_configs import hub_config, synced_config
from modelatlas.store import queries as Q
from modelatlas.store import tables as T
from modelatlas.store.records import load_models
from modelatlas.web import views
from modelatlas.web.schemas import MemoryAnswer, MemoryOut

__all__ = ["MAX_SUGGESTED", "Hardware", "MemoryQuery", "weights_formats"]

#: The model field suggests at most this many notable models (the newest), besides the bundled configs.
MAX_SUGGESTED = 1000


@dataclass(frozen=True, slots=True)
class MemoryQuery:
    """What to estimate: the workload, the precisions (none: all) or a training method, and the card."""

    context: str | None = None
    kv: str | None = None
    batch: int = 1
    precisions: tuple[str, ...] = ()
    train: TrainMethod | None = None
    checkpointing: bool | None = None
    lora_rank: int = 16
    gpu: str | None = None
    gpus: int = 1


def weights_formats(names: list[str]) -> list[str]:
    """``names`` if each is a weights format (any spelling ``get_precision`` takes).

    Raises:
        BadArgument: one is not; the message lists the formats.
    """
    for name in names:
        try:
            get_precision(name)
        except BadArgument:
            raise BadArgument(
                f"precision: {name!r} is not one of {', '.join(PRECISIONS)}",
                key="err_one_of",
                values={"field": "precision", "text": name, "choices": list(PRECISIONS)},
            ) from None
    return names


class Hardware:
    """The catalog's cards and bundled configs, and the sizes of the store's models (kept per build)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _cache: ClassVar[dict[str, list[Subject]]] = {}
    _tables: ClassVar[dict[tuple[str, int], GpuTable]] = {}

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings, self.engine = settings, engine
        self.configs_dir: Path = settings.catalog / "configs"

    def table(self) -> GpuTable:
        """The catalog's ``gpus.yaml``, read again when it changes; no cards when the catalog has none
        (the file is optional).

        Raises:
            CatalogInvalid: the file exists and has problems.
        """
        path = self.settings.catalog / "gpus.yaml"
        try:
            key = (str(path), path.stat().st_mtime_ns)
        except FileNotFoundError:
            return GpuTable([], {})
        with self._lock:
            if key not in self._tables:
                self._tables.clear()
                self._tables[key] = load_gpu_table(self.settings.catalog)
            return self._tables[key]

    def card(self, name: str | None) -> Gpu | None:
        """The card ``name`` names, or None when no name is given.

        Raises:
            BadArgument: no card answers to ``name`` (the message suggests the closest).
        """
        if not name or not name.strip():
            return None
        table = self.table()
        if not table.gpus:
            raise BadArgument(
                f"gpu: no card list, the catalog {self.settings.catalog} has no gpus.yaml", key="err_no_cards"
            )
        try:
            return table.find(name)
        except NotFound as exc:
            raise BadArgument(f"gpu: {exc.plain}", key=exc.key, values=exc.values) from exc

    def asked(self, target: str) -> list[Subject]:
        """The sizes ``target`` names, as ``subjects.subjects`` reads it (never a file path): a family gives
        every size; a Hub repo's config comes from the catalog, the store's sync or the Hub itself.

        Raises:
            NotFound: no such model, size or repo, or no config and no stated size.
            ConfigError: the config cannot be used.
            SourceError: the Hub could not be asked.
        """
        endpoints = Endpoints(hf=self.settings.hf_endpoint, hf_token=self.settings.hf_token)
        return subjects(
            target,
            configs_dir=self.configs_dir,
            resolve=self._resolve,
            paths=False,
            synced=partial(synced_config, self.engine),
            hub=partial(hub_config, endpoints, cache=self.settings.cache_dir),
        )

    def _resolve(self, name: str) -> Model:
        with self.engine.connect() as conn:
            return Q.get_model(conn, Q.resolve(conn, name))

    def subjects(self) -> list[Subject]:
        """Every size of every model in the store whose weights can be downloaded (``downloadable``: a
        fit means nothing for an API-only model), computed once per store build and kept apart from
        ``views.per_build``, whose least recently used views give way to newer ones: reading every
        record again costs minutes at a million models."""
        key = f"{views.stamp(self.engine)}@{self.configs_dir}"
        with self._lock:
            if key not in self._cache:
                self._cache.clear()
                models = (m for m in load_models(self.settings.db) if downloadable(m))
                self._cache[key] = catalog_subjects(models, self.configs_dir)
            return self._cache[key]

    def suggestions(self) -> list[str]:
        """What the model field offers as one types, once per build: the names of the sizes counted from a
        bundled config and of the ``MAX_SUGGESTED`` newest notable models (``analysis.frame``), not every
        model's (the field takes any name all the same)."""
        data = views.analysis(self.engine, self.settings.db)

        def compute() -> list[str]:
            frame = data.frame  # the two columns alone copied (all of them: 240 MB at a million models)
            notable = frame.loc[frame["notable"], ["id", "released"]].sort_values("released", ascending=False)
            newest = set(notable["id"].head(MAX_SUGGESTED))
            configured = self._configured()
            # only the records that can be suggested are read, not every model's
            subjects = catalog_subjects(load_models(self.settings.db, newest | configured), self.configs_dir)
            names = {
                name
                for s in subjects
                if s.count.exact or s.model_id in newest
                for name in (s.model_id, s.title)
                if name
            }
            # names equal but for case (``Alpaca``, ``alpaca``) in one order: a set's order changed from one
            # process to the next, and with it what each worker (and the build's kept view) said
            return sorted(names, key=lambda name: (name.lower(), name))

        key = ("suggestions", self._configs_named())
        return views.per_build(data.built_at, key, compute, store=self.engine)

    def _configs_named(self) -> str:
        """The bundled configs as a kept view's key names them: a digest of each file's name and size, not
        the catalog's path, so that a server whose catalog lies elsewhere than the build's (another
        install, a relative path) finds the view the build kept. (Keyed by the path, such a worker
        computed it, reading the whole analysis table: 2.3 GB at a million models.)"""
        digest = hashlib.blake2b(digest_size=8)
        for path in sorted(bundled_repos(self.configs_dir).values()):
            digest.update(f"{path.parent.name}/{path.name}:{path.stat().st_size}\n".encode())
        return digest.hexdigest()

    def _configured(self) -> set[str]:
        """The ids of the models with a Hub repo whose config the catalog bundles (``model_refs``)."""
        bundled = bundled_repos(self.configs_dir)
        r = T.model_refs.c
        with self.engine.connect() as conn:
            found = conn.execute(select(r.model_id, r.ref).where(r.source == "hf")).all()
        return {model_id for model_id, ref in found if ref.lower() in bundled}

    def fitting(self, gpu: str, precision: str) -> dict[str, int]:
        """Models with downloadable weights and a size that one card ``gpu`` can serve in ``precision`` at
        its default workload, as `modelatlas fit` counts it (weights, KV cache, activations and
        overhead), each with the memory of its largest size that fits; once per build and question.

        Raises:
            BadArgument: an unknown card or precision.
        """
        card = self.card(gpu)
        if card is None:
            raise BadArgument("gpu: name a card, e.g. RTX 4090", key="err_no_card")
        chosen = precision_list(weights_formats([precision]))[0]

        def compute() -> dict[str, int]:
            found: dict[str, tuple[int, int]] = {}
            for s in self.subjects():
                need = inference_need(s, chosen, s.workload())  # None: a pipeline in a quantised format
                if s.model_id and need is not None and fits_on(need, card):
                    found[s.model_id] = max(found.get(s.model_id, (0, 0)), (s.count.total, need.per_gpu))
            return {model: memory for model, (_, memory) in sorted(found.items())}

        key = ("fitting", card.id, chosen.name, str(self.configs_dir))
        return views.per_build(views.stamp(self.engine), key, compute)

    def answer(self, asked: str, found: list[Subject], query: MemoryQuery) -> MemoryAnswer:
        """The estimate ``query`` asks for, for each size in ``found``."""
        return MemoryAnswer(asked=asked, sizes=[self.memory(size, query) for size in found])

    def memory(self, found: Subject, query: MemoryQuery, lang: str = "en") -> MemoryOut:
        """The estimate ``query`` asks for, as the API answers it (its notes said in ``lang``).

        Raises:
            BadArgument: an unknown card, or training a model without a config.
        """
        card = self.card(query.gpu)
        bits = kv_bits(query.kv) if query.kv else None
        work = found.workload(found.tokens(query.context), query.batch, query.gpus, bits)
        if query.train is not None:
            rows = estimates(
                found,
                work,
                card,
                train=query.train,
                checkpointing=query.checkpointing,
                lora_rank=query.lora_rank,
            )
        else:
            chosen = precision_list(query.precisions) if query.precisions else ()
            rows = estimates(found, work, card, precisions=chosen)
        return MemoryOut.of(found, work, rows, card, query.train, lang)
