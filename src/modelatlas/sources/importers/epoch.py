"""Epoch AI's "Data on AI Models" CSV exports (CC BY 4.0), read record by record into ``ImportedRow``s.

Epoch's numbers are of two kinds, kept apart (docs/catalog.md, "Kinds of facts"). Training compute and
cost are Epoch's own calculations: always ``estimates`` by Epoch AI, with the method the notes show and
the row's ``Confidence``. A parameter count or dataset size is the maker's, relayed, unless the row is
``Speculative`` or its notes call it a rumour, leak, speculation, guess, assumption or estimate: then it
is an estimate too, and the fact field stays empty.

Five exports are known and read by header name, whatever their column order: ``notable_ai_models.csv``,
``all_ai_models.csv``, ``frontier_ai_models.csv`` and ``large_scale_ai_models.csv`` (name column
``Model``), and the legacy ``pcd_all_ml_systems_2023.csv`` (``System``, ``Organization(s)``, dates
written DD/MM/YYYY). A value that is not what its column promises (a number that is not a number) is
dropped and listed in ``repairs``; a record without a name, with the wrong number of cells, that does not
make a valid model, or that repeats an earlier name is skipped with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from modelatlas._children import batched, in_turns
from modelatlas.catalog.names import name_key, task_slug
from modelatlas.catalog.schema import Confidence
from modelatlas.catalog.units import parse_count
from modelatlas.catalog.vocab import Domain, Openness, OrgKind
from modelatlas.errors import BadArgument, InputError
from modelatlas.sources._disk import FirstSeen
from modelatlas.sources.importers._io import Progress, ProgressReader
from modelatlas.sources.importers._text import arxiv_id
from modelatlas.sources.rows import EncodedRow, ImportedRow, OrgRef, RowError, build_model

__all__ = ["read", "read_encoded"]

_N = TypeVar("_N", int, float)
#: A CSV record's cells, or the error text of a record csv cannot parse.
_Cells = list[str] | str
#: The name key of each model made so far, with its line and spelling.

_NAME = ("Model", "System")
_BY = "Epoch AI"
#: Epoch's Confidence column, in the catalog's terms; Unknown, Unverified and Wrong say nothing.
_CONFIDENCE: dict[str, Confidence] = {c: c for c in ("confident", "likely", "speculative")}


@dataclass(frozen=True, slots=True)
class _Words:
    """Words a note may hold, in any case: ``search`` is ``re.search`` of their alternation with
    ``IGNORECASE``. An ASCII note is looked through for each word as plain text, which for ASCII is the
    same answer in a tenth of the time (a row's notes were searched four or five times, 7 to 8 µs each:
    about a sixth of converting it); any other note goes to the regex."""

    words: tuple[str, ...]
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, *words: str) -> _Words:
        return cls(words, re.compile("|".join(map(re.escape, words)), re.IGNORECASE))

    def search(self, text: str) -> bool:
        if text.isascii():
            folded = text.lower()
            return any(word in folded for word in self.words)
        return self.pattern.search(text) is not None


#: Notes that make a stated-looking number a guess: rumours, leaks, speculation, assumptions, estimates.
_RUMOUR = _Words.of("rumor", "rumour", "leak", "hearsay", "unconfirmed")
_GUESS = _Words.of("speculat", "guess", "assum", "estimat", "reportedly", "extrapolat")
_SIX_ND = re.compile(r"\b6\s*(?:\*|x|×|ND\b|FLOPs?\s*/)", re.IGNORECASE)
_DATE = "Publication date"
_NOTE_LIMIT = 500
_CREDIT = "Epoch AI 'Data on AI Models' (CC BY 4.0)"
_TOKENS = (
    "Training dataset size (total)",
    "Training dataset size (datapoints)",
    "(DEPRECATED) Training dataset size (datapoints)",
)

_DOMAIN_NAMES: tuple[tuple[Domain, tuple[str, ...]], ...] = (
    ("nlp", ("Language",)),
    ("cv", ("Vision", "Image generation", "Video", "3D modeling", "Drawing", "3D reconstruction")),
    ("cv", ("Text-to-Video",)),
    ("multimodal", ("Multimodal",)),
    ("speech", ("Speech", "Audio")),
    ("games", ("Games",)),
    ("biology", ("Biology", "Medicine")),
    ("robotics", ("Robotics", "Driving")),
    ("science", ("Mathematics", "Earth science", "Materials science", "Astronomy")),
    ("recommendation", ("Recommendation", "Search")),
)
#: Epoch's domain names, casefolded (so the legacy file's "VIsion" is Vision); any other is ``other``.
_DOMAINS: dict[str, Domain] = {n.casefold(): domain for domain, names in _DOMAIN_NAMES for n in names}

_KINDS: dict[str, OrgKind] = {"industry": "company", "academia": "university", "government": "government"}
_KINDS |= {"research collective": "collective", "non-profit": "nonprofit"}

_OPENNESS: dict[str, Openness] = {
    "open weights (unrestricted)": "open-weights",
    "open weights (restricted use)": "open-weights-restricted",
    "open weights (non-commercial)": "research-only",
    "api access": "api-only",
    "hosted access (no api)": "hosted",
    "unreleased": "unreleased",
}


def _table(text: str) -> dict[str, str]:
    pairs = (entry.strip().split(" ", 1) for entry in text.split(";") if entry.strip())
    return {name.casefold(): code for code, name in pairs}


#: Every country name in the five exports, to ISO 3166-1 alpha-2; "Multinational" has no code.
_COUNTRIES = _table(
    """
    AE United Arab Emirates; AM Armenia; AR Argentina; AT Austria; AU Australia; BE Belgium; BG Bulgaria;
    CA Canada; CH Switzerland; CN China; CZ Czechia; DE Germany; DK Denmark; ES Spain; FI Finland;
    FR France; GB United Kingdom of Great Britain and Northern Ireland; GR Greece; HK Hong Kong;
    HR Croatia; HU Hungary; IE Ireland; IL Israel; IN India; IR Iran (Islamic Republic of); IT Italy;
    JP Japan; KR Korea (Republic of); LB Lebanon; LT Lithuania; LU Luxembourg; MO Macao; MX Mexico;
    MY Malaysia; NL Netherlands; NO Norway; NZ New Zealand; PL Poland; PT Portugal; RU Russia;
    SA Saudi Arabia; SE Sweden; SG Singapore; TW Taiwan; UA Ukraine; US United States of America;
    VN Vietnam
    """
)

#: A piece of a comma list of organizations that ends the previous name ("SambaNova Systems, Inc").
_NAME_SUFFIX = re.compile(r"^(?:Inc|Ltd|LLC|Corp|Co)\b", re.IGNORECASE)
_LINK_SEPARATOR = re.compile(r"[\s;]+|,(?=\s|https?://)")
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def read(path: Path, progress: Progress | None = None) -> Iterator[ImportedRow]:
    """Yield one ``ImportedRow`` per record of the Epoch AI CSV export at ``path``, streaming it.

    ``line`` is the physical line the record starts on (a quoted cell may span lines). ``progress`` is
    called with the number of bytes read so far.

    Raises:
        InputError: the file cannot be read, is empty, is not UTF-8 (names the line), or its header lacks
            the name column ("Model" or "System") or "Publication date".
    """
    source = ProgressReader(path, progress)
    records = _records(source)
    layout = _layout(path, records)
    seen = FirstSeen()  # on disk: a dict of a million names grew 170 MB
    try:
        for line, cells in records:
            yield _first(*_unseen(layout, line, cells, seen), seen)
    finally:
        seen.close()


def read_encoded(path: Path, progress: Progress | None = None) -> Generator[EncodedRow, None, None]:
    """``read``'s rows as the import's spool keeps them, the records converted in two child processes.

    The file is read here, a record at a time, and sent ``BATCH`` records at a time to two forked
    children in turn, which convert them and send back their rows as JSON (converting was four fifths
    of reading: 42 s of 200,000 rows); the duplicates are told here, in the file's order, so the rows are
    ``read``'s. A small file is converted here (forking is not worth it).

    Raises:
        InputError: as ``read``.
    """
    source = ProgressReader(path, progress)
    records = _records(source)
    layout = _layout(path, records)
    work = partial(_encoded_batches, layout)
    if path.stat().st_size < FORK_FROM:
        converted = work(batched(records, BATCH))
    else:
        failed = partial(InputError, path, 0)
        converted = in_turns(work, batched(records, BATCH), doing="converting the records", error=failed)
    seen = FirstSeen()
    try:
        for batch in converted:
            for row, key in batch:
                yield _first_encoded(row, key, seen)
    finally:
        converted.close()  # its children ended now, not when a traceback holding it is let go
        seen.close()


#: Records sent to a converting child at a time (about 1 MB of an export's cells).
BATCH = 500
#: A file of fewer bytes is converted in this process (about 2,500 records of ``all_ai_models.csv``).
FORK_FROM = 4 << 20


def _encoded_batches(
    layout: _Layout, batches: Iterator[list[tuple[int, _Cells]]]
) -> Generator[list[tuple[EncodedRow, str | None]], None, None]:
    """Each batch of records as encoded rows, each with its name key for the duplicates check (None for a
    record skipped before it)."""
    for records in batches:
        yield [
            (EncodedRow.of(row), key)
            for row, key in (_unseen(layout, line, cells) for line, cells in records)
        ]


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the header says: where each column is, how wide a record is, and the file's own date."""

    path: Path
    columns: dict[str, int]
    width: int
    name_at: int
    modified: dt.date
    #: Each column name as this module spells it (``"Parameters"``), to its place or -1: filled as asked.
    found: dict[str, int] = field(default_factory=dict)


