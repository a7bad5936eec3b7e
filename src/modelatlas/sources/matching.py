"""Find the catalog model an imported row describes, and say how it was matched.

Keys, strongest first: id; name, alias or variant name (normalised by ``name_key``); the name without a
trailing size (``GPT-NeoX-20B`` → ``GPT-NeoX`` when that model is 20B); the paper's arXiv id; a Hugging
Face repo id; a code URL. A key that points at two models matches neither. Keys other than the name must
also agree on the name: the versions in the two names must be the same (``Whisper`` is not ``Whisper V2``,
``Stable Diffusion 1.0`` is not ``2.0``) and the names must look alike, because lists link the wrong paper
(seed 004 gives Cerebras-GPT the Chinchilla paper).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Model
from modelatlas.catalog.units import format_count, parse_count

__all__ = ["Match", "Matcher", "code_key", "size_of", "versions"]

_SIZE = re.compile(r"(\d+(?:\.\d+)?)([kmbt])$")
_VERSION = re.compile(r"(?<![\d.])v?(\d+(?:\.\d+)*)", re.IGNORECASE)
_SIZE_WORD = re.compile(r"\d+(?:\.\d+)?\s*[kmbt]\b|\d+x\d+(?:\.\d+)?[kmbt]\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Match:
    model_id: str
    how: str
    #: The variant whose name matched (``LLaMA-7B`` of LLaMA): its size is the one to compare.
    variant: str | None = None
    #: Matched by something other than the exact name: only if the release years agree too.
    weak: bool = False


def code_key(url: str) -> str:
    """``https://GitHub.com/THUDM/ChatGLM-6B.git/`` → ``github.com/thudm/chatglm-6b``."""
    key = re.sub(r"^https?://(www\.)?", "", url.strip().casefold()).rstrip("/")
    key = key.split("#", 1)[0].rstrip("/").removesuffix(".git")
    return re.sub(r"/(tree|blob)/(main|master)$", "", key)


def size_of(key: str) -> tuple[str, int] | None:
    """Split a trailing size off a name key: ``gptneox20b`` → ``("gptneox", 20_000_000_000)``."""
    found = _SIZE.search(key)
    if not found or found.start() == 0:
        return None
    return key[: found.start()], parse_count(found.group(0))


def versions(name: str) -> frozenset[str]:
    """The version numbers in a name, sizes left out: ``Whisper V2`` → {"2"}, ``LLaMA-7B`` → {}."""
    without_sizes = _SIZE_WORD.sub(" ", name)
    return frozenset(re.sub(r"(?:\.0)+$", "", v) for v in _VERSION.findall(without_sizes))


def _close(size: int, other: int | None) -> bool:
    return other is not None and abs(size - other) <= 0.1 * max(size, other)


