"""Text that reads wrong: mojibake left in any field, one task spelt several ways, a domain its modalities
contradict, a seed model without its Chinese or English summary.

The controlled vocabularies (domains, modalities, architectures, relations) are enforced by the schema and
reported by ``schema.valid``; what is checked here is the free text around them.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import ftfy.badness
from pydantic import BaseModel

from modelatlas.catalog._yaml import dotted
from modelatlas.catalog.names import name_key
from modelatlas.checks.registry import Hit, Severity, catalog_check, model_check
from modelatlas.checks.subjects import Context, Subject
from modelatlas.sources.importers._text import repair

__all__ = ["Text", "mojibake", "strings"]

Loc = tuple[str | int, ...]

#: A text that says it quotes mojibake (a citation giving the source's text as written) is left alone.
_QUOTED = re.compile(r"mojibake|mis-?encoded|乱码", re.IGNORECASE)
#: How much of a long text a message or evidence quotes.
_EXCERPT = 80
_LANGUAGES = {"zh": "Chinese", "en": "English"}
#: The modalities a domain implies: a record in the domain takes or gives at least one of them.
_DOMAIN_MODALITIES = {
    "nlp": frozenset({"text", "code"}),
    "cv": frozenset({"image", "video", "3d"}),
    "speech": frozenset({"audio"}),
}


@dataclass(frozen=True, slots=True)
class Text:
    """A string of a record, where it is (``("sources", 2, "title")``), and whether it quotes mojibake."""

    loc: Loc
    text: str
    quoted: bool

    @property
    def field(self) -> str:
        """The field's dotted name without list indices: ``sources.title``."""
        return ".".join(part for part in self.loc if isinstance(part, str))


def strings(record: BaseModel, loc: Loc = ()) -> Iterator[Text]:
    """Every string in ``record``, nested records and lists included, with its path."""
    own = [getattr(record, name) for name in type(record).model_fields]
    quoted = any(isinstance(value, str) and _QUOTED.search(value) for value in own)
    for name, value in zip(type(record).model_fields, own, strict=True):
        yield from _strings(value, (*loc, name), quoted)


def _strings(value: object, loc: Loc, quoted: bool) -> Iterator[Text]:
    if isinstance(value, str):
        yield Text(loc, value, quoted)
    elif isinstance(value, BaseModel):
        yield from strings(value, loc)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*loc, i), quoted)


