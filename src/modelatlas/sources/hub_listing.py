"""The Hub's whole model listing: what one page of ``GET /api/models`` says, decoded at network speed.

A page is a JSON array of model records, each with the fields asked for by ``expand[]=`` (``EXPAND``),
and a ``Link: <…&cursor=…>; rel="next"`` header to the following page. ``huggingface_hub`` builds a
``ModelInfo`` per record (about 35,000 a second); a full listing needs five times that, so a page is
decoded here with msgspec straight into the fields kept, each record becoming a ``HubRepo`` and its
``HubBase`` relations, both plain tuples (typed, and the rows ``executemany`` binds as they are).

Base models come from the Hub's tags: ``base_model:RELATION:REPO`` states the relation (one of
``RELATIONS``); a bare ``base_model:REPO`` without a relation tag for the same repo is what the Hub shows
as a fine-tune when it cannot infer the relation, so it is kept as ``finetune``, not stated.
A record without any ``base_model:`` tag falls back to its card's ``base_model`` and
``base_model_relation`` when the card was expanded.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import msgspec

from modelatlas.errors import SourceDataError

__all__ = [
    "DEFAULT_RELATION",
    "EXPAND",
    "PAGE_SIZE",
    "RELATIONS",
    "SORT",
    "BASE_FIELDS",
    "REPO_FIELDS",
    "HubBase",
    "HubRepo",
    "ListedPage",
    "bases_of",
    "parse_page",
]

#: The relations a derivative can have to its base on the Hub (the model tree's four kinds).
RELATIONS = ("finetune", "adapter", "quantized", "merge")
#: The relation of a bare ``base_model:REPO`` tag: the Hub shows such a model as a fine-tune.
DEFAULT_RELATION = "finetune"
#: The record fields the listing is asked to expand (``expand[]=…``), as the Hub names them.
EXPAND = (
    "author",
    "createdAt",
    "lastModified",
    "downloads",
    "likes",
    "pipeline_tag",
    "library_name",
    "tags",
    "gated",
    "safetensors",
)
#: Records per page: the most the Hub gives in one answer.
PAGE_SIZE = 1000
#: The listing's order: by creation date, newest first. A repo's place never moves while it is listed
#: (downloads or trending would reshuffle the pages under the cursor); repos created meanwhile land
#: before the first page and are listed by the next sync.
SORT = "createdAt"

_PREFIX = "base_model:"
_CUT = len(_PREFIX)
_LICENCE = "license:"
_RELATION_SET = frozenset(RELATIONS)


#: One model repository as the listing gives it, in ``REPO_FIELDS`` order. A plain tuple, not a named
#: one: sqlite3 binds a tuple's items directly and a named tuple's through the sequence protocol, which
#: cost 0.8 µs more per row (2.9 against 2.1 µs for ``executemany`` of 11 columns), and building one
#: 0.45 µs more.
HubRepo = tuple[
    str, str | None, str | None, str | None, str | None, str | None, str | None, str | None,
    int | None, int | None, int | None,
]  # fmt: skip
REPO_FIELDS = (
    "id", "author", "created_at", "last_modified", "pipeline_tag", "library", "licence", "gated",
    "parameters", "downloads", "likes",
)  # fmt: skip
#: ``repo_id`` derives from ``base`` by ``relation``; ``stated`` (1, else 0) when a tag or the card
#: named it; the last is the month of the repo's creation (``YYYY-MM``, None without a creation date),
#: in ``BASE_FIELDS`` order. A plain tuple, as ``HubRepo``; ``stated`` is an int, not a bool, because
#: sqlite3 binds a bool through its adapters' lookup (staging a relation took 1.6 µs, with an int 1.1).
HubBase = tuple[str, str, str, int, str | None]
BASE_FIELDS = ("repo_id", "base", "relation", "stated", "month")


class ListedPage(NamedTuple):
    repos: list[HubRepo]
    bases: list[HubBase]


class _Safetensors(msgspec.Struct, gc=False):
    total: int | None = None


class _Card(msgspec.Struct, gc=False):
    base_model: Any = None
    base_model_relation: Any = None


class _Record(msgspec.Struct, gc=False, rename={"created_at": "createdAt", "last_modified": "lastModified"}):
    id: str
    author: str | None = None
    created_at: str | None = None
    last_modified: str | None = None
    downloads: int | None = None
    likes: int | None = None
    pipeline_tag: str | None = None
    library_name: str | None = None
    #: Undecoded: most records name no base, so their tags are only searched, never made into strings.
    tags: msgspec.Raw = msgspec.Raw(b"[]")
    gated: Any = None
    safetensors: _Safetensors | None = None
    cardData: _Card | None = None  # noqa: N815 (the Hub's key)


_DECODER = msgspec.json.Decoder(list[_Record])
_TAGS = msgspec.json.Decoder(list[str])
_BASE_MARK = b'"base_model:'
_LICENCE_MARK = b'"license:'
#: In a tags array without a backslash every quote opens or closes a tag, so this finds exactly the
#: base tags: the relation, when it is one the Hub uses (or ""), and the rest. Its literal start lets
#: the regex engine skip to each tag.
_BASE_TAGS = re.compile(r'"base_model:(?:(' + "|".join(RELATIONS) + r'):)?([^"]*)"')

#: A base tag's text after ``base_model:``, split: the relation it states ("" for none or a word the
#: Hub does not use) and the rest.
_Named = tuple[str, str]


def parse_page(body: bytes, url: str) -> ListedPage:
    """The repos and base-model relations in one listing page.

    A record's tags stay undecoded: most name no base, and those that do are read by a regular
    expression over the raw array (decoded in full only when it holds an escape).

    Raises:
        SourceDataError: the body is not a JSON array of model records (names ``url``).
    """
    try:
        records = _DECODER.decode(body)
    except msgspec.DecodeError as exc:
        raise SourceDataError(url, f"the listing page is not a JSON array of model records ({exc})") from exc
    repos: list[HubRepo] = []
    bases: list[HubBase] = []
    add = repos.append
    for record in records:
        raw = bytes(record.tags)
        licence = None
        named: list[_Named] = []
        # ``find``, not ``in``: ``bytes.__contains__`` first tries its operand as an integer, and the
        # TypeError it raises and clears made each test cost twice a ``find`` (three a record).
        if raw.find(b"\\") >= 0:  # an escape: the decoder reads the tags
            licence, named = _decoded(raw)
        else:
            start = raw.find(_LICENCE_MARK)
            if start >= 0:
                start += len(_LICENCE_MARK)
                licence = raw[start : raw.index(b'"', start)].decode()
            if raw.find(_BASE_MARK) >= 0:
                named = _BASE_TAGS.findall(raw.decode())
        created = record.created_at
        if named:
            bases += _relations(record.id, named, None if created is None else created[:7])
        elif record.cardData is not None and record.cardData.base_model:
            bases += _from_card(record.id, record.cardData, None if created is None else created[:7])
        gated = record.gated
        safetensors = record.safetensors
        add(
            (
                record.id,
                record.author,
                created,
                record.last_modified,
                record.pipeline_tag,
                record.library_name,
                licence,
                "no" if gated is False else gated if isinstance(gated, str) else None,
                safetensors.total if safetensors is not None else None,
                record.downloads,
                record.likes,
            )
        )
    return ListedPage(repos, bases)


def _decoded(raw: bytes) -> tuple[str | None, list[_Named]]:
    """The licence and the base tags of a record whose raw tags hold an escape, from the decoded tags."""
    tags = _TAGS.decode(raw)
    licence = next((t[len(_LICENCE) :] for t in tags if t.startswith(_LICENCE)), None)
    return licence, [_split(t[_CUT:]) for t in tags if t.startswith(_PREFIX)]


def _split(rest: str) -> _Named:
    relation, colon, base = rest.partition(":")
    return (relation, base) if colon and relation in _RELATION_SET else ("", rest)


def bases_of(repo_id: str, tags: list[str], month: str | None = None) -> list[HubBase]:
    """The base models named by ``base_model:`` tags, one per (base, relation).

    ``base_model:finetune:org/x`` states the relation; a bare ``base_model:org/x`` adds a ``finetune``
    relation (not stated) only when no tag states one for ``org/x``. A relation word the Hub does not
    use (not in ``RELATIONS``) counts as a bare tag. ``month`` is the repo's creation month.
    """
    return _relations(repo_id, [_split(tag[_CUT:]) for tag in tags], month)


def _relations(repo_id: str, named: list[_Named], month: str | None) -> list[HubBase]:
    """``bases_of`` on the base tags, split (``_split``).

    The common shapes are answered first: one tag, and a bare tag beside the stated one for the same
    base (how the Hub tags most derivatives); they give what the general rule below gives."""
    if len(named) == 1:
        relation, base = named[0]
        if relation:
            return [(repo_id, base, relation, 1, month)] if base else []
        base = _bare(base)
        return [(repo_id, base, DEFAULT_RELATION, 0, month)] if base else []
    if len(named) == 2:
        (one, first), (other, second) = named
        if first == second and first and ":" not in first and bool(one) != bool(other):
            return [(repo_id, first, one or other, 1, month)]
    stated: dict[tuple[str, str], None] = {}
    bare: dict[str, None] = {}
    for relation, rest in named:
        if relation:
            if rest:  # ``base_model:finetune:`` names nothing
                stated[(rest, relation)] = None
        else:
            base = _bare(rest)
            if base:
                bare[base] = None
    found: list[HubBase] = [(repo_id, base, relation, 1, month) for base, relation in stated]
    if bare:
        named_bases = {base for base, _ in stated}
        found += [(repo_id, base, DEFAULT_RELATION, 0, month) for base in bare if base not in named_bases]
    return found


def _bare(rest: str) -> str:
    """The base a tag without a Hub relation names: all of it, or what follows a relation word the Hub
    does not use (``distill:org/x``); empty when it names none."""
    return rest.partition(":")[2] if ":" in rest else rest


def _from_card(repo_id: str, card: _Card, month: str | None) -> list[HubBase]:
    declared = card.base_model
    listed = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    relation = card.base_model_relation
    stated = 1 if isinstance(relation, str) and relation in _RELATION_SET else 0
    chosen = relation if stated else DEFAULT_RELATION
    unique = dict.fromkeys(b for b in listed if isinstance(b, str) and b)
    return [(repo_id, base, chosen, stated, month) for base in unique]
