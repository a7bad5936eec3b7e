"""What an importer yields: one ``ImportedRow`` per model it read, with the line it came from.

An importer only reads its format. It does not know the catalog: it names organizations and base models
as its input writes them (``OrgRef``, ``base_models``), and ``modelatlas.sources.merge`` resolves them.
The model itself is a full catalog ``Model`` (same schema, same validation), whose one source is the input
row, so everything downstream (merge, store, export, ``--write-catalog``) handles one kind of record.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelatlas.catalog.schema import Model
from modelatlas.catalog.validate import filled_fact_fields
from modelatlas.catalog.vocab import OrgKind, Relation

__all__ = ["EncodedRow", "ImportedRow", "OrgRef", "RowError", "build_model", "model_name", "slugify"]


class OrgRef(BaseModel):
    """An organization as an input names it; resolved to a catalog organization, or created, on merge."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: OrgKind | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class ImportedRow(BaseModel):
    """One row (or section, or entry) of an input file and what it says.

    ``model`` is ``None`` when the row was skipped; ``skipped`` then says why. ``repairs`` lists each
    change made to the input's text (mojibake repaired, stray cells dropped), to be reported.
    """

    line: int
    name: str
    model: Model | None = None
    organizations: list[OrgRef] = Field(default_factory=list)
    #: Names of the models this one was built from, as the input writes them; relation fine-tune unless
    #: ``base_relation`` says otherwise.
    base_models: list[str] = Field(default_factory=list)
    base_relation: Relation = "fine-tune"
    repairs: list[str] = Field(default_factory=list)
    skipped: str | None = None
    #: The file the row is in when the input is a directory of files (ecosystem-graphs' ``assets/``).
    file: str | None = None
    #: Skipped because it is not a model at all (a row of a section listing frameworks or datasets).
    not_a_model: bool = False

    @classmethod
    def skip(cls, line: int, name: str, why: str, *, not_a_model: bool = False) -> ImportedRow:
        return cls(line=line, name=name, skipped=why, not_a_model=not_a_model)


@dataclass(frozen=True, slots=True)
class EncodedRow:
    """An ``ImportedRow`` as an import's spool keeps it (``sources._spool``): its line, name, JSON
    ``payload`` (what the store keeps of the row) and whether it makes a model. A reader may make it in
    another process (``sources.importers.epoch``): text passes between processes cheaply, a model not."""

    line: int
    name: str
    payload: str
    makes_model: bool

    @classmethod
    def of(cls, row: ImportedRow) -> EncodedRow:
        return cls(row.line, row.name, row.model_dump_json(exclude_defaults=True), row.model is not None)

    def decoded(self) -> ImportedRow:
        return ImportedRow.model_validate_json(self.payload)

    def __reduce__(self) -> tuple[type[EncodedRow], tuple[int, str, str, bool]]:
        """Pickled as its values, made again by ``__init__``: a frozen dataclass's own way sets its fields
        one by one in Python (the rows of a converting child: ``importers.epoch.read_encoded``)."""
        return EncodedRow, (self.line, self.name, self.payload, self.makes_model)


def model_name(payload: str) -> str | None:
    """The name of the row whose JSON (``EncodedRow.payload``) is ``payload``, None if it makes no model."""
    row = orjson.loads(payload)
    return row["name"] if row.get("model") is not None else None


class RowError(ValueError):
    """A row's values do not make a valid model; the importer turns it into a skipped row."""


_NOT_SLUG = re.compile(r"[^a-z0-9.]+")


def slugify(name: str) -> str:
    """A catalog id for ``name``: ``"GPT-NeoX-20B"`` → ``gpt-neox-20b``; non-Latin names get a hash.

    ``+`` is spelt out as ``name_key`` spells it (``DeepLabV3+`` → ``deeplabv3-plus``): dropped, the id
    was ``deeplabv3``, which is DeepLabV3's name, and a written catalog failed validation (issue 19).
    """
    if name.isascii():  # nothing to decompose, no accent or α: the same slug, without a call a character
        folded = name.casefold().replace("+", " plus ")
    else:
        folded = unicodedata.normalize("NFKD", name).casefold().replace("α", "alpha").replace("+", " plus ")
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    slug = _NOT_SLUG.sub("-", folded).strip("-.")
    slug = re.sub(r"[.-]{2,}", "-", slug)
    if not slug:
        import hashlib

        slug = "m-" + hashlib.sha1(name.encode()).hexdigest()[:10]
    return slug[:90].rstrip("-.")


def build_model(
    fields: dict[str, Any],
    *,
    source_id: str,
    accessed: dt.date,
    url: str | None = None,
    citation: str | None = None,
    title: str | None = None,
    note: str | None = None,
) -> Model:
    """Make a catalog ``Model`` from ``fields``, with one source (the input row) backing every fact it has.

    ``fields`` needs ``name`` and ``domains``; ``id`` defaults to the slug of the name. Empty values
    (``None``, ``""``, ``[]``) are dropped, so an importer can pass columns as they come.

    Raises:
        RowError: the values do not make a valid model; the message names the field.
    """
    data = {k: v for k, v in fields.items() if v not in (None, "", [], {})}
    data.setdefault("id", slugify(str(data.get("name", ""))))
    source: dict[str, Any] = {"id": source_id, "accessed": accessed, "fields": []}
    for key, value in (("url", url), ("citation", citation), ("title", title), ("note", note)):
        if value:
            source[key] = value
    if not url and not citation:
        source["citation"] = source_id
    data["sources"] = [source]
    try:
        draft = Model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "row"
        raise RowError(f"{where}: {str(first['msg']).removeprefix('Value error, ')}") from exc
    # The row's one source, just validated and held by nothing else, names the fields it backs: set in
    # place, as a copy of the model and a second validation of the source did at twice the cost.
    draft.sources[0].fields = sorted(filled_fact_fields(draft))
    return draft