def mojibake(text: str) -> str | None:
    """``text`` repaired if it is mis-encoded (itself when no repair is found), None if it reads right.

    Undoing HTML entities or Unicode normalisation alone is not a repair of mis-encoding.
    """
    fixed = repair(text)
    if fixed != text and fixed != unicodedata.normalize("NFC", html.unescape(text)):
        return fixed
    return text if ftfy.badness.is_bad(text) else None


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _changes(text: str, fixed: str) -> str:
    """The runs that repair changed: ``'Á¥´‰∏úÂ§™Âàù' → '紫东太初'``, the first three of them."""
    runs: list[list[int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, text, fixed, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if runs and i1 - runs[-1][1] <= 2:  # a character that decodes to itself inside a run
            runs[-1][1], runs[-1][3] = i2, j2
        else:
            runs.append([i1, i2, j1, j2])
    shown = [f"{text[i1:i2]!r} → {fixed[j1:j2]!r}" for i1, i2, j1, j2 in runs[:3]]
    return ", ".join(shown) + (", …" if len(runs) > 3 else "")


@model_check("text.mojibake", Severity.error)
def mis_encoded(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """Mis-encoded text (mojibake) left in any field of a record, with the text repaired.

    UTF-8 read as Mac Roman (``Á¥´‰∏úÂ§™Âàù`` for 紫东太初) or as Latin-1 (``Ã©`` for é). A string that
    says it quotes mojibake (a citation of the source's text as written, a dispute whose note says so) is
    left alone.
    """
    for found in strings(subject.model):
        fixed = None if found.quoted else mojibake(found.text)
        if fixed is None:
            continue
        if fixed == found.text:
            evidence = f"ftfy finds mis-encoded characters in {_excerpt(found.text)!r}; no repair found"
        else:
            evidence = f"repaired: {_excerpt(fixed)!r} ({_changes(found.text, fixed)})"
        yield Hit(
            found.field,
            f"{_where(subject, found.loc)} is mis-encoded (mojibake): {_excerpt(found.text)!r}",
            evidence=evidence,
            loc=found.loc,
        )


def _where(subject: Subject, loc: Loc) -> str:
    """``sources[2].title (source seed004)``: the field, and the source when it is one's."""
    if len(loc) > 1 and loc[0] == "sources" and isinstance(loc[1], int):
        return f"{dotted(loc)} (source {subject.model.sources[loc[1]].id})"
    return dotted(loc)


@model_check("text.summary", Severity.warning)
def summaries(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A model from the seed documents without both a Chinese and an English summary (summary.zh, .en).

    Catalog and store records only: the rows of an input file carry what the file says, in its language.
    """
    if not subject.from_seed or subject.origin != "catalog" and "store" not in ctx.has:
        return
    summary = subject.model.summary
    missing = [lang for lang in ("zh", "en") if summary is None or not getattr(summary, lang)]
    if not missing:
        return
    names = " or ".join(_LANGUAGES[lang] for lang in missing)
    fields = ", ".join(f"summary.{lang}" for lang in missing)
    seeds = ", ".join(s.id for s in subject.model.sources if s.id.startswith("seed"))
    yield Hit(
        "summary",
        f"seed model has no {names} summary ({fields})",
        evidence=f"seed sources: {seeds}; empty: {fields}",
        loc=("summary", missing[0]),
    )


@catalog_check("text.tasks", Severity.warning)
def task_spellings(subjects: Sequence[Subject], ctx: Context) -> Iterator[Hit]:
    """A task written several ways across the records: ``question answering`` and ``question-answering``.

    Spellings are the same task when they differ only in case, spacing and punctuation. Each spelling other
    than the catalog's (else the most used one) is reported once, at the first record that uses it.
    """
    checked = {id(s) for s in subjects}
    uses = _task_uses([*subjects, *ctx.known])
    reference = Counter(task for s in ctx.known for task in s.model.tasks)
    groups: dict[str, set[str]] = {}
    for task in uses:
        groups.setdefault(name_key(task), set()).add(task)
    for spellings in groups.values():
        if len(spellings) < 2:
            continue
        usual = max(spellings, key=lambda t: (reference[t], len(uses[t]), "-" in t, t))
        for spelling in sorted(spellings - {usual}):
            first = next(((s, i) for s, i in uses[spelling] if id(s) in checked), None)
            if first is None:
                continue
            yield Hit(
                "tasks",
                f"task {spelling!r} is also written {usual!r}",
                evidence=f"{spelling!r}: {_users(uses[spelling])}; {usual!r}: {_users(uses[usual])}",
                loc=("tasks", first[1]),
                subject=first[0],
            )


def _task_uses(subjects: Sequence[Subject]) -> dict[str, list[tuple[Subject, int]]]:
    """Each task spelling and the records (with the index in ``tasks``) that use it, each record once.

    A record both checked and known (a catalog model in the store) counts once.
    """
    unique: dict[tuple[str, str, int], Subject] = {}
    for subject in subjects:
        unique.setdefault((subject.origin, subject.model.id, subject.line), subject)
    uses: dict[str, list[tuple[Subject, int]]] = {}
    for subject in unique.values():
        for i, task in enumerate(subject.model.tasks):
            uses.setdefault(task, []).append((subject, i))
    return uses


def _users(uses: Sequence[tuple[Subject, int]]) -> str:
    """``3 records (gpt-3, opt, palm)``: how many records use a spelling, and the first few."""
    ids = [subject.model.id for subject, _ in uses]
    shown = ", ".join(ids[:3]) + (", …" if len(ids) > 3 else "")
    return f"{len(ids)} record{'s' if len(ids) != 1 else ''} ({shown})"


@model_check("text.domains", Severity.warning)
def domains_vs_modalities(subject: Subject, ctx: Context) -> Iterator[Hit]:
    """A domain that the model's modalities contradict (``nlp`` with neither text nor code in or out).

    ``nlp`` needs text or code among the inputs or outputs, ``cv`` an image, video or 3D, ``speech`` audio;
    ``multimodal`` needs two modalities or more (code counting as text).
    """
    modalities = subject.model.modalities
    if modalities is None:
        return
    used = set(modalities.input) | set(modalities.output)
    shown = f"input {', '.join(modalities.input)}; output {', '.join(modalities.output)}"
    for i, domain in enumerate(subject.model.domains):
        wanted = _DOMAIN_MODALITIES.get(domain)
        if wanted is not None and not used & wanted:
            yield Hit(
                "domains",
                f"domain {domain} but no {' or '.join(sorted(wanted))} among the modalities",
                evidence=f"domains: {', '.join(subject.model.domains)}; {shown}",
                loc=("domains", i),
            )
        if domain == "multimodal" and len({"text" if m == "code" else m for m in used}) < 2:
            yield Hit(
                "domains",
                f"domain multimodal but a single modality in and out ({', '.join(sorted(used))})",
                evidence=f"domains: {', '.join(subject.model.domains)}; {shown}",
                loc=("domains", i),
            )
