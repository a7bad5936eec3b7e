"""Licences: free text normalised to SPDX identifiers, and openness that agrees with licence and weights.

``spdx("MIT (code); CreativeML Open RAIL++-M (weights)")`` reads each ``;``-separated part, keeps its
parenthesised scope apart, and finds the identifiers with ``license-expression`` (``Apache 2.0`` →
``Apache-2.0``); model licences SPDX does not list map to ``LicenseRef-…`` ids from ``MODEL_LICENSES``
(ScanCode LicenseDB's where it has one). What is neither is *unknown*: listed, not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from license_expression import ExpressionError, Licensing, get_spdx_licensing  # type: ignore[import-untyped]

from modelatlas.catalog.schema import Model
from modelatlas.checks.links import twin_finder
from modelatlas.checks.registry import Hit, Severity, catalog_check, model_check
from modelatlas.checks.subjects import Context, Subject

__all__ = ["MODEL_LICENSES", "Normalised", "Part", "family", "has_weights", "spdx"]

#: Model licences SPDX does not list, by a pattern over the folded name (lowercase, ``-``/``_`` as
#: spaces), checked in order: (pattern, id, non-commercial). ``LicenseRef-scancode-*`` ids are ScanCode
#: LicenseDB's (shipped with license-expression); the others are this module's.
MODEL_LICENSES: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern), ref, nc)
    for pattern, ref, nc in (
        (r"\bllama ?2\b", "LicenseRef-scancode-llama-2-license-2023", False),
        (r"\bllama ?3\.([123])\b", "LicenseRef-scancode-llama-3.{0}-license-2024", False),
        (r"\bllama ?3\b", "LicenseRef-Llama-3-Community-License", False),
        (r"\bllama\b.*\blicen[cs]e|^llama$", "LicenseRef-scancode-llama-license-2023", True),
        (r"open ?rail ?\+\+", "LicenseRef-CreativeML-OpenRAIL-PlusPlus-M", False),
        (r"creativeml open ?rail", "LicenseRef-scancode-stable-diffusion-2022-08-22", False),
        (
            r"bigscience (?:bloom )?rail(?: licen[cs]e)? ?v?1\.0",
            "LicenseRef-scancode-bigscience-rail-1.0",
            False,
        ),
        (r"bigscience open ?rail ?m", "LicenseRef-scancode-bigscience-open-rail-m", False),
        (r"bigcode open ?rail ?m", "LicenseRef-scancode-bigcode-open-rail-m-v1", False),
        (r"^open ?rail ?m\b", "LicenseRef-OpenRAIL-M", False),
        (r"^open ?rail$", "LicenseRef-OpenRAIL", False),
        (r"\bchatglm\b.*\blicen[cs]e", "LicenseRef-ChatGLM-Model-License", False),
        (r"\bglm ?130b (?:model )?licen[cs]e", "LicenseRef-GLM-130B-License", False),
        (r"\bopt ?175b licen[cs]e", "LicenseRef-OPT-175B-License", True),
        (r"^gemma$|\bgemma terms of use", "LicenseRef-scancode-gemma-tou-2024-04-01", False),
        (r"tongyi qianwen|^qwen$|\bqwen licen[cs]e", "LicenseRef-scancode-tongyi-qianwen-2023", False),
        (r"^deepseek$|\bdeepseek (?:model )?licen[cs]e", "LicenseRef-scancode-deepseek-la-1.0", False),
    )
)
#: Licences of one kind, told apart by name only loosely: lists call BLOOM's RAIL licence "OpenRAIL-M".
_FAMILIES = ((re.compile(r"rail|stable-diffusion", re.IGNORECASE), "RAIL"),)
_SPDX_VERSION = re.compile(r"-\d[\d.]*(?:-(?:only|or-later))?$")
#: Words that make a licence name something else than the licence it names ("Modified MIT").
_QUALIFIED = re.compile(
    r"\b(?:custom|modified|with|inherited|based|restrict\w*|except\w*|variant|like)\b", re.I
)
#: Licence ids written as such inside a phrase ("GPT-J base Apache-2.0").
_ID_IN_TEXT = re.compile(r"\b[A-Za-z]+(?:-[A-Za-z]+)*-\d(?:\.\d)?(?:-[A-Za-z]+)?(?![\w.])")
_FILLER = re.compile(r"\b(?:licen[cs]e|version|the|agreement)\b", re.I)
_NONCOMMERCIAL = re.compile(
    r"non[- ]?commercial|research[- ](?:only|use|purposes)|不可商用|非商业|非商用", re.I
)
_SCOPE_NOT_WEIGHTS = re.compile(r"\b(?:code|data|dataset|docs?|documentation)\b", re.I)
_SCOPE_WEIGHTS = re.compile(r"\b(?:weights?|models?|checkpoints?)\b", re.I)
_PAREN = re.compile(r"\([^()]*\)")
#: Openness values that say the weights can be downloaded, and those that say they cannot.
_OPEN = ("open-weights", "open-weights-restricted")
_SHUT = ("closed", "api-only", "hosted", "unreleased")


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


@dataclass(frozen=True, slots=True)
class Part:
    """One ``;``-separated part of a licence text: the licence's name, its scope note, the ids found."""

    text: str
    name: str
    scope: str
    ids: tuple[str, ...]
    noncommercial: bool

    @property
    def weights(self) -> bool:
        """Whether the part covers the weights: its scope is not only code, data or docs."""
        words = f"{self.scope} {self.name}"
        return not _SCOPE_NOT_WEIGHTS.search(self.scope) or bool(_SCOPE_WEIGHTS.search(words))