def _records(source: ProgressReader) -> Iterator[tuple[int, _Cells]]:
    """Each non-blank CSV record with the line it starts on; a record csv cannot parse is its error text."""
    reader, start = csv.reader(source), 1
    while True:
        try:
            cells: _Cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            cells = str(exc)
        if cells != []:
            yield start, cells
        start = reader.line_num + 1


def _layout(path: Path, records: Iterator[tuple[int, _Cells]]) -> _Layout:
    first = next(records, None)
    if first is None:
        raise InputError(path, 1, "empty file: expected an Epoch AI CSV export with a header row")
    line, header = first
    if isinstance(header, str):
        raise InputError(path, line, f"cannot read the header: {header}")
    columns = {column.strip().casefold(): at for at, column in reversed(list(enumerate(header)))}
    name = next((n for n in _NAME if n.casefold() in columns), None)
    missing = [c for c, present in ((_NAME[0], name), (_DATE, _DATE.casefold() in columns)) if not present]
    if name is None or missing:
        expected = f"'Model' (or 'System' in the legacy export) and {_DATE!r}, as in notable_ai_models.csv"
        why = f"missing column(s) {', '.join(map(repr, missing))}: this is not an Epoch AI export"
        raise InputError(path, line, f"{why}; expected columns {expected}")
    modified = dt.date.fromtimestamp(path.stat().st_mtime)
    return _Layout(path, columns, len(header), columns[name.casefold()], modified)


