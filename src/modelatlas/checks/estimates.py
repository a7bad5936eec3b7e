"""Estimates stored as facts: a number that its own note or its source calls a rumour, a guess or a third
party's estimate, with no ``estimates`` entry for it (docs/catalog.md, "Kinds of facts").

Notes are read clause by clause: a clause that names a field ("CO2e … are estimates by Patterson et
al.") speaks of that field only, and one that gives the estimate as another figure than the value kept
(a 6ND cross-check of a compute the paper states) speaks of another number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from modelatlas.catalog.links import paper_key
from modelatlas.catalog.schema import Model
from modelatlas.catalog.units import format_count
from modelatlas.checks.papers import paper_id
from modelatlas.checks.provenance import supporting
from modelatlas.checks.registry import Hit, Severity, model_check
from modelatlas.checks.subjects import Context, Subject

__all__ = ["figures"]

#: The fact fields an estimate may stand in for (``Estimate.field``), with what a clause about each says.
_FIELDS: dict[str, re.Pattern[str]] = {
    "parameters": re.compile(r"param|参数", re.I),
    "parameters.active": re.compile(r"param|activ|参数", re.I),
    "context_length": re.compile(r"context|sequence length|上下文", re.I),
    "training.tokens": re.compile(r"token|data(?:set)? size", re.I),
    "training.compute_flop": re.compile(r"comput|flop|\b6\s*n\s*d\b|算力", re.I),
    "training.cost_usd": re.compile(r"cost|\$|usd|dollar|成本|费用", re.I),
    "training.gpu_hours": re.compile(r"hours|小时", re.I),
    "training.co2e_t": re.compile(r"co2|carbon|emission|碳", re.I),
}
#: A clause about another field than these (a release date "estimate" on a model card).
_OTHER_FIELD = re.compile(r"releas|licen[cs]e|weights|\bdate\b|发布", re.I)
#: Words that make a value a rumour (error) or an estimate by someone (warning).
_RUMOUR = re.compile(r"rumou?r|leak|speculat|传闻|据传|推测", re.I)
_ESTIMATE = re.compile(r"estimat|reportedly|unconfirmed|guess|估计|估算", re.I)
_NEGATED = re.compile(
    r"\bnot\s+(?:an?\s+)?(?:estimate|rumou?r|leak|guess)|contrary to\s+(?:\w+\s+)?rumou?rs?", re.I
)
#: Tasks named "estimation" (depth estimation), which say nothing of how a number was found.
_TASK = re.compile(r"\b(?:depth|pose|density|motion|flow|channel|state|distance|age|gaze)\s+estimat\w*", re.I)
_CLAUSE = re.compile(r"(?<=[.!?])\s+|[;；。\n]+")
#: A clause that says what it explains: ``training_emissions: …`` (ecosystem-graphs), ``confidence: …``.
_LABEL = re.compile(r"^([a-z]+(?:[_ ][a-z]+)*):\s")
#: Epoch's row-wide confidence speaks of what Epoch works out itself: the compute and its cost (a
#: parameter count under it may be the maker's, and is judged by its own note).
_CONFIDENCE = ("confidence", frozenset({"training.compute_flop", "training.cost_usd"}))
#: A clause naming the compute speaks of it, even when it names the parameters and tokens it multiplies.
_INPUTS = frozenset({"parameters", "parameters.active", "training.tokens"})
#: An estimate its maker made ("Estimate by authors", "the README estimates", "estimate from the paper").
_MAKERS = r"(?:the\s+)?(?:authors?|paper|readme|model card|technical report|developers?)"
_BY_MAKER = re.compile(
    rf"\b{_MAKERS}(?:'s)?\s+(?:\w+\s+)?estimat|estimat\w*\s+(?:\w+\s+)?(?:by|from|in)\s+{_MAKERS}\b"
    r"|estimat\w*\s+(?:is\s+|are\s+)?(?:given|reported|stated)\s+in\b",
    re.I,
)
_URL = re.compile(r"https?://\S+")
#: An estimate that checks a figure the maker states ("paper Table 3, consistent with a 6ND estimate").
_CROSS_CHECK = re.compile(r"consistent with|agrees? with|in line with|\bmatch|close to|cross-?check", re.I)
_STATED = re.compile(r"\b(?:stated?|states|reported|reports|official|paper|model card|readme|table \d)", re.I)
#: Figures in a clause: ``3.51 × 10^24``, ``1.8e+24``, ``1.8T``, ``4.9 million``, ``1,287``, ``62亿``.
_POWER = re.compile(r"(\d+(?:\.\d+)?)\s*[x×*·]\s*10\s*\^\s*\(?([+-]?\d+)\)?")
_NUMBER = re.compile(
    r"(?<![A-Za-z\d.])(\d+(?:,\d{3})+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"\s*(million|billion|trillion|[KMBT](?![A-Za-z])|亿|万)?"
)
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE |= {"亿": 1e8, "万": 1e4}
#: A figure this close to the value (relative) is the value, rounded.
_SAME = 0.05
#: Figures further than this factor from the value are other quantities (a batch size, a GPU count).
_RANGE = 1000.0


@dataclass(frozen=True, slots=True)
class _Note:
    """A note that may speak of a field: where it is, its text, and the fields a clause of it that names
    none speaks of (``parameters.note``: the parameters; ``training.note``, which Epoch fills with its
    compute notes: the compute; a source's note: every field the source backs)."""

    where: str
    text: str
    default: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Said:
    """A clause of a note that calls a field's value a rumour or an estimate."""

    where: str
    clause: str
    rumour: bool


def figures(text: str) -> list[float]:
    """The numbers written in ``text``: ``3.51 × 10^24``, ``1.8e+24``, ``1.8T``, ``4.9 million``, ``62亿``;
    a year (1900-2100 without decimals) is left out."""
    found = [float(m.group(1)) * 10 ** int(m.group(2)) for m in _POWER.finditer(text)]
    for match in _NUMBER.finditer(_POWER.sub(" ", text)):
        number, scale = match.group(1), match.group(2)
        value = float(number.replace(",", "")) * _SCALE.get((scale or "").casefold(), 1.0)
        if scale or not re.fullmatch(r"(?:19|20)\d\d", number):
            found.append(value)
    return found


def _value(model: Model, field: str) -> float | None:
    if field == "context_length":
        return model.context_length
    part, _, name = field.partition(".")
    if part == "parameters":
        return getattr(model.parameters, name or "total", None) if model.parameters else None
    value = getattr(model.training, name, None) if model.training else None
    return float(value) if isinstance(value, int | float) else None


def _notes(model: Model, field: str) -> Iterator[_Note]:
    """The notes that may speak of ``field``: its own, and its sources'."""
    params = frozenset({"parameters", "parameters.active"})
    if field in params and model.parameters and model.parameters.note:
        yield _Note("parameters.note", model.parameters.note, params)
    if field.startswith("training.") and model.training and model.training.note:
        yield _Note("training.note", model.training.note, frozenset({"training.compute_flop"}))
    for source in supporting(model, "parameters" if field in params else field):
        if source.note:
            yield _Note(f"source {source.id}'s note", source.note, frozenset(_FIELDS))


def _clauses(text: str) -> Iterator[tuple[str, str]]:
    """The clauses of a note, each with the label it falls under (``size``, ``training_emissions``): its
    own, or the last one before it, as an explanation may run over several clauses."""
    label = ""
    for clause in filter(None, (c.strip() for c in _CLAUSE.split(text))):
        found = _LABEL.match(clause)
        label = found.group(1).replace("_", " ") if found else label
        yield label, clause


def _about(label: str, clause: str, field: str, default: frozenset[str]) -> bool:
    """Whether a clause speaks of ``field``: its label (``size`` is the parameter count) or its text
    names it; one that names no field at all (``This is a guess``) speaks of its note's ``default``."""
    if label == _CONFIDENCE[0]:
        return field in _CONFIDENCE[1]
    if label:
        return (label == "size" and field.startswith("parameters")) or bool(_FIELDS[field].search(label))
    named = {name for name, pattern in _FIELDS.items() if pattern.search(clause)}
    if "training.compute_flop" in named:
        named -= _INPUTS
    if named:
        return field in named
    return field in default and not _OTHER_FIELD.search(clause)


def _by_maker(clause: str, model: Model) -> bool:
    """Whether the clause gives the estimate as the maker's own: its authors', README's or paper's, or
    in a paper of the model's (``Sourced from estimates in https://arxiv.org/pdf/2110.08207.pdf``)."""
    if _BY_MAKER.search(clause):
        return True
    own = {key for key in map(paper_id, model.papers) if key}
    return any(paper_key(url) in own for url in _URL.findall(clause))


def _cross_check(clause: str) -> bool:
    """Whether the clause holds an estimate against a figure it says the maker states."""
    return bool(_CROSS_CHECK.search(clause) and _STATED.search(clause))


def _other_figure(clause: str, value: float) -> bool:
    """Whether the clause estimates another figure than ``value``: one near its size, none equal to it."""
    near = [f for f in figures(clause) if value / _RANGE <= f <= value * _RANGE] if value > 0 else []
    return bool(near) and not any(math.isclose(f, value, rel_tol=_SAME) for f in near)


def _said(model: Model, field: str, value: float) -> _Said | None:
    """The clause that calls the field's value a rumour (first) or an estimate, if any."""
    found: list[_Said] = []
    for note in _notes(model, field):
        for label, clause in _clauses(note.text):
            words = _TASK.sub(" ", _URL.sub(" ", clause))
            rumour = bool(_RUMOUR.search(words))
            if not (rumour or _ESTIMATE.search(words)) or _NEGATED.search(words):
                continue
            if not rumour and (_by_maker(clause, model) or _cross_check(words)):
                continue
            if _about(label, words, field, note.default) and (rumour or not _other_figure(words, value)):
                found.append(_Said(note.where, clause, rumour))
    return min(found, key=lambda said: not said.rumour, default=None)


@model_check("sources.estimate", Severity.warning)
def estimate(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A number kept as a stated fact that its own note or a backing source's note calls a rumour, a
    leak or speculation (error), or an estimate, a guess, unconfirmed or "reportedly" (warning; 传闻, 据传,
    推测 and 估计, 估算 too), with no ``estimates`` entry for that field: Epoch's GPT-4 (Mar 2023) keeps
    1.8T parameters "Rumored to be 1.8T parameter MoE".

    Fields: parameters (total and active), context_length, and training tokens, compute, cost, GPU hours
    and CO2e. Notes are read clause by clause. A clause naming a field speaks of that field: gpt-3's
    "CO2e … are estimates by Patterson et al." is about ``training.co2e_t``, not its stated compute, and
    a compute formula naming parameters and tokens is about the compute. A clause naming none speaks of
    what its note covers: ``parameters.note`` the parameters, ``training.note`` (where Epoch's importer
    puts its compute notes) the compute, a source's note every field it backs; Epoch's row-wide
    "confidence: Speculative" speaks of the compute and its cost, which Epoch works out itself. Not
    reported: an estimate the maker made ("Estimate by authors", one in the model's own paper), one that
    checks a figure the maker states ("paper Table 3, consistent with a 6ND estimate") or that gives
    another figure than the value kept, a negated one ("contrary to some rumors"), a task ("depth
    estimation"), and words inside URLs.
    """
    model = subject.model
    estimated = {e.field for e in model.estimates}
    for field in _FIELDS:
        value = _value(model, field)
        if value is None or field in estimated:
            continue
        said = _said(model, field, value)
        if said is not None:
            yield _estimate_hit(field, value, said)


def _estimate_hit(field: str, value: float, said: _Said) -> Hit:
    kind = "a rumour or speculation" if said.rumour else "an estimate"
    counted = field.startswith("parameters") or field in ("context_length", "training.tokens")
    shown = format_count(int(value)) if counted else f"{value:g}"
    clause = said.clause if len(said.clause) <= 200 else said.clause[:199] + "…"
    return Hit(
        field,
        f"{field} {shown} is kept as a stated fact, but {said.where} calls it {kind}; "
        f"it belongs in estimates (by whom, how, how sure)",
        evidence=f"{said.where}: {clause!r}",
        loc=tuple(field.split(".")) if field.startswith("training") else (field.split(".")[0],),
        severity=Severity.error if said.rumour else None,
    )
