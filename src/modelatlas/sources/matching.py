"""Find the catalog model an imported row describes, and say how it was matched.

Keys, strongest first: id; name, alias or variant name (normalised by ``name_key``); the name without a
trailing size (``GPT-NeoX-20B`` → ``GPT-NeoX`` when that model is 20B); the paper's arXiv id; a Hugging
Face repo id; a code URL. A key that points at two models matches neither. Keys other than the name must
also agree on the name: the versions in the two names must be the same (``Whisper`` is not ``Whisper V2``,
``Stable Diffusion 1.0`` is not ``2.0``) and the names must look alike, because lists link the wrong paper
(seed 004 gives Cerebras-GPT the Chinchilla paper). Looking alike is not enough when one name is the other
plus an edition word (``DeepSeek-V2-Lite`` is not ``DeepSeek-V2``, ``Flan-UL2`` not ``UL2``) or plus
letters glued to it (``mT0`` is not ``T0``): a paper, repository or code base is shared by a whole family.

Sizes decide too. A match by anything but the exact name is refused when the row's parameter count is far
from the model's (and from each of its variants'): ``Falcon-180B`` citing the Falcon paper is not
``Falcon-40B``. An exact name whose model is far off in size gives way to a model that has the name and
the size (``Megatron-LM`` at 1T is ``Megatron-LM (1T)``, not the 8.3B ``Megatron-LM``); with none, the
name match stands and the sizes become a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Model
from modelatlas.catalog.units import format_count, parse_count
from modelatlas.errors import BadArgument
from modelatlas.sources._match_index import Kind, MatchIndex

__all__ = [
    "EDITION_WORDS",
    "SIZE_WORDS",
    "FAR",
    "Match",
    "Matcher",
    "code_key",
    "edition_apart",
    "edition_words",
    "composed",
    "prefixed",
    "qualified",
    "substituted",
    "size_of",
    "versions",
]

_SIZE = re.compile(r"(\d+(?:\.\d+)?)([kmbt])$")
_VERSION = re.compile(r"(?<![\d.])v?(\d+(?:\.\d+)*)", re.IGNORECASE)
_SIZE_WORD = re.compile(r"\d+(?:\.\d+)?\s*[kmbt]\b|\d+x\d+(?:\.\d+)?[kmbt]\b", re.IGNORECASE)
#: A size at the end of a spelling, set off from the name: ``mT0-13B``, ``Megatron-LM (1T)``, ``GPT-2 1.5B``.
_TRAILING_SIZE = re.compile(r"[\s\-_/(]\(?\s*(\d+(?:\.\d+)?\s*[kmbt])\s*\)?\s*$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[^\w.+\u03b1]+|_")
_WORD = re.compile(r"\d+(?:\.\d+)*|\D+")
#: Words that make a name another member of a family: a size, a tier or a derived edition. ``Base``,
#: ``Chat`` and ``Instruct`` are left out: they are usually the same weights' size and release.
SIZE_WORDS = frozenset(
    "lite light mini small tiny nano micro medium large xl xxl xlarge xxlarge huge giant".split()
)
EDITION_WORDS = SIZE_WORDS | frozenset(
    "pro max ultra turbo flash heavy code coder math flan vl vision plus omni audio zero preview "
    "dpo reward distill distilled multi".split()
)
#: Words that name no model: a name that only adds or drops them is the same name.
HARMLESS_WORDS = frozenset("model models the a an of v".split())
#: Words that make a name a method applied to a model: ``DPO on Pythia-2.8B`` is not ``DPO``.
_CONNECTORS = frozenset("on with using via for".split())
_BRACKETED = re.compile(r"\(([^()]*)\)")
#: Sizes further apart than this factor are different models.
FAR = 1.2
#: A bracketed abbreviation closing a task: ``Speech recognition (ASR)``, ``... language model (pLM/nLM)``.


@dataclass(frozen=True, slots=True)
class Match:
    model_id: str
    how: str
    #: The variant whose name matched (``LLaMA-7B`` of LLaMA): its size is the one to compare.
    variant: str | None = None
    #: Matched by something other than the exact name: only if the release years agree too.
    weak: bool = False


@dataclass(frozen=True, slots=True)
class Keys:
    """A model's keys as ``MatchIndex.add`` takes them: its names ``(key, kind, spelling)`` (``named``) and
    the others (``keys``); and what ``Matcher.is_new`` looks up: the key of its name and of each alias,
    each with the stem before a trailing size (``spelt``), its arXiv ids, its own repositories (not its
    variants') and its code links. Worked out from its spellings alone (``of``): once a model, and in
    any process (``sources.merge`` prepares a row's in another)."""

    named: list[tuple[str, str, str]]
    keys: list[tuple[Kind, str]]
    spelt: list[tuple[str, str | None]]
    papers: list[str]
    repos: list[str]
    code: list[str]

    @classmethod
    def of(
        cls,
        names: Sequence[str],
        variants: Sequence[tuple[str, Sequence[str]]],
        papers: Sequence[str],
        repos: Sequence[str],
        code: Sequence[str],
    ) -> Keys:
        """The keys of a model with ``names`` (its name, then its aliases), ``variants`` (each name and
        repositories), the arXiv ids of its ``papers``, its ``repos`` and its ``code`` links."""
        spellings = [("name", names[0]), *(("alias", a) for a in names[1:])]
        spellings += [("variant", name) for name, _ in variants]
        named: list[tuple[str, str, str]] = []
        keys: list[tuple[Kind, str]] = []
        spelt: list[tuple[str, str | None]] = []
        for kind, spelling in spellings:
            key = name_key(spelling)
            split = _split_size(spelling)
            if kind != "variant":
                spelt.append((key, split[0] if split else None))
            if key:
                named.append((key, kind, spelling))
                if split:
                    keys.append(("stem", split[0]))
        own = [repo.casefold() for repo in repos]
        variant_repos = [r.casefold() for _, weights in variants for r in weights]
        links = [code_key(url) for url in code]
        keys += [("arxiv", arxiv) for arxiv in papers]
        keys += [("hf", repo) for repo in own] + [("hf", repo) for repo in variant_repos]
        keys += [("variant_repo", repo) for repo in variant_repos] + [("code", link) for link in links]
        return cls(named, keys, spelt, list(papers), own, links)

    @classmethod
    def of_model(cls, model: Model) -> Keys:
        return cls.of(
            [model.name, *model.aliases],
            [(v.name, v.weights) for v in model.variants],
            [paper.arxiv for paper in model.papers if paper.arxiv],
            model.weights.huggingface if model.weights else [],
            model.code,
        )

    @classmethod
    def of_record(cls, record: Mapping[str, Any]) -> Keys:
        """``of_model`` of a model given as its record's plain values (``Model.record_json`` read as JSON)."""
        return cls.of(
            [record["name"], *record.get("aliases", ())],
            [(v["name"], v.get("weights", ())) for v in record.get("variants", ())],
            [p["arxiv"] for p in record.get("papers", ()) if p.get("arxiv")],
            (record.get("weights") or {}).get("huggingface", ()),
            record.get("code", ()),
        )


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


def _near(size: int, other: int | None) -> bool:
    """Within ``FAR`` of each other: 8B and 9.3B are one model as two sources count it, 40B and 180B not."""
    return other is not None and other > 0 and size > 0 and max(size, other) <= FAR * min(size, other)


def _split_size(spelling: str) -> tuple[str, int] | None:
    """The name key and size of a spelling that ends in a size: ``mT0-13B`` → ``("mt0", 13e9)``.

    A size set off by a space, hyphen or bracket is split there, so the digits of the name stay in it
    (the key ``mt013b`` alone would give ``mt``); otherwise the key is split as ``size_of`` does.
    """
    found = _TRAILING_SIZE.search(spelling)
    if found and found.start() > 0:
        stem = name_key(spelling[: found.start()])
        if stem:
            return stem, parse_count(found.group(1).replace(" ", ""))
    return size_of(name_key(spelling))


def _words(spelling: str) -> list[str]:
    """The name key of ``spelling`` cut into words: at spaces and punctuation, and between letters and
    digits (``DeepSeek-V2-Lite`` → deepseek, v, 2, lite)."""
    words: list[str] = []
    for piece in _SEPARATORS.split(spelling.replace("+", " plus ")):
        words += _WORD.findall(name_key(piece))
    return words


def edition_apart(name: str, other: str) -> str | None:
    """What makes ``name`` and ``other`` two members of a family when one name contains the other.

    The edition word one adds (``DeepSeek-V2-Lite`` / ``DeepSeek-V2`` → ``lite``), or the letters glued onto
    the front of the other (``mT0`` / ``T0`` → ``m``, ``ChatGLM`` / ``GLM`` → ``chat``), or a word that
    applies it to something (``DPO on Pythia`` → ``on``). ``""`` when one only adds words that name no
    edition (``Mengzi model`` / ``Mengzi``); None when neither contains the other,
    or only with letters glued onto its end that name no edition (``Transformers`` / ``Transformer``).
    """
    key, other_key = name_key(name), name_key(other)
    if not key or not other_key or key == other_key:
        return None
    longer, short = (name, other_key) if len(key) > len(other_key) else (other, key)
    words = _words(longer)
    long_key = "".join(words)
    if long_key != name_key(longer) or short not in long_key:
        return None
    ends, at = [], 0
    for word in words:
        ends.append((at, at + len(word), word))
        at += len(word)
    starts, stops = {s for s, _, _ in ends}, {e for _, e, _ in ends}
    verdict: str | None = None
    for found in re.finditer(f"(?={re.escape(short)})", long_key):
        begin, end = found.start(), found.start() + len(short)
        if begin not in starts:  # glued onto the front: mT0, ChatGLM
            verdict = verdict or long_key[max(b for b in starts if b < begin) : begin]
            continue
        if end not in stops:  # glued onto the end: only an edition word tells (FalconLite2)
            tail = long_key[end : min(e for e in stops if e > end)]
            verdict = verdict or next((w for w in sorted(EDITION_WORDS) if tail.startswith(w)), None)
            continue
        added = [w for s, e, w in ends if e <= begin or s >= end]
        edition = next((w for w in added if w in EDITION_WORDS or w in _CONNECTORS), "")
        if not edition:
            return ""
        verdict = edition
    return verdict


def _spellings(name: str) -> list[str]:
    """``name`` as its bracketed parts and without them: ``Swin Transformer V2 (SwinV2-G)`` is also
    ``Swin Transformer V2`` and ``SwinV2-G``."""
    outside = _BRACKETED.sub(" ", name).strip()
    inside = [part.strip() for part in _BRACKETED.findall(name) if part.strip()]
    return list(dict.fromkeys(filter(None, [name, outside, *inside])))


def _name_words(spelling: str) -> set[str]:
    words = {"plus" if w == "pp" else w for w in _words(_SIZE_WORD.sub(" ", spelling))} - HARMLESS_WORDS
    letters = {w for w in words if len(w) == 1 and w.isalpha()}
    return words if len(words) > len(letters) else words | letters


def _labels(name: str, sizes: list[int]) -> frozenset[int]:
    """The numbers with a unit in ``name`` that are not the model's size: ``MiniMax-M1-40k`` (456B) → {40000},
    a thinking budget; ``Llama-2-7B`` (7B) → {}. Empty when the size is unknown: nothing to tell by."""
    if not sizes:
        return frozenset()
    found = (_count(m.group(0)) for m in _SIZE_WORD.finditer(name))
    return frozenset(n for n in found if n and not any(_near(n, s) for s in sizes))


def _count(word: str) -> int | None:
    """``40k`` → 40000; None for what is no plain count (``8x7B``, a mixture's experts)."""
    try:
        return parse_count(word.replace(" ", ""))
    except BadArgument:
        return None


def _dropped_letter(words: set[str], others: set[str]) -> bool:
    """One word each, the same but for one letter left out of one (``Chinchila`` / ``Chinchilla``): a
    misspelling. A letter changed (``SigLiT`` / ``SigLIP``) is another name."""
    if len(words) != 1 or len(others) != 1:
        return False
    short, long = sorted((next(iter(words)), next(iter(others))), key=len)
    if len(short) < 3 or len(long) != len(short) + 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def substituted(name: str, other: str) -> tuple[str, str] | None:
    """A word of ``name`` standing where ``other`` has another: two members of a family, not one model.

    ``NVLM-D 72B`` / ``NVLM-X 72B`` → ``("d", "x")``, ``Qwen3.5-Omni-Flash`` / ``…-Plus`` → ``("flash",
    "plus")``, ``SigLiT`` / ``SigLIP`` → ``("siglit", "siglip")``. Sizes and harmless words (``model``)
    are left out, a bracketed part may stand for the whole name (``Swin Transformer V2 (SwinV2-G)`` is
    ``SwinV2-G``), and a letter left out is a misspelling (``Chinchila``). None when some spelling of one
    only adds words to a spelling of the other.
    """
    first: tuple[str, str] | None = None
    for mine in _spellings(name):
        for theirs in _spellings(other):
            a, b = _name_words(mine), _name_words(theirs)
            only_a, only_b = a - b, b - a
            if not (only_a and only_b) or _dropped_letter(only_a, only_b):
                return None
            first = first or (min(only_a), min(only_b))
    return first


def edition_words(name: str, other: str) -> frozenset[str]:
    """The edition words (and words like ``on``) that one name has and the other lacks, for the closest
    pair of spellings: ``Tulu V2 DPO 70B`` / ``Tulu 2`` → {dpo}; ``Qwen2.5-Coder (7B)`` / ``Qwen2.5`` →
    {coder}; empty when they name the same edition."""
    found: frozenset[str] | None = None
    for mine in _spellings(name):
        for theirs in _spellings(other):
            apart = (_name_words(mine) ^ _name_words(theirs)) & (EDITION_WORDS | _CONNECTORS)
            if found is None or len(apart) < len(found):
                found = frozenset(apart)
    return found or frozenset()


def prefixed(name: str, other: str) -> str | None:
    """A word ``other`` puts before all of ``name``: ``Flexi-JEST++`` / ``JEST++`` → ``flexi``.

    The longer name is then a particular member of what the shorter one names. None when ``other`` does
    not contain ``name`` word for word after a first word.
    """
    mine, theirs = _words(_SIZE_WORD.sub(" ", name)), _words(_SIZE_WORD.sub(" ", other))
    mine = [w for w in mine if w not in HARMLESS_WORDS]
    theirs = [w for w in theirs if w not in HARMLESS_WORDS]
    for at in range(1, len(theirs) - len(mine) + 1):
        if mine and theirs[at : at + len(mine)] == mine:
            return next((w for w in theirs[:at] if not w.isdigit()), None)
    return None


def composed(name: str, other: str) -> bool:
    """Two systems built with ``+`` from different parts: ``Transformer-XL+WN+AdamP`` is not
    ``Transformer-XL+AdamP``, ``RHN+HSG`` is not ``RHN``; ``T0++`` is ``T0pp``."""
    if "+" not in name and "+" not in other:
        return False
    return _name_words(_BRACKETED.sub(" ", name)) != _name_words(_BRACKETED.sub(" ", other))


def qualified(name: str, other: str) -> bool:
    """Whether ``other`` is ``name`` narrowed by a bracketed qualifier: ``Big-Little Net (speech)`` of
    ``Big-Little Net``. Sizes in brackets (``Megatron-LM (1T)``) do not narrow: sizes decide."""
    inside = {w for part in _BRACKETED.findall(other) for w in _name_words(part)}
    if not inside:
        return False
    mine = _name_words(name)
    return bool(inside - mine) and _name_words(_BRACKETED.sub(" ", other)) <= mine


#: Domains that may describe the same model in two sources (a speech model is multimodal in the catalog).
_ANY_DOMAIN = frozenset({"multimodal", "other"})


def _domains_apart(domains: Sequence[str], others: Sequence[str]) -> bool:
    """Two sources put the models in different fields: ``cv`` against ``speech``, ``biology`` against
    ``nlp``; ``multimodal`` and ``other`` go with anything."""
    mine, theirs = set(domains), set(others)
    return not (mine & theirs or (mine | theirs) & _ANY_DOMAIN)


def _size(model: Model) -> int | None:
    """The stated parameter count, else a third party's estimate of it (of the whole model)."""
    if model.parameters and model.parameters.total:
        return model.parameters.total
    guess = next((e.value for e in model.estimates if e.field == "parameters" and e.variant is None), None)
    return int(guess) if guess else None


class Matcher:
    """An index of models by every key above; ``add`` models, then ``match`` imported ones."""

    def __init__(self, models: MutableMapping[str, Model] | None = None) -> None:
        #: The models by id: a dict of its own, or the merge's (``sources._shelf.ModelShelf``, on disk).
        self._models: MutableMapping[str, Model] = {} if models is None else models
        #: Every key of every model, on disk (``_match_index``): a million new models' keys held 400 MB
        #: as dicts of sets.
        self._index = MatchIndex()

    def close(self) -> None:
        self._index.close()

    def __contains__(self, model_id: str) -> bool:
        return model_id in self._models

    def add(self, model: Model) -> None:
        """Index ``model`` (again, if it changed: keys only accumulate)."""
        self._models[model.id] = model
        self.add_keys(model.id, Keys.of_model(model))

    def is_new(self, model_id: str, keys: Keys) -> bool:
        """Whether ``match`` could find no model for a model ``model_id`` with ``keys``, nor ``code_owners``
        any for its code: not if its id, a name key of its name or aliases, the stem of one before a
        trailing size (or one as another's stem) or a code link is any model's, or an arXiv id or a
        repository of it one model's alone (one that two have matches neither, and keys only
        accumulate). Then the model is new, and ``add_keys`` indexes it under ``keys``."""
        if model_id in self._models:
            return False
        index = self._index
        for key, stem in keys.spelt:
            if index.names(key) or index.has("stem", key) or (stem and index.names(stem)):
                return False
        if any(index.only("arxiv", arxiv) for arxiv in keys.papers):
            return False
        if any(index.only("hf", repo) for repo in keys.repos):
            return False
        return not any(index.has("code", link) for link in keys.code)

    def add_keys(self, model_id: str, keys: Keys) -> None:
        """Index ``model_id``, which the models hold already, under ``keys``."""
        self._index.add(model_id, keys.named, keys.keys)

    def named(self, name: str) -> set[str]:
        """Every model one of whose names, aliases or variants is spelt ``name`` (up to ``name_key``)."""
        return set(self._index.names(name_key(name)))

    def code_owners(self, url: str) -> set[str]:
        """The models whose code is at ``url``."""
        return self._index.models("code", code_key(url))

    def model(self, model_id: str) -> Model:
        return self._models[model_id]

    def by_name(self, name: str) -> Match | None:
        """Match a bare name (a base model named by a list): exact key, then without its size."""
        key = name_key(name)
        named = self._index.names(key)
        found = self._unique(named)
        if found:
            kind, spelling = named[found]
            if kind == "variant":
                return Match(found, f"variant name {spelling!r}", variant=spelling)
            return Match(found, f"{kind} {spelling!r}")
        return self._by_size(name, key)

    def match(self, model: Model) -> Match | None:
        """The catalog model ``model`` describes, or None if it is new."""
        found = self._match(model)
        stated = model.parameters is not None and model.parameters.total is not None
        if found is not None and not found.weak and stated and not self._near_size(model, found):
            # the exact name, but far off in a stated size: a model with the name and the size is the one
            # meant. A third party's guess (AudioLM at 1.5B, stated 1B) does not outweigh the name.
            found = self._sized(model, found) or found
        return found and self._of_variant(model, found)

    def _of_variant(self, model: Model, found: Match) -> Match:
        """``found`` naming the variant whose size the row gives, when the model's total is not it.

        Megatron-BERT (3.9B) cites the Megatron-LM paper: it is Megatron-LM's 3.9B BERT variant, and its
        size is compared with the variant's, not with the 8.3B total.
        """
        size = model.parameters.total if model.parameters else None
        target = self._models[found.model_id]
        total = target.parameters.total if target.parameters else None
        if found.variant is not None or size is None or total is None or _near(size, total):
            return found
        sizes = [(v.parameters, v.name) for v in target.variants if v.parameters is not None]
        near = [(abs(other - size), name) for other, name in sizes if _near(size, other)]
        if not near:
            return found
        return Match(found.model_id, found.how, min(near)[1], found.weak)

    def _match(self, model: Model) -> Match | None:
        if model.id in self._models and name_key(self._models[model.id].name) == name_key(model.name):
            return Match(model.id, "id")
        for spelling in [model.name, *model.aliases]:
            found = self.by_name(spelling)
            if found and (not found.weak or self._weak_fits(model, found)):
                return found
        return self._by_keys(model)

    def _by_keys(self, model: Model, *, besides: str | None = None) -> Match | None:
        for how, model_id, variant_key in self._strong_keys(model):
            if model_id is None or model_id == besides:
                continue
            alike = self._same_model(model, model_id, editions=not variant_key)
            if alike is None:
                continue
            found = Match(model_id, how, weak=True)
            if self._weak_fits(model, found, strict=alike == "alike"):
                return found
        return None

    def _weak_fits(self, model: Model, found: Match, *, strict: bool = False) -> bool:
        """A weak match holds if the release years and the sizes agree (or either is unknown)."""
        return self._same_time(model, found.model_id) and self._near_size(model, found, strict=strict)

    def _near_size(self, model: Model, found: Match, *, strict: bool = False) -> bool:
        """Whether the row's size is near the model's, or one of its variants' (or either is unknown).

        ``strict``: within 10%, for a name only spelt alike (``mT0`` at 13B is not ``T0++`` at 11B).
        """
        size = _size(model)
        sizes = self._sizes(found)
        near = _close if strict else _near
        return size is None or not sizes or any(near(size, s) for s in sizes)

    def _sizes(self, found: Match) -> list[int]:
        target = self._models[found.model_id]
        variants = [(v.name, v.parameters) for v in target.variants if v.parameters is not None]
        if found.variant is not None:
            return [size for name, size in variants if name_key(name) == name_key(found.variant)]
        total = [target.parameters.total] if target.parameters and target.parameters.total else []
        if not total and not variants:  # only a third party's figure: better than none to tell sizes
            estimated = _size(target)
            total = [estimated] if estimated else []
        return total + [size for _, size in variants]

    def _sized(self, model: Model, found: Match) -> Match | None:
        """Another model that has the row's name and its size: ``Megatron-LM`` at 1T is ``Megatron-LM (1T)``.

        Either the name with the size is another model's name, or a paper, repository or code link of the
        row is the model's and the model is about that size.
        """
        assert model.parameters is not None and model.parameters.total is not None
        instead = self.by_name(f"{model.name} {format_count(model.parameters.total)}")
        if instead is None or instead.model_id == found.model_id or not self._weak_fits(model, instead):
            instead = self._by_keys(model, besides=found.model_id)
        if instead is None:
            return None
        held = format_count(self._sizes(found)[0])
        how = f"{instead.how}, not {found.model_id} ({held}: {found.how})"
        return Match(instead.model_id, how, instead.variant, weak=True)

    def _same_time(self, model: Model, model_id: str) -> bool:
        """Whether the two were released within a year of each other (or either date is unknown).

        Keeps Shazeer's 2017 ``MoE`` apart from 2021's ``MoE-1.1T``, which a weak key would join.
        """
        target = self._models[model_id].released
        if model.released is None or target is None:
            return True
        return abs(model.released.date.year - target.date.year) <= 1

    def _by_size(self, name: str, key: str) -> Match | None:
        split = _split_size(name)
        if split:  # "GPT-NeoX-20B" → GPT-NeoX, if that model is about 20B
            stem, size = split
            found = self._unique(self._index.names(stem))
            if found and _close(size, self._size(found)):
                return Match(found, f"name without its size ({format_count(size)})", weak=True)
        found = self._index.only("stem", key)  # "GPT-NeoX" → GPT-NeoX-20B
        if found:
            return Match(found, f"name with a size: {self._models[found].name!r}", weak=True)
        return None

    def _strong_keys(self, model: Model) -> list[tuple[str, str | None, bool]]:
        """Each key of the row: how to say it, the one model that has it (None: none or several), whether
        it is a variant's repo."""
        keys: list[tuple[str, str | None, bool]] = []
        index = self._index
        keys += [(f"arXiv {p.arxiv}", index.only("arxiv", p.arxiv), False) for p in model.papers if p.arxiv]
        repos = model.weights.huggingface if model.weights else []
        for repo in repos:
            folded = repo.casefold()
            variant = index.has("variant_repo", folded)
            keys.append((f"Hugging Face repo {repo}", index.only("hf", folded), variant))
        keys += [(f"code {code_key(u)}", index.only("code", code_key(u)), False) for u in model.code]
        return keys

    def _same_model(self, model: Model, model_id: str, *, editions: bool = True) -> str | None:
        """Whether the row's name can be a name of the model: the same versions and a similar spelling.

        ``"contains"`` when one name contains the other up to harmless words, ``"alike"`` when they are
        only spelt alike (a typo, or letters in common), None when the row is not the model.

        With ``editions``, a name that is one of the model's plus an edition word or glued letters
        (``DeepSeek-V2-Lite``, ``mT0``) is another member of the family, unless another of the model's
        names is it up to harmless words, or the word is a size word and the sizes agree (``CPM-Large``
        at 2.6B is the 2.6B ``CPM``). A variant's repository names the variant (``Cerebras-GPT small``
        via ``cerebras/Cerebras-GPT-111M``), so it is let through without ``editions``.
        """
        name = model.name
        target = self._models[model_id]
        names = [target.name, *target.aliases]
        if not any(versions(name) == versions(n) for n in names):
            return None
        spellings = [*names, *(v.name for v in target.variants)]
        if all(substituted(name, n) for n in spellings):
            return None
        if all(prefixed(name, n) for n in names):  # the model is a particular one of what the row names
            return None
        if all(edition_words(name, n) - SIZE_WORDS for n in names):  # Tulu 2 is not Tulu V2 DPO 70B
            return None
        if all(composed(name, n) or qualified(name, n) for n in names):
            return None  # Transformer-XL+WN+AdamP is not Transformer-XL+AdamP; Big-Little Net (speech)
        if _domains_apart(model.domains, target.domains):  # a vision model is not a speech model
            return None
        own = _labels(name, [s for s in [_size(model)] if s])
        theirs = [_labels(n, self._sizes(Match(model_id, ""))) for n in names]
        if own and all(t and t != own for t in theirs):  # MiniMax-M1-40k is not MiniMax-M1-80k
            return None
        apart = [edition_apart(name, n) for n in names]
        if "" in apart:
            return "contains"
        if editions and any(apart):
            size = model.parameters.total if model.parameters else None
            sized = size is not None and any(_close(size, s) for s in self._sizes(Match(model_id, "")))
            if not sized or any(a and a not in SIZE_WORDS for a in apart):
                return None
        key = name_key(name)
        if any(fuzz.partial_ratio(key, name_key(n)) >= 80 for n in names):
            return "contains" if any(apart) else "alike"
        return None

    def _size(self, model_id: str) -> int | None:
        params = self._models[model_id].parameters
        return params.total if params else None

    @staticmethod
    def _unique(ids: Collection[str] | None) -> str | None:
        if ids and len(ids) == 1:
            return next(iter(ids))
        return None