def _unseen(
    layout: _Layout, line: int, cells: _Cells, seen: FirstSeen | None = None
) -> tuple[ImportedRow, str | None]:
    """The record's row, before the duplicates are told: with its name key, None for a record skipped
    before that check (not a record, the wrong number of cells, no name). Given the names ``seen`` so far
    (``read``, in the file's order), a duplicate is skipped before its record is converted (None for its
    key too); the children of ``read_encoded`` cannot know them, and ``_first_encoded`` tells it after."""
    if isinstance(cells, str):
        return ImportedRow.skip(line, "", f"not a CSV record: {cells}"), None
    name = _clip(_one_line(cells[layout.name_at]), 100) if len(cells) > layout.name_at else ""
    if len(cells) != layout.width:
        count = f"{len(cells)} cell{'s' * (len(cells) != 1)}"
        why = f"{count} where the header has {layout.width}: the record is cut short or malformed"
        return ImportedRow.skip(line, name, why), None
    if not name:
        return ImportedRow.skip(line, "", "no model name"), None
    key = name_key(name) or name
    if seen is not None and (earlier := _duplicate(line, name, key, False, seen)) is not None:
        return ImportedRow.skip(line, name, earlier), None
    return _imported(layout, line, name, _Row(layout, cells)), key


def _first(row: ImportedRow, key: str | None, seen: FirstSeen) -> ImportedRow:
    """``row``, or a duplicate of the first row of its name (by key) that made a model."""
    why = _duplicate(row.line, row.name, key, row.model is not None, seen)
    return row if why is None else ImportedRow.skip(row.line, row.name, why)