@dataclass(frozen=True, slots=True)
class Normalised:
    """A licence text as SPDX identifiers (``LicenseRef-…`` for known model licences) and what is unknown."""

    parts: tuple[Part, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for part in self.parts for i in part.ids))

    @property
    def unknown(self) -> tuple[str, ...]:
        """The parts no licence was found in, as written (scope notes left out)."""
        return tuple(part.name for part in self.parts if not part.ids)

    @property
    def expression(self) -> str:
        """The SPDX expression of the known parts: ``MIT AND LicenseRef-CreativeML-OpenRAIL-PlusPlus-M``."""
        return " AND ".join(self.ids)


def spdx(text: str) -> Normalised:
    """``text`` as SPDX ids: ``Apache 2.0`` → Apache-2.0, ``Llama 2 Community License`` → its LicenseRef.

    Parts are split on ``;`` (outside parentheses); a parenthesised note ("(code)", "(weights)") is the
    part's scope. A part is one licence, several joined by ``,``/``and``/``&``/``+``/``/``, or a phrase
    naming one by its id ("GPT-J base Apache-2.0"); a name qualified ("Modified MIT", "Apache 2.0 with
    usage restriction") is not the licence it qualifies and stays unknown.
    """
    parts = []
    for chunk in _split(text):
        scope = " ".join(p.strip("() ") for p in _PAREN.findall(chunk))
        name = re.sub(r"\s+", " ", _PAREN.sub(" ", chunk)).strip(" ,.")
        if not name:
            continue
        ids, nc = _identify(name)
        parts.append(Part(chunk.strip(), name, scope, ids, nc or bool(_NONCOMMERCIAL.search(chunk))))
    return Normalised(tuple(parts))


def _split(text: str) -> list[str]:
    """``text`` split on ``;`` outside parentheses."""
    chunks, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth <= 0:
            chunks.append(text[start:i])
            start = i + 1
    return [c for c in [*chunks, text[start:]] if c.strip()]


def _identify(name: str) -> tuple[tuple[str, ...], bool]:
    """The ids of one licence name and whether it is non-commercial; ``()`` when none is found."""
    whole = _one(name)
    if whole:
        return whole
    pieces = [p for p in re.split(r"\s*(?:,|\band\b|&|\+(?!\+)|/)\s*", name) if p.strip()]
    found = [one for piece in pieces if (one := _one(piece))]
    if len(pieces) > 1 and len(found) == len(pieces):
        return tuple(i for ids, _ in found for i in ids), any(nc for _, nc in found)
    if not _QUALIFIED.search(name):
        ids = tuple(dict.fromkeys(i for token in _ID_IN_TEXT.findall(name) for i in _spdx_ids(token)))
        if ids:
            return ids, False
    return (), False


def _one(name: str) -> tuple[tuple[str, ...], bool] | None:
    """One licence: a model licence of the table, else an SPDX expression (as written or tidied)."""
    folded = re.sub(r"\s+", " ", re.sub(r"[-_–]+", " ", name.casefold())).strip()
    for pattern, ref, nc in MODEL_LICENSES:
        found = pattern.search(folded)
        if found:
            return (ref.format(*found.groups()),), nc
    if _QUALIFIED.search(name):
        return None
    for candidate in (name, _tidy(name)):
        ids = _spdx_ids(candidate)
        if ids:
            return ids, any(i.startswith("CC-BY-NC") for i in ids)
    return None


def _tidy(name: str) -> str:
    """``Apache License, Version 2.0`` → ``Apache-2.0``; ``CC BY-SA 4.0`` → ``CC-BY-SA-4.0``."""
    text = re.sub(r"\bv(?=\d)", "", _FILLER.sub(" ", name), flags=re.I)
    return re.sub(r"[\s,]+", "-", text.strip(" ,-"))


def _spdx_ids(candidate: str) -> tuple[str, ...]:
    """The SPDX ids of ``candidate`` when license-expression reads it as an expression of known licences.

    ``parse`` then ``unknown_license_keys`` rather than ``validate``, which fails on some invalid keys.
    """
    licensing = _licensing()
    try:
        parsed = licensing.parse(candidate)
    except (ExpressionError, TypeError):
        return ()
    if parsed is None or licensing.unknown_license_keys(parsed):
        return ()
    return tuple(licensing.license_keys(parsed))