class Matcher:
    """An index of models by every key above; ``add`` models, then ``match`` imported ones."""

    def __init__(self) -> None:
        self._models: dict[str, Model] = {}
        self._names: dict[str, set[str]] = defaultdict(set)
        self._name_kind: dict[tuple[str, str], tuple[str, str]] = {}
        self._stems: dict[str, set[str]] = defaultdict(set)
        self._arxiv: dict[str, set[str]] = defaultdict(set)
        self._hf: dict[str, set[str]] = defaultdict(set)
        self._code: dict[str, set[str]] = defaultdict(set)

    def __contains__(self, model_id: str) -> bool:
        return model_id in self._models

    def add(self, model: Model) -> None:
        """Index ``model`` (again, if it changed: keys only accumulate)."""
        self._models[model.id] = model
        spellings = [("name", model.name)] + [("alias", a) for a in model.aliases]
        spellings += [("variant", v.name) for v in model.variants]
        for kind, spelling in spellings:
            key = name_key(spelling)
            if key:
                self._names[key].add(model.id)
                self._name_kind.setdefault((key, model.id), (kind, spelling))
                split = size_of(key)
                if split:
                    self._stems[split[0]].add(model.id)
        for paper in model.papers:
            if paper.arxiv:
                self._arxiv[paper.arxiv].add(model.id)
        repos = list(model.weights.huggingface if model.weights else [])
        repos += [r for v in model.variants for r in v.weights]
        for repo in repos:
            self._hf[repo.casefold()].add(model.id)
        for url in model.code:
            self._code[code_key(url)].add(model.id)

    def code_owners(self, url: str) -> set[str]:
        """The models whose code is at ``url``."""
        return set(self._code.get(code_key(url), ()))

    def model(self, model_id: str) -> Model:
        return self._models[model_id]

    def by_name(self, name: str) -> Match | None:
        """Match a bare name (a base model named by a list): exact key, then without its size."""
        key = name_key(name)
        found = self._unique(self._names.get(key))
        if found:
            kind, spelling = self._name_kind[(key, found)]
            if kind == "variant":
                return Match(found, f"variant name {spelling!r}", variant=spelling)
            return Match(found, f"{kind} {spelling!r}")
        return self._by_size(key)

    def match(self, model: Model) -> Match | None:
        """The catalog model ``model`` describes, or None if it is new."""
        if model.id in self._models and name_key(self._models[model.id].name) == name_key(model.name):
            return Match(model.id, "id")
        for spelling in [model.name, *model.aliases]:
            found = self.by_name(spelling)
            if found and (not found.weak or self._same_time(model, found.model_id)):
                return found
        for how, ids in self._strong_keys(model):
            model_id = self._unique(ids)
            if model_id and self._same_model(model.name, model_id) and self._same_time(model, model_id):
                return Match(model_id, how, weak=True)
        return None

    def _same_time(self, model: Model, model_id: str) -> bool:
        """Whether the two were released within a year of each other (or either date is unknown).

        Keeps Shazeer's 2017 ``MoE`` apart from 2021's ``MoE-1.1T``, which a weak key would join.
        """
        target = self._models[model_id].released
        if model.released is None or target is None:
            return True
        return abs(model.released.date.year - target.date.year) <= 1

    def _by_size(self, key: str) -> Match | None:
        split = size_of(key)
        if split:  # "GPT-NeoX-20B" → GPT-NeoX, if that model is about 20B
            stem, size = split
            found = self._unique(self._names.get(stem))
            if found and _close(size, self._size(found)):
                return Match(found, f"name without its size ({format_count(size)})", weak=True)
        for found in self._stems.get(key, ()):  # "GPT-NeoX" → GPT-NeoX-20B
            if len(self._stems[key]) == 1:
                return Match(found, f"name with a size: {self._models[found].name!r}", weak=True)
        return None

    def _strong_keys(self, model: Model) -> list[tuple[str, set[str] | None]]:
        keys: list[tuple[str, set[str] | None]] = []
        keys += [(f"arXiv {p.arxiv}", self._arxiv.get(p.arxiv)) for p in model.papers if p.arxiv]
        repos = model.weights.huggingface if model.weights else []
        keys += [(f"Hugging Face repo {r}", self._hf.get(r.casefold())) for r in repos]
        keys += [(f"code {code_key(u)}", self._code.get(code_key(u))) for u in model.code]
        return keys

    def _same_model(self, name: str, model_id: str) -> bool:
        """Whether ``name`` can be a name of the model: the same versions and a similar spelling."""
        target = self._models[model_id]
        names = [target.name, *target.aliases]
        if not any(versions(name) == versions(n) for n in names):
            return False
        key = name_key(name)
        return any(fuzz.partial_ratio(key, name_key(n)) >= 80 for n in names)

    def _size(self, model_id: str) -> int | None:
        params = self._models[model_id].parameters
        return params.total if params else None

    @staticmethod
    def _unique(ids: set[str] | None) -> str | None:
        if ids and len(ids) == 1:
            return next(iter(ids))
        return None