def _first_encoded(row: EncodedRow, key: str | None, seen: FirstSeen) -> EncodedRow:
    """``_first`` of an encoded row."""
    why = _duplicate(row.line, row.name, key, row.makes_model, seen)
    return row if why is None else EncodedRow.of(ImportedRow.skip(row.line, row.name, why))


def _duplicate(line: int, name: str, key: str | None, makes_model: bool, seen: FirstSeen) -> str | None:
    """Why the row at ``line`` is a duplicate of an earlier one, or None: then, if it makes a model, its
    name is the first of its key."""
    if key is None:
        return None
    if (earlier := seen.get(key)) is not None:
        first, spelling = earlier
        same = "" if spelling == name else f" ({spelling!r}, the same name once normalised)"
        return f"duplicate of line {first}{same}"
    if makes_model:
        seen.add(key, line, name)
    return None


class _Row:
    """One record, read by column name; collects the repairs made to its values."""

    __slots__ = ("_cells", "_columns", "_found", "repairs")

    def __init__(self, layout: _Layout, cells: list[str]) -> None:
        self._columns, self._found, self._cells = layout.columns, layout.found, cells
        self.repairs: list[str] = []

    def find(self, *names: str) -> tuple[str, str]:
        """The first of the columns ``names`` that has a value, and the value; ``""`` when none has."""
        for name in names:
            at = self._found.get(name)
            if at is None:  # first asked for: the header's columns are casefolded, -1 for one it lacks
                at = self._found[name] = self._columns.get(name.casefold(), -1)
            if at >= 0:
                value = self._cells[at].strip()
                if value:
                    return name, value
        return names[0], ""

    def get(self, *names: str) -> str:
        return self.find(*names)[1]

    def number(self, kind: Callable[[Decimal], _N], *names: str) -> _N | None:
        """The first of ``names`` with a value, as ``kind`` (int or float); a repair if it is no number."""
        column, text = self.find(*names)
        value = _decimal(text) if text else None
        if text and value is None:
            self.repairs.append(f"{column}: {text!r} is not a number; left empty")
        if value is None:
            return None
        return kind(value.to_integral_value()) if kind is int else kind(value)  # 256999999.99999997 is 257M


_SPACES = re.compile(r"\s+")
_BROKEN_HYPHEN = re.compile(r"(?<=\w)- (?=\w)")


def _one_line(text: str) -> str:
    """A name on one line, a hyphen broken by a space joined: ``"Cosmos-1.0-⏎Diffusion-14B Video2World"``
    → ``Cosmos-1.0-Diffusion-14B Video2World``."""
    return _BROKEN_HYPHEN.sub("-", _SPACES.sub(" ", text).strip())