@model_check("licenses.spdx", Severity.info)
def unknown_license(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A licence (or part of one) that is neither an SPDX licence nor a known model licence: listed.

    ``Apache 2.0``, ``cc-by-nc-4.0`` or ``MIT (code); CreativeML Open RAIL++-M (weights)`` are known;
    ``Custom Free with usage restrictions``, ``Modified MIT License`` or ``可商用`` are not.
    """
    text = subject.model.license
    if not text:
        return
    found = spdx(text)
    if found.unknown:
        unknown = "; ".join(repr(u) for u in found.unknown)
        yield Hit(
            "license",
            f"licence {unknown} is not an SPDX licence or a known model licence",
            evidence=f"license: {text!r}; SPDX: {found.expression or '-'}",
        )


def has_weights(model: Model) -> bool:
    """Whether the record links weights: Hub repos or URLs of its own or of a variant."""
    return bool(_weights_shown(model))


def _ported_weights(model: Model, ctx: Context) -> bool:
    """Whether a model that ports another (``whisper-jax``) runs that model's linked weights."""
    for edge in model.base_models:
        base = ctx.find(edge.model) if edge.relation == "port" else None
        if base is not None and has_weights(base.model):
            return True
    return False


@catalog_check("licenses.openness", Severity.warning)
def openness_vs_license(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """Openness that disagrees with the licence or the weights: open weights without any weights link
    (its own, a variant's, or a ported model's); ``open-weights`` under a non-commercial licence for the
    weights (CC-BY-NC, research-only terms: research-only or open-weights-restricted?); closed, API-only
    or unreleased with weights linked. An input that links no weights at all (Epoch's tables) is not
    asked for them.
    """
    linking = {s.origin for s in subjects if has_weights(s.model)} | {"catalog"}
    for subject in subjects:
        model = subject.model
        if model.openness in _OPEN and subject.origin in linking:
            if not has_weights(model) and not _ported_weights(model, ctx):
                yield Hit(
                    "openness",
                    f"openness {model.openness} but no weights are linked",
                    evidence=f"openness: {model.openness}; weights: none, on no variant",
                    subject=subject,
                )
        if model.openness == "open-weights" and model.license:
            yield from _noncommercial(subject, model.license)
        if model.openness in _SHUT and has_weights(model):
            yield Hit(
                "weights",
                f"openness {model.openness} but weights are linked",
                evidence=f"openness: {model.openness}; weights: {', '.join(_weights_shown(model))}",
                subject=subject,
            )


def _noncommercial(subject: Subject, text: str) -> Iterator[Hit]:
    """Every licence that covers weights is non-commercial (StableLM's CC-BY-SA base weights next to its
    non-commercial tuned ones are open weights)."""
    weights = [part for part in spdx(text).parts if part.weights]
    parts = [part for part in weights if part.noncommercial]
    if parts and len(parts) == len(weights):
        shown = "; ".join(part.text for part in parts)
        yield Hit(
            "openness",
            f"openness open-weights but the weights' licence is non-commercial ({shown}): "
            "research-only or open-weights-restricted?",
            evidence=f"license: {text!r}; openness: open-weights",
            subject=subject,
        )


def _weights_shown(model: Model) -> list[str]:
    """Every weights link of the record: its Hub repos and URLs, then its variants' repos."""
    shown = list(model.weights.huggingface + model.weights.urls) if model.weights else []
    return shown + [repo for variant in model.variants for repo in variant.weights]


@catalog_check("licenses.changed", Severity.warning)
def changed_license(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A licence that silently changed: an input row names other licences than the catalog does for the
    model it describes. Compared as licence families (``family``: versions aside, RAIL licences as one),
    and only when the two share none (a list giving the weights' licence of a model the catalog gives code
    and weights licences for agrees); a text with no known
    licence in it is ``licenses.spdx``'s business. In ``--store`` mode the Hub's licence and the imports'
    are ``sources.conflicts``'s.
    """
    twin = twin_finder(ctx)
    for subject in subjects:
        known = twin(subject) if subject.origin != "catalog" else None
        if known is not None and subject.model.license and known.model.license:
            where = f"the catalog's {known.model.id} ({known.path.name}:{known.line_at(('license',))})"
            yield from _differs(subject, subject.model.license, known.model.license, where)


def family(license_id: str) -> str:
    """A licence id without its version: ``GPL-3.0-only`` and ``GPL-1.0-or-later`` are ``GPL``; every
    RAIL licence (BigScience, CreativeML, BigCode, OpenRAIL-M) is ``RAIL``; other model licences are
    their own family."""
    if license_id.startswith("LicenseRef-"):
        return next((name for pattern, name in _FAMILIES if pattern.search(license_id)), license_id)
    return _SPDX_VERSION.sub("", license_id)


def _differs(subject: Subject, ours: str, theirs: str, where: str) -> Iterator[Hit]:
    mine, other = spdx(ours).ids, spdx(theirs).ids
    if mine and other and {family(i) for i in mine}.isdisjoint(family(i) for i in other):
        yield Hit(
            "license",
            f"licence {ours!r}, but {where} says {theirs!r}",
            evidence=f"here: {' AND '.join(mine)}; {where}: {' AND '.join(other)} ({theirs!r})",
            subject=subject,
        )
