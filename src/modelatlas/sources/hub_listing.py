"""The Hub's whole model listing: what one page of ``GET /api/models`` says, decoded at network speed.

A page is a JSON array of model records, each with the fields asked for by ``expand[]=`` (``EXPAND``),
and a ``Link: <…&cursor=…>; rel="next"`` header to the following page. ``huggingface_hub`` builds a
``ModelInfo`` per record (about 35,000 a second); a full listing needs five times that, so a page is
decoded here with msgspec straight into the fields kept, each record becoming a ``HubRepo`` and its
``HubBase`` relations, both named tuples (typed, and the rows ``executemany`` takes as they are).

Base models come from the Hub's tags: ``base_model:RELATION:REPO`` states the relation (one of
``RELATIONS``); a bare ``base_model:REPO`` without a relation tag for the same repo is what the Hub shows
as a fine-tune when it cannot infer the relation, so it is kept as ``finetune`` with ``stated=False``.
A record without any ``base_model:`` tag falls back to its card's ``base_model`` and
``base_model_relation`` when the card was expanded.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from modelatlas.errors import SourceDataError

__all__ = [
    "DEFAULT_RELATION",
    "EXPAND",
    "PAGE_SIZE",
    "RELATIONS",
    "SORT",
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


class HubRepo(NamedTuple):
    """One model repository as the listing gives it."""

    id: str
    author: str | None
    created_at: str | None
    last_modified: str | None
    pipeline_tag: str | None
    library: str | None
    licence: str | None
    gated: str | None
    parameters: int | None
    downloads: int | None
    likes: int | None


class HubBase(NamedTuple):
    """``repo_id`` derives from ``base`` by ``relation``; ``stated`` when a tag or the card named it."""

    repo_id: str
    base: str
    relation: str
    stated: bool


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


def parse_page(body: bytes, url: str) -> ListedPage:
    """The repos and base-model relations in one listing page.

    Raises:
        SourceDataError: the body is not a JSON array of model records (names ``url``).
    """
    try:
        records = _DECODER.decode(body)
    except msgspec.DecodeError as exc:
        raise SourceDataError(url, f"the listing page is not a JSON array of model records ({exc})") from exc
    repos: list[HubRepo] = []
    bases: list[HubBase] = []
    for record in records:
        raw = bytes(record.tags)
        licence = None
        if _LICENCE_MARK in raw:
            licence = _licence(raw)
        if _BASE_MARK in raw:
            tags = _TAGS.decode(raw)
            bases += bases_of(record.id, [t for t in tags if t.startswith(_PREFIX)])
        elif record.cardData is not None and record.cardData.base_model:
            bases += _from_card(record.id, record.cardData)
        gated = record.gated
        safetensors = record.safetensors
        repos.append(
            HubRepo(
                record.id,
                record.author,
                record.created_at,
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


def _licence(raw: bytes) -> str | None:
    """The value of the first ``license:`` tag in the raw JSON array ``raw``."""
    start = raw.index(_LICENCE_MARK) + len(_LICENCE_MARK)
    end = raw.index(b'"', start)
    value = raw[start:end]
    if b"\\" in value:  # an escape: let the decoder read it
        tags = _TAGS.decode(raw)
        return next((t[len(_LICENCE) :] for t in tags if t.startswith(_LICENCE)), None)
    return value.decode()


def bases_of(repo_id: str, tags: list[str]) -> list[HubBase]:
    """The base models named by ``base_model:`` tags, one per (base, relation).

    ``base_model:finetune:org/x`` states the relation; a bare ``base_model:org/x`` adds a ``finetune``
    relation (not stated) only when no tag states one for ``org/x``. A relation word the Hub does not
    use (not in ``RELATIONS``) counts as a bare tag.
    """
    stated: dict[tuple[str, str], None] = {}
    bare: dict[str, None] = {}
    for tag in tags:
        rest = tag[_CUT:]
        relation, colon, base = rest.partition(":")
        if not colon:
            relation, base = "", rest
        if not base:  # ``base_model:`` or ``base_model:finetune:`` names nothing
            continue
        if relation in _RELATION_SET:
            stated[(base, relation)] = None
        else:
            bare[base] = None
    found = [HubBase(repo_id, base, relation, True) for base, relation in stated]
    named = {base for base, _ in stated}
    found += [HubBase(repo_id, base, DEFAULT_RELATION, False) for base in bare if base not in named]
    return found


def _from_card(repo_id: str, card: _Card) -> list[HubBase]:
    declared = card.base_model
    listed = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    relation = card.base_model_relation
    stated = isinstance(relation, str) and relation in _RELATION_SET
    chosen = relation if stated else DEFAULT_RELATION
    unique = dict.fromkeys(b for b in listed if isinstance(b, str) and b)
    return [HubBase(repo_id, base, chosen, stated) for base in unique]