def _decimal(text: str) -> Decimal | None:
    """``text`` as a finite non-negative number (``1.75E+11``, or ``7B`` as people write it), else None."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        if "," in text:  # "2260275840,2290000001" is two numbers, not one with a thousands separator
            return None
        try:
            value = Decimal(parse_count(text))
        except BadArgument:
            return None
    return value if value.is_finite() and value >= 0 else None


def _imported(layout: _Layout, line: int, name: str, row: _Row) -> ImportedRow:
    url = _first_url(row.get("Link"))
    confidence = row.get("Confidence")
    try:
        model = build_model(
            _fields(name, row, url),
            source_id="epoch",
            accessed=_date(row.get("Last modified")[:10]) or layout.modified,
            url=url,
            title=row.get("Reference") or None,
            citation=None if url else f"Epoch AI, {layout.path.name}, line {line}",
            note=f"{_CREDIT}; confidence: {confidence}" if confidence else _CREDIT,
        )
    except RowError as exc:
        return ImportedRow.skip(line, name, f"invalid: {exc}")
    orgs, bases = _organizations(row), _split(row.get("Base model"))
    return ImportedRow(
        line=line, name=name, model=model, organizations=orgs, base_models=bases, repairs=row.repairs
    )


def _fields(name: str, row: _Row, url: str | None) -> dict[str, Any]:
    domains = _domains(row.get("Domain"))
    estimates: list[dict[str, Any]] = []
    return {
        "name": name,
        "domains": domains,
        "tasks": list(dict.fromkeys(filter(None, map(task_slug, _split(row.get("Task")))))),
        "parameters": _parameters(name, row, estimates),
        "training": _training(row, domains, estimates),
        "released": _released(row),
        "papers": _papers(row.get("Reference"), row.get("Link"), url),
        "openness": _openness(row),
        "estimates": estimates,
        "notability": _notability(row),
    }


def _notability(row: _Row) -> list[dict[str, Any]]:
    """Epoch AI's notability criteria for the row (``Highly cited,SOTA improvement``), if it has any."""
    criteria = list(dict.fromkeys(_split(row.get("Notability criteria"))))
    return [{"by": _BY, "criteria": criteria, "source": "epoch"}] if criteria else []


def _confidence(row: _Row) -> Confidence | None:
    return _CONFIDENCE.get(row.get("Confidence").casefold())


def _guessed(row: _Row, notes: str) -> bool:
    """Whether a number the maker might state is only a guess: a speculative row, or notes saying so."""
    return _confidence(row) == "speculative" or bool(_RUMOUR.search(notes) or _GUESS.search(notes))


def _estimate(row: _Row, field: str, value: float, notes: str) -> dict[str, Any]:
    """An estimate by Epoch AI of ``field``; the method is what the notes show (a rumour, 6ND, …)."""
    if _RUMOUR.search(notes):
        method = "rumour"
    elif "6" in notes and _SIX_ND.search(notes):  # no 6, no match: without the regex
        method = "6ND"
    else:
        method = "Epoch AI's calculation"
    estimate = {"field": field, "value": value, "by": _BY, "method": method, "source": "epoch"}
    return _filled(estimate | {"confidence": _confidence(row), "note": _clip(notes)})


def _domains(text: str) -> list[Domain]:
    return list(dict.fromkeys(_DOMAINS.get(part.casefold(), "other") for part in _split(text))) or ["other"]


_NAMED_SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*([KMBT])\b", re.IGNORECASE)
_UNITS = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def _named_size(name: str, total: int) -> bool:
    """Whether a size in ``name`` is ``total`` give or take 10%: ``Mistral 7B`` and 7.24B."""
    for number, unit in _NAMED_SIZE.findall(name):
        size = float(number) * _UNITS[unit.casefold()]
        if abs(size - total) <= 0.1 * max(size, total):
            return True
    return False


def _parameters(name: str, row: _Row, estimates: list[dict[str, Any]]) -> dict[str, Any]:
    """The stated count; a guessed one becomes an estimate and leaves the count empty, saying so.

    A Speculative row whose notes raise no doubt about the count keeps it when the model's own name
    states it (``Mistral 7B`` at 7.3B): the name is the maker's statement, the doubt is about the rest.
    """
    total, notes = row.number(int, "Parameters"), row.get("Parameters notes")
    if total is None:
        return {}
    doubted = bool(_RUMOUR.search(notes) or _GUESS.search(notes))
    if doubted or (_confidence(row) == "speculative" and not _named_size(name, total)):
        estimates.append(_estimate(row, "parameters", total, notes))
        return {"note": "not stated by the maker; Epoch AI's estimate is under estimates"}
    return _filled({"total": total, "note": _clip(notes)})


def _training(row: _Row, domains: list[Domain], estimates: list[dict[str, Any]]) -> dict[str, Any]:
    """Datapoints are tokens only for a language model, so other rows leave ``tokens`` empty. Compute
    and cost are Epoch's calculations, so they are estimates; tokens are, when guessed."""
    hardware = row.get("Training hardware")
    quantity = row.number(int, "Hardware quantity") if hardware else None
    tokens = row.number(int, *_TOKENS) if _counts_tokens(row, domains) else None
    if tokens is not None and _guessed(row, row.get("Dataset size notes")):
        estimates.append(_estimate(row, "training.tokens", tokens, row.get("Dataset size notes")))
        tokens = None
    compute = row.number(float, "Training compute (FLOP)", "Training compute (FLOPs)")
    if compute is not None:
        estimates.append(_estimate(row, "training.compute_flop", compute, row.get("Training compute notes")))
    cost = row.number(float, "Training compute cost (2023 USD)", "Training cost (2020 USD)")
    if cost is not None:
        estimates.append(_estimate(row, "training.cost_usd", cost, row.get("Compute cost notes")))
    return _filled(
        {
            "tokens": tokens,
            "dataset": _clip(row.get("Training dataset")),
            "hardware": f"{hardware} × {quantity}" if hardware and quantity else hardware,
        }
    )


def _counts_tokens(row: _Row, domains: list[Domain]) -> bool:
    """Whether the dataset size is a number of tokens: a language model whose notes say so.

    Epoch counts datapoints, which for older language models are often words, sentences or documents
    (REALM: 16.3K); without "token" in the notes the number is left out rather than misread.
    """
    return domains == ["nlp"] and "token" in row.get("Dataset size notes").casefold()


def _released(row: _Row) -> dt.date | str | None:
    """The publication date, else the legacy export's "Year"."""
    text, year = row.get(_DATE), row.get("Year")
    released = _date(text) if text else None
    if text and released is None:
        row.repairs.append(f"{_DATE}: {text!r} is not a date; left empty")
    return released or (year if re.fullmatch(r"\d{4}", year) else None)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(text: str) -> dt.date | None:
    """``YYYY-MM-DD``, or ``DD/MM/YYYY`` as the legacy export writes it; None for anything else."""
    if _ISO_DATE.fullmatch(text):  # two dates a row: fromisoformat is 20 times faster than strptime
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None  # 2023-02-30: no such day, as strptime says too
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y" if "/" in text else "%Y-%m-%d").date()
    except ValueError:
        return None


def _papers(reference: str, link: str, url: str | None) -> list[dict[str, Any]]:
    arxiv = arxiv_id(link)
    if not (reference or url or arxiv):
        return []
    return [{"title": reference or None, "arxiv": arxiv, "url": url}]


def _first_url(link: str) -> str | None:
    """The first http(s) URL of a Link cell, which may hold several (split by spaces, newlines, ``;``)."""
    for token in _LINK_SEPARATOR.split(link):
        token = token.strip(",")
        if _HTTP_URL.match(token):
            return token
    return None


def _openness(row: _Row) -> Openness | None:
    text = row.get("Model accessibility")
    openness = _OPENNESS.get(text.casefold())
    if text and openness is None:
        row.repairs.append(f"Model accessibility: {text!r} is not a known value; left empty")
    return openness


def _organizations(row: _Row) -> list[OrgRef]:
    """Kinds when the categorization list lines up; a country only for one organization and one country."""
    names = _org_names(row.get("Organization", "Organization(s)"))
    kinds = [_KINDS.get(kind.casefold()) for kind in _split(row.get("Organization categorization"))]
    if len(kinds) != len(names):
        kinds = [None] * len(names)
    countries = _split(row.get("Country (of organization)", "Country (from Organization)"))
    country = _COUNTRIES.get(countries[0].casefold()) if len(names) == len(countries) == 1 else None
    orgs: dict[str, OrgRef] = {}
    for name, kind in zip(names, kinds, strict=True):
        orgs.setdefault(name, OrgRef(name=name, kind=kind, country=country))
    return list(orgs.values())


def _org_names(text: str) -> list[str]:
    names: list[str] = []
    for part in _split(text):
        if names and _NAME_SUFFIX.match(part):
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return names


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "")}


def _clip(text: str, limit: int = _NOTE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
