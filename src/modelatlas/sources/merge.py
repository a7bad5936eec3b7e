"""Merge imported rows into the catalog without duplicates and without losing a fact.

A row that matches a model (see ``matching``) fills the fields the model leaves empty, each backed by the
row as a new source. Where both give a value and they differ beyond rounding, the catalog's value is kept
and the row's is recorded as a dispute with its source: a ``Conflict``. A row that matches nothing becomes
a new model; later rows (of the same import or another) can merge into it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal, overload

import orjson

from modelatlas._children import batched, in_turns
from modelatlas.catalog.links import list_repository
from modelatlas.catalog.loader import Catalog, Entry
from modelatlas.catalog.names import name_key, task_slug
from modelatlas.catalog.schema import (
    SOURCED_LISTS,
    BaseEdge,
    Dispute,
    Estimate,
    Model,
    Organization,
    PartialDate,
    Source,
)
from modelatlas.catalog.validate import filled_fact_fields, filled_record_fields
from modelatlas.catalog.vocab import FACT_FIELDS
from modelatlas.errors import StoreError
from modelatlas.sources import _compare as C
from modelatlas.sources._match_index import Listed
from modelatlas.sources._shelf import ModelShelf, decode
from modelatlas.sources.matching import Keys, Match, Matcher, code_key
from modelatlas.sources.rows import ImportedRow, OrgRef, model_name, slugify
from modelatlas.sources.versions import Dated, dated

__all__ = ["Conflict", "Merger", "Outcome"]

Action = Literal["new", "merged", "conflict", "skipped"]

#: Fields filled when the catalog leaves them empty; never compared.
_FILL = ("family", "version", "modalities", "architecture", "demo", "homepage", "license", "summary")
#: Of those, the ones a row about one variant may fill: what the whole model shares.
_FILL_ANY = ("family", "modalities", "architecture", "demo", "homepage", "summary")
_FILL_LISTS = ("tasks", "techniques")
#: The fact fields a new model's own update sets (lists: filled when not empty).
_PLACED = frozenset({"organizations", "base_models"})


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two sources disagree on a field of ``model_id``: ``kept`` stays in the catalog, ``other`` is noted."""

    model_id: str
    field: str
    kept: str | None
    other: str
    source_id: str
    source_url: str | None
    origin: str
    #: How far apart the values are: |log10 ratio| for numbers, years for dates, 1 for categories.
    magnitude: float

    def row(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "field": self.field,
            "kept": self.kept,
            "other": self.other,
            "source_id": self.source_id,
            "source_url": self.source_url,
            "origin": self.origin,
            "magnitude": self.magnitude,
        }


@dataclass(slots=True)
class Outcome:
    """What merging one row did."""

    line: int
    name: str
    action: Action
    model_id: str | None = None
    matched_by: str | None = None
    detail: str = ""
    conflicts: list[Conflict] = field(default_factory=list)


class Merger:
    """Holds the catalog being merged into; ``apply`` each import's rows, then read ``catalog()``."""

    def __init__(self, catalog: Catalog) -> None:
        self._base = catalog
        #: Every model, on disk: an import of a million rows makes a million models.
        self._models = ModelShelf()
        for entry in catalog.models:
            self._models[entry.record.id] = entry.record
            self._models.set_path(entry.record.id, entry.path)
        self._orgs: dict[str, Organization] = {e.record.id: e.record for e in catalog.organizations}
        self._new_orgs: list[str] = []
        self._org_keys: dict[str, str] = {}
        for org in self._orgs.values():
            self._index_org(org)
        self.matcher = Matcher(self._models)
        for entry in catalog.models:
            self.matcher.add(self._models[entry.record.id])
        #: Ids of models an import created or changed, and the import (its key) each created model came
        #: from: marks on the shelf's rows (a million new models).
        self.changed = self._models.changed
        self.created_by = self._models.origins
        #: Organizations an import named that no catalog organization is: created, and reported.
        self.unplaced: dict[str, str] = {}
        #: Base models a row named before the model was known: tried again after every import.
        self._pending: list[_PendingBase] = []
        #: Of those, the ones no row's outcome reports on yet, by model: a scan of all of them for every row
        #: was quadratic (11 of 74 CPU seconds at 100,000 Epoch rows)
        self._unclaimed: dict[str, list[_PendingBase]] = {}
        #: The last row's outcome, if a waiting base model will report on it (``apply_to`` holds it).
        self._claimed: Outcome | None = None
        #: The makers each file's rows gave each model under each name: one list naming two makers of
        #: one name lists two models. Tuples: with a set each, this held 556 bytes a row (30,000 Epoch rows).
        #: On disk (``_match_index.Listed``): as a dict of tuples, 300 bytes a row.
        self._listed = Listed()
        self._closed = False  # close_matching was called
        #: Rows given as JSON that were merged from their plain values, never decoded (``apply``).
        self.plain = 0

    def apply(
        self,
        origin: str,
        path: Path,
        rows: Iterable[ImportedRow | str],
        *,
        names: Sequence[str | None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Outcome]:
        """Merge ``rows`` (read from ``path``; ``origin`` names the import) and say what each did.

        Dated rows of one model are merged oldest first, whatever their order in the file, so the model
        is its first release and the later ones its versions; base models named before they were known
        are looked up again once every row is in. ``names`` may give each row's name (None for a row
        that makes no model), so that ``rows`` on disk (``_spool``) are not decoded to order them.
        ``progress`` is called with the number of rows merged so far, every 100 rows and at the end.

        A row may be given as its JSON (``EncodedRow.payload``, what the store keeps): one that matches
        nothing then becomes a model from its plain values, and only the others are decoded (``plain``
        counts those that did not need to be).
        """
        rows = rows if isinstance(rows, Sequence) else list(rows)
        outcomes: dict[int, Outcome] = {}
        self.apply_to(outcomes.__setitem__, origin, path, rows, names=names, progress=progress)
        return [outcomes[at] for at in range(len(rows))]

    def apply_to(
        self,
        sink: Callable[[int, Outcome], None],
        origin: str,
        path: Path,
        rows: Sequence[ImportedRow | str],
        *,
        names: Sequence[str | None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """``apply``, handing each row's outcome to ``sink`` with the row's place in ``rows`` as soon as it
        is final, in the order the rows are merged: a million rows' outcomes are not held. The outcomes of
        rows whose base models are looked up again at the end are held until then.

        Raises:
            RuntimeError: the merge's matching was closed (``close_matching``): no row can be matched.
        """
        if self._closed:
            raise RuntimeError("Merger.apply after close_matching: its matching index is closed")
        if names is None:
            names = [_name_of(row) for row in rows]
        held: dict[int, Outcome] = {}
        for done, (at, row, ready) in enumerate(_with_prepared(origin, rows, _oldest_first(names)), start=1):
            outcome = self._merged_row(origin, path, row, ready)
            if self._claimed is outcome:
                held[at] = outcome  # _resolve_pending may still add to its detail
            else:
                sink(at, outcome)
            if progress is not None and (done % 100 == 0 or done == len(names)):
                progress(done)
        self._claimed = None
        self._resolve_pending()
        for at, outcome in held.items():
            sink(at, outcome)

    def close_matching(self) -> None:
        """Every import is merged: close what only matching rows needs (the matcher's index, the makers
        each list gave), their files, filter and page caches, and let the decoded models go, before the
        build. ``apply`` cannot be called after it (it raises ``RuntimeError``); ``catalog``, ``model``
        and the rest can."""
        self._closed = True
        self.matcher.close()
        self._listed.close()
        self._models.settle()

    def catalog(self) -> Catalog:
        """The merged catalog: the original models (enriched), then the new ones; new organizations too."""
        merged = Catalog(root=self._base.root)
        merged.techniques, merged.benchmarks = self._base.techniques, self._base.benchmarks
        merged.organizations = [*self._base.organizations]
        merged.organizations += [Entry(self._orgs[i], self._base.root, None) for i in self._new_orgs]
        merged.models = _Entries(self._models, self._base.root)
        return merged

    def new_organizations(self) -> list[Organization]:
        return [self._orgs[i] for i in self._new_orgs]

    def model(self, model_id: str) -> Model:
        return self._models[model_id]

    def catalog_conflicts(self) -> list[Conflict]:
        """The disputes written in the catalog itself, as conflicts with origin ``catalog``."""
        found = []
        for entry in self._base.models:
            model = entry.record
            urls = {s.id: s.url for s in model.sources}
            for dispute in model.disputes:
                found.append(
                    Conflict(
                        model.id,
                        dispute.field,
                        C.show(C.current(model, dispute.field, None)),
                        C.show(dispute.value),
                        dispute.source,
                        urls.get(dispute.source),
                        "catalog",
                        C.magnitude(C.current(model, dispute.field, None), dispute.value),
                    )
                )
        return found

    # -- one row ---------------------------------------------------------------------------------------

    def _merged_row(
        self, origin: str, path: Path, row: ImportedRow | str, ready: Ready | Outcome | None
    ) -> Outcome:
        """Merge one row, given as JSON ``prepared`` (``ready``), or decoded; decoded only if its plain
        values do not do (``_plain``)."""
        if isinstance(row, str):
            outcome = ready if not isinstance(ready, Ready) else self._plain(origin, path, ready)
            if outcome is not None:
                self.plain += 1
                return outcome
            row = ImportedRow.model_validate_json(row)
        outcome = self._apply_row(origin, path, row)
        if outcome.action == "new" and outcome.model_id is not None:
            self._models.set_origin(outcome.model_id, origin)
        return outcome

    def _plain(self, origin: str, path: Path, ready: Ready) -> Outcome | None:
        """The outcome of a row given as its JSON and ``prepared``, if it makes a new model that nothing
        merges with; None if it needs the whole merge (``_apply_row``), as a ``Model``.

        A new model from plain values is the model ``_create`` makes of the row, to its JSON's byte: its
        first source renamed for the import's line, the others prefixed, what they back renamed too, its
        tasks as the catalog spells them, its makers placed, the fields its first source backs named.
        A row takes this way only when nothing could make it anything else (``Matcher.is_new``): no
        id, name, alias or stem of it is any model's, no paper or repository of it one model's alone
        (a key two models have matches neither), no code link of it any model's or in a model list,
        and its name is not dated. Its base models are looked up as ``_bases`` does.
        """
        row, record = ready.row, ready.record
        model_id: str = record["id"]
        if not self.matcher.is_new(model_id, ready.keys):
            return None
        notes: list[str] = []
        bases = self._plain_bases(model_id, row, record, notes)
        organizations = self._org_ids(ready.refs, notes)
        # as _create: the fields the first source backs, of the model with its makers and bases placed
        filled = set(ready.filled)
        # what record_json writes: fields at their defaults (empty lists) left out, in the fields' order
        moved = _put(record, "organizations", organizations) | _put(record, "base_models", bases)
        if record.get("tasks") == []:
            del record["tasks"]
        filled.update(name for name in _PLACED if name in record)
        first = record["sources"][0]
        if "fields" in first or not filled:
            _put(first, "fields", sorted(filled))
        else:  # the first source backed nothing as read: its fields go before kind and note
            first["fields"] = sorted(filled)
            record["sources"][0] = {name: first[name] for name in _SOURCE_FIELDS if name in first}
        body = {name: record[name] for name in _MODEL_FIELDS if name in record} if moved else record
        self._models.put_new(model_id, orjson.dumps(body).decode(), path, origin)
        self.matcher.add_keys(model_id, ready.keys)
        repairs: list[str] = row.get("repairs", [])
        outcome = Outcome(row["line"], row["name"], "new", model_id, None, "; ".join([*notes, *repairs]))
        self._claim_pending(model_id, outcome)
        if ready.makers:  # as _apply_row, for a model no list has named yet: it did not exist
            self._listed.put(origin, model_id, ready.name_key, ready.makers)
        return outcome

    def _plain_bases(
        self, model_id: str, row: dict[str, Any], record: dict[str, Any], notes: list[str]
    ) -> list[dict[str, Any]]:
        """``_bases`` of a row and its record as plain values (its sources renamed), as the edges' plain
        values, without the model's own ``version_of`` (which ``_create`` leaves out)."""
        names: list[str] = row.get("base_models", [])
        if not names:
            return []
        relation = row.get("base_relation", "fine-tune")
        edges = self._bases(model_id, names, relation, record["sources"][0], notes)
        version_of = record.get("version_of")
        return [{"model": e.model, "relation": e.relation} for e in edges if e.model != version_of]

    def _apply_row(self, origin: str, path: Path, row: ImportedRow) -> Outcome:
        if row.model is None:
            return Outcome(row.line, row.name, "skipped", detail=row.skipped or "skipped")
        source_id = slugify(f"{origin}-l{row.line}")
        incoming = _with_catalog_tasks(_with_source_id(row.model, source_id))
        stamp = dated(incoming.name)
        if stamp is not None and self.matcher.by_name(incoming.name) is None:
            versioned = self._dated(row, incoming, stamp, path, f"{origin}:{row.line}")
            if versioned is not None:
                return versioned
        placed = self._makers(row)
        match = self._by_maker(placed, incoming) or self.matcher.match(incoming)
        if match is not None and match.weak and self._built_on(row, match.model_id):
            match = None  # Lemur-Chat names Lemur as its base: it shares Lemur's paper, but is not Lemur
        if match is not None and self._strangers(row, placed, incoming, match.model_id):
            match = None  # Microsoft's Table-GPT is not Zhejiang University's TableGPT
        makers = {name_key(ref.name) for ref in row.organizations}  # as the file spells them
        key = name_key(row.name)
        listed = self._listed.get(origin, match.model_id, key) if match is not None else ()
        if makers and listed and makers.isdisjoint(listed):
            match = None  # the list's 星汉 of 大汉软件 and 星汉 of 大华股份 are two models
        if match is None:
            outcome = self._create(row, incoming, path)
        else:
            outcome = self._merge(row, incoming, match, f"{origin}:{row.line}")
        if outcome.model_id is not None and makers:
            have = self._listed.get(origin, outcome.model_id, key)
            if not makers.issubset(have):
                self._listed.put(origin, outcome.model_id, key, have + tuple(sorted(makers.difference(have))))
        return outcome

    def _by_maker(self, makers: set[str], incoming: Model) -> Match | None:
        """Of several models with the row's name, the one by a maker the row names: seed 004's 盘古
        (Huawei) is PanGu-α, not 循环智能's 盘古. None when the name is not shared, or no maker tells."""
        named = self.matcher.named(incoming.name)
        if len(named) < 2 or not makers:
            return None
        mine = [m for m in sorted(named) if makers & set(self._models[m].organizations)]
        if len(mine) != 1:
            return None
        return Match(mine[0], f"name {incoming.name!r} and maker {', '.join(sorted(makers))}")

    def _makers(self, row: ImportedRow) -> set[str]:
        """The catalog organisations the row names (those it can place)."""
        return {i for ref in row.organizations if (i := self._org_keys.get(name_key(ref.name)))}

    def _strangers(self, row: ImportedRow, makers: set[str], incoming: Model, model_id: str) -> bool:
        """Whether the row and the model share a name but nothing else.

        All of: the makers the row names are none of the model's; both give papers, repositories or
        code and none is the same, nor does a repository of one belong to a maker the other names
        (``bigcode/starcoder`` is BigCode's); and each cites its own arXiv paper, or the makers are in
        different countries (where known), or the two came out more than a year apart. Microsoft's
        Table-GPT is not Zhejiang University's TableGPT, nor a 2024 gene-expression DDPM the 2020 DDPM,
        nor TurkuNLP's FinGPT the financial one; CAS and its Institute of Automation are two
        organisations in one country, and Zidong Taichu stays one model.
        """
        target = self._models[model_id]
        if not row.organizations or not target.organizations or makers & set(target.organizations):
            return False
        mine, theirs = _links(incoming), _links(target)
        if not mine or not theirs or mine & theirs:  # nothing to tell by, or a link in common
            return False
        names = {name_key(ref.name) for ref in row.organizations} | self._org_names(target.organizations)
        if (_owners(incoming) | _owners(target)) & names:
            return False
        papers = {k for k in mine if k.startswith("arxiv:")}, {k for k in theirs if k.startswith("arxiv:")}
        if all(papers):  # two papers, two sets of makers: TurkuNLP's FinGPT is not the financial FinGPT
            return True
        countries = {ref.country for ref in row.organizations if ref.country} | self._countries(makers)
        theirs_in = self._countries(target.organizations)
        if countries and theirs_in and countries.isdisjoint(theirs_in):
            return True
        born, released = incoming.released, target.released
        return born is not None and released is not None and abs(born.date.year - released.date.year) > 1

    def _countries(self, org_ids: Iterable[str]) -> set[str]:
        """The makers' countries, where known."""
        return {c for i in org_ids if i in self._orgs and (c := self._orgs[i].country)}

    def _org_names(self, org_ids: list[str]) -> set[str]:
        orgs = [self._orgs[i] for i in org_ids if i in self._orgs]
        return {name_key(n) for o in orgs for n in (o.id, o.name, *o.aliases)}

    def _built_on(self, row: ImportedRow, model_id: str) -> bool:
        """Whether the row names ``model_id`` among its base models."""
        return any((b := self.matcher.by_name(name)) and b.model_id == model_id for name in row.base_models)

    def _dated(
        self, row: ImportedRow, incoming: Model, stamp: Dated, path: Path, origin: str
    ) -> Outcome | None:
        """A dated row (``GPT-4 (Jun 2023)``): the model's first release, a version of it, or the model.

        The model is found by the undated name (exactly, or by an alias). A row of the month the model
        was released is the model itself and gives it the dated name as an alias; a row of another month
        is a version of its own (``version_of``). With no such model, the row makes it, under the undated
        name. A four-digit tag (``-0324``) is read as a version only of a model that exists.
        """
        found = self.matcher.by_name(stamp.base)
        if found is not None and found.weak:
            found = None
        if found is None:
            if stamp.tag_only:
                return None
            named = incoming.model_copy(
                update={"id": slugify(stamp.base), "name": stamp.base, "aliases": [incoming.name]}
            )
            return self._create(row, named, path, detail=f"the model of the dated name {incoming.name!r}")
        root = self._models[found.model_id]
        while root.version_of is not None and root.version_of in self._models:
            root = self._models[root.version_of]
        if _first_release(root, stamp):
            aliases = [*root.aliases, incoming.name]
            self._models[root.id] = root = root.model_copy(update={"aliases": aliases})
            self.matcher.add(root)
            how = f"dated name: {root.name}'s first release ({stamp.version})"
            return self._merge(row, incoming, Match(root.id, how), origin)
        version = incoming.model_copy(
            update={
                "version": stamp.version,
                "version_of": root.id,
                "family": root.family or incoming.family,
            }
        )
        return self._create(row, version, path, detail=f"a dated version of {root.id}")

    def _create(self, row: ImportedRow, model: Model, path: Path, *, detail: str = "") -> Outcome:
        model_id = model.id
        for n in range(2, 1000):
            if model_id not in self._models:
                break
            model_id = f"{model.id}-{n}"
        notes: list[str] = [detail] if detail else []
        model = self._own_code(model_id, model, notes)
        bases = self._bases(model_id, row.base_models, row.base_relation, model.sources[0], notes)
        update: dict[str, Any] = {
            "id": model_id,
            "organizations": self._org_ids(row.organizations, notes),
            # a dated version names its model: that is version_of, not a base it was tuned from
            "base_models": [e for e in bases if e.model != model.version_of],
        }
        # the fields the first source backs, as the updated model fills them: each field's own test, so
        # the two lists the update sets are tested on their own and the model is copied once, not twice
        filled = filled_fact_fields(model) - _PLACED
        filled.update(name for name in _PLACED if update[name])
        first = model.sources[0].model_copy(update={"fields": sorted(filled)})
        model = model.model_copy(update={**update, "sources": [first, *model.sources[1:]]})
        self._models[model_id] = model
        self._models.set_path(model_id, path)
        self.matcher.add(model)
        self._models.mark_changed(model_id)
        outcome = Outcome(row.line, row.name, "new", model_id, None, "; ".join([*notes, *row.repairs]))
        self._claim_pending(model_id, outcome)
        return outcome

    def _merge(self, row: ImportedRow, incoming: Model, match: Match, origin: str) -> Outcome:
        target = self._models[match.model_id]
        source = incoming.sources[0]
        update: dict[str, Any] = {}
        filled: list[str] = []
        disputes: list[Dispute] = []
        conflicts: list[Conflict] = []

        def disagree(name: str, kept: Any, other: Any) -> None:
            disputes.append(
                Dispute(field=name, value=C.dispute_value(other), source=source.id, note=row.name)
            )
            conflicts.append(
                Conflict(
                    target.id,
                    name,
                    C.show(kept),
                    C.show(other),
                    source.id,
                    source.url,
                    origin,
                    C.magnitude(kept, other),
                )
            )

        whole = match.variant is None  # a row about one variant fills that variant, not the model
        for name in _FILL if whole else _FILL_ANY:
            theirs = getattr(incoming, name)
            if getattr(target, name) is None and theirs is not None and not C.disputed(target, name, theirs):
                update[name] = getattr(incoming, name)
                filled.append(name)
        for name in _FILL_LISTS:
            if not getattr(target, name) and getattr(incoming, name):
                update[name] = getattr(incoming, name)
                filled.append(name)
        self._merge_parameters(target, incoming, match, update, filled, disagree)
        for name in ("context_length", "released", "announced", "openness") if whole else ():
            mine, theirs = getattr(target, name), getattr(incoming, name)
            if theirs is None or C.disputed(target, name, theirs):
                continue
            if name == "released" and mine is None and target.announced is not None:
                continue  # announced but not released: a list's or a paper's date is no availability
            if name == "released" and mine is None and _paper_year(theirs, target):
                continue  # a list's bare year is its paper's year (seed 004's Year column), no availability
            if name == "announced" and mine is None and _after_release(theirs, target):
                disagree(name, target.released, theirs)  # seed 002's LeNet-5 "2019": it came out in 1998
                continue
            if mine is None:
                update[name] = theirs
                filled.append(name)
            elif not C.agree(mine, theirs):
                disagree(name, mine, theirs)
        if whole:
            self._merge_training(target, incoming, update, filled, disagree)
        else:
            self._merge_variant(target, incoming, match.variant or "", update, filled)
        self._merge_estimates(target, incoming, match.variant, update, filled)
        self._merge_notability(target, incoming, update, filled)
        notes: list[str] = []
        incoming = self._own_code(target.id, incoming, notes)
        self._merge_links(target, incoming, update, filled)
        self._merge_notes(target, incoming, update, filled)
        for name in ("parameters", "context_length", "released", "announced", "openness"):
            value = getattr(incoming, name)
            value = value.total if name == "parameters" and value is not None else value
            if value is not None and C.disputed(target, name, value):
                notes.append(f"{name} {C.show(value)} is already disputed in the catalog")
        if not target.organizations and row.organizations:
            update["organizations"] = self._org_ids(row.organizations, notes)
            filled.append("organizations")
        if not target.base_models and row.base_models and whole:
            bases = self._bases(target.id, row.base_models, row.base_relation, source, notes)
            if bases:
                update["base_models"] = bases
                filled.append("base_models")
        if filled or disputes:
            backed = [f for f in filled if f in FACT_FIELDS or f.startswith("training.")]
            update["sources"] = [*target.sources, source.model_copy(update={"fields": sorted(set(backed))})]
            update["disputes"] = [*target.disputes, *disputes]
            merged = target.model_copy(update=update)
            self._models[target.id] = merged
            self.matcher.add(merged)
            self._models.mark_changed(target.id)
        detail = ", ".join(f"+{f}" for f in filled) or "nothing new"
        if conflicts:
            detail += "; differs on " + ", ".join(f"{c.field} ({c.other} vs {c.kept})" for c in conflicts)
        detail = "; ".join([detail, *notes, *row.repairs])
        action: Action = "conflict" if conflicts else "merged"
        outcome = Outcome(row.line, row.name, action, target.id, match.how, detail, conflicts)
        self._claim_pending(target.id, outcome)
        return outcome

    def _merge_parameters(
        self,
        target: Model,
        incoming: Model,
        match: Match,
        update: dict[str, Any],
        filled: list[str],
        disagree: Any,
    ) -> None:
        theirs = incoming.parameters.total if incoming.parameters else None
        if theirs is None:
            return
        if match.variant is not None:
            variants = list(target.variants)
            for i, variant in enumerate(variants):
                if name_key(variant.name) != name_key(match.variant):
                    continue
                if variant.parameters is None:
                    variants[i] = variant.model_copy(update={"parameters": theirs})
                    update["variants"] = variants
                    filled.append("variants")
                elif not C.same_count(variant.parameters, theirs):
                    disagree(f"variants.{variant.name}.parameters", variant.parameters, theirs)
            return
        mine = target.parameters.total if target.parameters else None
        if C.disputed(target, "parameters", theirs):
            return
        if mine is None and target.parameters is not None and target.parameters.note:
            disagree("parameters", f"unknown ({target.parameters.note[:60]})", theirs)
        elif mine is None:
            update["parameters"] = incoming.parameters
            filled.append("parameters")
        elif not C.same_count(mine, theirs):
            disagree("parameters", mine, theirs)

    def _merge_training(
        self, target: Model, incoming: Model, update: dict[str, Any], filled: list[str], disagree: Any
    ) -> None:
        if incoming.training is None:
            return
        mine = target.training
        changes: dict[str, Any] = {}
        for name in ("tokens", "dataset", "compute_flop", "hardware", "gpu_hours", "cost_usd", "co2e_t"):
            theirs = getattr(incoming.training, name)
            current = getattr(mine, name) if mine else None
            if theirs is None:
                continue
            if current is None:
                changes[name] = theirs
                filled.append(f"training.{name}")
            elif name in ("tokens", "compute_flop") and not C.agree(current, theirs, 0.5):
                disagree(f"training.{name}", current, theirs)
        if changes:
            base = mine.model_dump() if mine else {}
            update["training"] = type(incoming.training).model_validate({**base, **changes})

    def _merge_variant(
        self, target: Model, incoming: Model, name: str, update: dict[str, Any], filled: list[str]
    ) -> None:
        """The row's context, release date and training figures, onto the variant it is about."""
        variants = list(update.get("variants", target.variants))
        for i, variant in enumerate(variants):
            if name_key(variant.name) != name_key(name):
                continue
            changes: dict[str, Any] = {}
            if variant.context_length is None and incoming.context_length is not None:
                changes["context_length"] = incoming.context_length
            if variant.released is None and incoming.released is not None:
                changes["released"] = incoming.released
            if variant.training is None and incoming.training is not None:
                changes["training"] = incoming.training
            if changes:
                variants[i] = variant.model_copy(update=changes)
                update["variants"] = variants
                filled.append("variants")

    def _merge_estimates(
        self,
        target: Model,
        incoming: Model,
        variant: str | None,
        update: dict[str, Any],
        filled: list[str],
    ) -> None:
        """The row's estimates beside the model's (on the variant it is about), each figure once per
        estimator: the same Epoch figure in four exports is one estimate."""
        have = {(e.field, e.by, e.variant, _rounded(e.value)) for e in target.estimates}
        new: list[Estimate] = []
        for estimate in incoming.estimates:
            estimate = estimate.model_copy(update={"variant": variant}) if variant else estimate
            key = (estimate.field, estimate.by, estimate.variant, _rounded(estimate.value))
            if key not in have:
                have.add(key)
                new.append(estimate)
        if new:
            update["estimates"] = [*target.estimates, *new]
            filled.append("estimates")

    def _merge_notability(
        self, target: Model, incoming: Model, update: dict[str, Any], filled: list[str]
    ) -> None:
        """The row's notability judgement beside the model's, once per judge: Epoch's criteria in its
        notable and all-models exports are one judgement."""
        judges = {n.by for n in target.notability}
        new = [n for n in incoming.notability if n.by not in judges]
        if new:
            update["notability"] = [*target.notability, *new]
            filled.append("notability")

    def _merge_links(self, target: Model, incoming: Model, update: dict[str, Any], filled: list[str]) -> None:
        known = {code_key(u) for u in target.code}
        extra = [u for u in incoming.code if code_key(u) not in known and not C.disputed(target, "code", u)]
        if extra:
            update["code"] = [*target.code, *extra]
            filled.append("code")
        if incoming.weights and incoming.weights.huggingface:
            have = target.weights.huggingface if target.weights else []
            new = [
                r for r in incoming.weights.huggingface if r.casefold() not in {h.casefold() for h in have}
            ]
            if new:
                weights = target.weights.model_dump() if target.weights else {}
                weights["huggingface"] = [*have, *new]
                update["weights"] = type(incoming.weights).model_validate(weights)
                filled.append("weights")
        if not target.papers and incoming.papers:
            update["papers"] = incoming.papers
            filled.append("papers")

    def _merge_notes(self, target: Model, incoming: Model, update: dict[str, Any], filled: list[str]) -> None:
        """Hardware needs and dated status notes the row states and the model does not have yet."""
        source = incoming.sources[0].id
        for list_name, key in (("hardware", C.hardware_key), ("status_notes", C.note_key)):
            have = {key(item) for item in getattr(target, list_name)}
            new = [i for i in getattr(incoming, list_name) if i.source == source and key(i) not in have]
            if new:
                update[list_name] = [*getattr(target, list_name), *new]
                filled.append(list_name)

    def _own_code(self, model_id: str, model: Model, notes: list[str]) -> Model:
        """``model`` without code links that are a model list's or that the catalog gives to another model."""
        keep = []
        for url in model.code:
            if listed := list_repository(url):
                notes.append(f"code link {url} is the model list {listed}, not the model's code; left out")
                continue
            found = self.matcher.code_owners(url)
            owners = found - {model_id}
            if owners and model_id not in found:
                names = ", ".join(sorted(self._models[o].name for o in owners))
                notes.append(f"code link {url} is {names}'s; left out")
            else:
                keep.append(url)
        return model if len(keep) == len(model.code) else model.model_copy(update={"code": keep})

    # -- organizations and lineage ---------------------------------------------------------------------

    def _index_org(self, org: Organization) -> None:
        for spelling in [org.id, org.name, org.name_zh or "", *org.aliases]:
            key = name_key(spelling)
            if key:
                self._org_keys.setdefault(key, org.id)

    def _org_ids(self, refs: list[OrgRef], notes: list[str]) -> list[str]:
        """The catalog organizations ``refs`` name; one no catalog organization is, is created once
        (under the spelling first seen), noted on the row and listed in ``unplaced``."""
        ids: list[str] = []
        for ref in refs:
            org_id = self._org_keys.get(name_key(ref.name))
            if org_id is None:
                org_id = slugify(ref.name)
                while org_id in self._orgs:
                    org_id += "-org"
                org = Organization(id=org_id, name=ref.name, kind=ref.kind, country=ref.country)
                self._orgs[org_id] = org
                self._new_orgs.append(org_id)
                self._index_org(org)
                self.unplaced[org_id] = ref.name
                notes.append(f"organization {ref.name!r} is not in the catalog; added as {org_id!r}")
            if org_id not in ids:
                ids.append(org_id)
        return ids

    def _bases(
        self,
        model_id: str,
        names: Sequence[str],
        relation: Any,
        source: Source | Mapping[str, Any],
        notes: list[str],
    ) -> list[BaseEdge]:
        """The edges by ``relation`` to the base models ``names`` names that are known now; the others wait
        (pending) with the row's ``source`` (given as its plain values, made a ``Source`` only then)."""
        edges: list[BaseEdge] = []
        for name in names:
            found = self.matcher.by_name(name)
            if found is None:
                source = source if isinstance(source, Source) else Source.model_validate(source)
                pending = _PendingBase(model_id, name, relation, source)
                self._pending.append(pending)
                self._unclaimed.setdefault(model_id, []).append(pending)
                continue
            if found.model_id == model_id or self._reaches(found.model_id, model_id):
                notes.append(f"base model {name!r} is the model itself or built on it; left out")
                continue
            if all(e.model != found.model_id for e in edges):
                edges.append(BaseEdge.model_validate({"model": found.model_id, "relation": relation}))
        return edges

    def _claim_pending(self, model_id: str, outcome: Outcome) -> None:
        """Let the row's outcome report on the base models it left waiting (``_claimed`` then)."""
        for pending in self._unclaimed.pop(model_id, ()):
            if pending.outcome is None:
                pending.outcome = outcome
                self._claimed = outcome

    def _resolve_pending(self) -> None:
        """Each waiting base model that is known by now becomes an edge, backed by the row's source;
        the others are noted on their row as not found (yet: a later import may bring them)."""
        waiting: list[_PendingBase] = []
        for pending in self._pending:
            model = self._models.get(pending.model_id)
            found = self.matcher.by_name(pending.name)
            if model is None:
                continue
            if found is not None and found.model_id == model.version_of:
                continue  # a dated version names its model: that is version_of, not a base
            if found is None or found.model_id == model.id or self._reaches(found.model_id, model.id):
                waiting.append(pending)
                continue
            if all(e.model != found.model_id for e in model.base_models):
                edge = BaseEdge.model_validate({"model": found.model_id, "relation": pending.relation})
                self._models[model.id] = _with_backed(model, "base_models", pending.source, edge)
                self._models.mark_changed(model.id)
        for pending in waiting:
            if pending.outcome is not None and not pending.noted:
                pending.noted = True
                note = f"base model {pending.name!r} not in the catalog; left out"
                pending.outcome.detail = "; ".join(filter(None, [pending.outcome.detail, note]))
        self._pending = waiting

    def _reaches(self, start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == goal:
                return True
            if current in seen or current not in self._models:
                continue
            seen.add(current)
            todo.extend(e.model for e in self._models[current].base_models)
        return False


class _Entries(Sequence[Entry[Model]]):
    """The shelf's models as catalog entries, read from disk as they are iterated."""

    def __init__(self, shelf: ModelShelf, root: Path) -> None:
        self._shelf, self._root = shelf, root

    def __len__(self) -> int:
        return len(self._shelf)

    def __iter__(self) -> Iterator[Entry[Model]]:
        for model, path in self._shelf.values_with_paths():
            yield Entry(model, path or self._root, None)

    def encoded(self) -> Iterator[tuple[str, str]]:
        """Each model as the shelf keeps it (``_shelf.encode``), with its file (as ``__iter__``'s entries
        have it), in the same order: the build decodes them in the process that makes their rows
        (``store.chunks.Encoded``)."""
        root = str(self._root)
        for body, path in self._shelf.encoded_with_paths():
            yield body, path or root

    def decode(self, body: str) -> Model:
        """A model ``encoded`` gave, decoded."""
        return decode(body)

    @overload
    def __getitem__(self, at: int) -> Entry[Model]: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[Entry[Model]]: ...
    def __getitem__(self, at: int | slice) -> Entry[Model] | Sequence[Entry[Model]]:
        if isinstance(at, slice):
            return list(self)[at]
        if at < 0:
            at += len(self)
        entry = next(itertools.islice(self, at, None), None)
        if entry is None:
            raise IndexError(at)
        return entry


@dataclass(slots=True)
class _PendingBase:
    """A base model a row names that is not known yet: the model, the name, how, and the row's source."""

    model_id: str
    name: str
    relation: Any
    source: Source
    outcome: Outcome | None = None
    noted: bool = False


def _with_backed(model: Model, field_name: str, source: Source, edge: BaseEdge) -> Model:
    """``model`` with ``edge`` added to its lineage and ``source`` naming ``field_name`` among its fields."""
    sources = list(model.sources)
    for i, have in enumerate(sources):
        if have.id == source.id:
            sources[i] = have.model_copy(update={"fields": sorted({*have.fields, field_name})})
            break
    else:
        sources.append(source.model_copy(update={"fields": [field_name]}))
    return model.model_copy(update={"base_models": [*model.base_models, edge], "sources": sources})


@dataclass(frozen=True, slots=True)
class Ready:
    """A row given as its JSON, prepared for ``Merger._plain`` from its own values alone (``prepared``)."""

    #: The row's plain values, and its model's: its sources renamed for the import's line, its tasks
    #: as the catalog spells them.
    row: dict[str, Any]
    record: dict[str, Any]
    keys: Keys
    refs: list[OrgRef]
    #: The fact fields the record fills, but its makers and base models (placed by the merge).
    filled: frozenset[str]
    #: The row's name key, and its makers' (sorted): what ``Listed.put`` takes.
    name_key: str
    makers: tuple[str, ...]

    def packed(self) -> Packed:
        """These values as pickle takes them quickly, to pass between processes: a frozen dataclass or a
        pydantic model is unpickled a field at a time in Python, a row's as long as it took to prepare
        it; the row (with its record) as JSON, the keys' lists, the makers' values. ``unpacked`` is it."""
        keys = self.keys
        lists = (keys.named, keys.keys, keys.spelt, keys.papers, keys.repos, keys.code)
        refs = [ref.model_dump() for ref in self.refs]
        return orjson.dumps(self.row), lists, refs, tuple(self.filled), self.name_key, self.makers

    @classmethod
    def unpacked(cls, packed: Packed) -> Ready:
        """The values ``packed`` gave."""
        body, lists, refs, filled, key, makers = packed
        row = orjson.loads(body)
        made = [OrgRef.model_validate(ref) for ref in refs]  # in Rust: model_construct took twice as long
        return cls(row, row["model"], Keys(*lists), made, frozenset(filled), key, makers)


#: ``Ready.packed``'s values.
Packed = tuple[bytes, tuple[Any, ...], list[dict[str, Any]], tuple[str, ...], str, tuple[str, ...]]


def prepared(origin: str, payload: str) -> Ready | Outcome | None:
    """The row whose JSON is ``payload`` (of the import ``origin``) prepared for the plain way, what does
    not depend on what the merge holds: a skipped row's outcome; None for a row that needs the whole
    merge whatever the models are (a dated name, a code link in a model list)."""
    row = orjson.loads(payload)
    record = row.get("model")
    if record is None:
        return Outcome(row["line"], row["name"], "skipped", detail=row.get("skipped") or "skipped")
    if dated(record["name"]) is not None:
        return None
    if any(list_repository(url) for url in record.get("code", ())):
        return None
    keys = Keys.of_record(record)
    _rename_sources(record, slugify(f"{origin}-l{row['line']}"))
    if "tasks" in record:
        record["tasks"] = _catalog_tasks(record["tasks"])
    refs = [OrgRef.model_validate(ref) for ref in row.get("organizations", ())]
    makers = tuple(sorted({name_key(ref.name) for ref in refs}))
    filled = frozenset(filled_record_fields(record) - _PLACED)
    return Ready(row, record, keys, refs, filled, name_key(row["name"]), makers)


#: Rows given as JSON sent to the child that prepares them at a time (``_with_prepared``).
PREPARE_BATCH = 500
#: An import of fewer rows is prepared in this process: forking is not worth it.
PREPARE_FORK_FROM = 20_000


def _with_prepared(
    origin: str, rows: Sequence[ImportedRow | str], order: Iterator[int]
) -> Iterator[tuple[int, ImportedRow | str, Ready | Outcome | None]]:
    """Each of ``rows`` at its place in ``order``, with what ``prepared`` makes of it if it is given as
    JSON (None for a decoded row). The rows of a large import given as JSON are prepared in a forked
    child, a batch or two ahead, while this process merges the rows before them: the merge took one core
    of two, and a row's preparing is a third of its merge (``bench/model_steps.py``)."""
    sent: deque[list[tuple[int, ImportedRow | str]]] = deque()

    def batches() -> Iterator[list[str | None]]:
        for batch in batched(((at, rows[at]) for at in order), PREPARE_BATCH):
            sent.append(batch)
            yield [row if isinstance(row, str) else None for _, row in batch]

    # an import's rows come all as JSON or all decoded (a store's earlier import): none to prepare then
    forked = len(rows) >= max(PREPARE_FORK_FROM, 1) and isinstance(rows[0], str)
    work = partial(_prepared_batches, origin, packed=forked)
    if forked:
        doing = "preparing the rows to merge"
        results = in_turns(work, batches(), doing=doing, error=StoreError, children=1)
    else:
        results = work(batches())
    try:
        for made in results:
            for (at, row), ready in zip(sent.popleft(), made, strict=True):
                yield at, row, Ready.unpacked(ready) if isinstance(ready, tuple) else ready
    finally:
        results.close()  # the child ended now, not when a traceback holding this is let go


def _prepared_batches(
    origin: str, batches: Iterator[list[str | None]], *, packed: bool
) -> Generator[list[Ready | Packed | Outcome | None], None, None]:
    """``prepared`` of each row of each batch given as JSON (None for the others); ``packed`` to be sent
    to another process (``Ready.packed``)."""
    for batch in batches:
        made = [None if payload is None else prepared(origin, payload) for payload in batch]
        yield [ready.packed() if packed and isinstance(ready, Ready) else ready for ready in made]


def _oldest_first(names: Sequence[str | None]) -> Iterator[int]:
    """The order to merge rows in, given their ``names`` (None for a row that makes no model): as they
    come, except that the rows of one model under dated names (``Gemini 2.5 Pro (Jun 2025)``,
    ``(Mar 2025)``) swap places so the model's own undated row comes first, then the oldest dated one.
    Only the rows that move are held (a list of a million places held 36 MB)."""
    months: dict[int, dt.date] = {}
    groups: dict[str, list[int]] = {}
    for at, name in enumerate(names):
        stamp = dated(name) if name is not None else None
        if stamp is not None and stamp.month is not None:
            months[at] = stamp.month
            groups.setdefault(name_key(stamp.base), []).append(at)
    if groups:
        for at, name in enumerate(names):
            if name is not None and at not in months and name_key(name) in groups:
                groups[name_key(name)].append(at)
    moved: dict[int, int] = {}
    for positions in groups.values():
        slots = sorted(positions)
        by_date = sorted(positions, key=lambda at: (months.get(at, dt.date.min), at))
        moved.update(zip(slots, by_date, strict=True))
    return (moved.get(at, at) for at in range(len(names)))


def _first_release(model: Model, stamp: Dated) -> bool:
    """Whether the dated name's month is the month (or year) the model was released; a model without a
    date takes the first dated row as its release. A bare tag (``-0324``) has no month: a version."""
    if stamp.month is None:
        return False
    if model.released is None:
        return True
    first, last = model.released.span()
    month = (stamp.month.year, stamp.month.month)
    return (first.year, first.month) <= month <= (last.year, last.month)


def _rounded(value: float) -> str:
    """``value`` to three significant digits, to tell one figure from another."""
    return f"{value:.3g}"


def _with_catalog_tasks(model: Model) -> Model:
    """``model`` with its tasks spelt as the catalog spells them (``question answering`` →
    ``question-answering``), whichever importer made it and whenever its row was stored."""
    tasks = _catalog_tasks(model.tasks)
    return model if tasks == model.tasks else model.model_copy(update={"tasks": tasks})


def _catalog_tasks(tasks: list[str]) -> list[str]:
    """``tasks`` spelt as the catalog spells them, once each, those that spell nothing left out."""
    return list(dict.fromkeys(filter(None, map(task_slug, tasks))))


def _with_source_id(model: Model, source_id: str) -> Model:
    """``model`` with its first source renamed ``source_id``, the others prefixed by it, references too."""
    names = _source_ids([s.id for s in model.sources], source_id)
    sources: list[Source] = [s.model_copy(update={"id": names[s.id]}) for s in model.sources]
    update: dict[str, Any] = {"sources": sources}
    for list_name in SOURCED_LISTS:
        items = getattr(model, list_name)
        update[list_name] = [i.model_copy(update={"source": names.get(i.source, i.source)}) for i in items]
    return model.model_copy(update=update)


def _source_ids(ids: list[str], source_id: str) -> dict[str, str]:
    """Each of a row's source ids renamed for its import's line: the first ``source_id``, the others
    prefixed by it."""
    return {i: source_id if i == ids[0] else f"{source_id}-{i}" for i in ids}


def _links(model: Model) -> set[str]:
    """The model's papers (arXiv id or title), Hugging Face repositories and code, as comparable keys."""
    keys = {f"arxiv:{p.arxiv}" for p in model.papers if p.arxiv}
    keys |= {f"title:{name_key(p.title)}" for p in model.papers if p.title}
    keys |= {f"hf:{r.casefold()}" for r in (model.weights.huggingface if model.weights else [])}
    return keys | {f"code:{code_key(u)}" for u in model.code}


def _owners(model: Model) -> set[str]:
    """Who owns the model's Hugging Face repositories and GitHub code: ``bigcode/starcoder`` → bigcode."""
    repos = model.weights.huggingface if model.weights else []
    owners = {r.split("/")[0] for r in repos if "/" in r}
    code = [code_key(u).split("/") for u in model.code]
    owners |= {parts[1] for parts in code if parts[0] == "github.com" and len(parts) > 1}
    return {name_key(o) for o in owners if o}


def _after_release(announced: PartialDate, model: Model) -> bool:
    """Whether ``announced`` lies wholly after the model's release (no model is announced after it is out)."""
    return model.released is not None and announced.span()[0] > model.released.span()[1]


def _paper_year(date: PartialDate, model: Model) -> bool:
    """Whether ``date`` is a bare year that one of the model's papers carries."""
    return date.precision == "year" and any(
        p.year == date.date.year or (p.date is not None and p.date.date.year == date.date.year)
        for p in model.papers
    )


#: A record's fields and a source's, in the order ``Model.record_json`` writes them.
_MODEL_FIELDS = tuple(Model.model_fields)
_SOURCE_FIELDS = tuple(Source.model_fields)


def _put(record: dict[str, Any], name: str, value: list[Any]) -> bool:
    """Set ``record[name]`` to ``value``, or leave it out if empty (its default); whether the name was
    added at the end of the record, out of the fields' order."""
    if not value:
        record.pop(name, None)
        return False
    added = name not in record
    record[name] = value
    return added


def _name_of(row: ImportedRow | str) -> str | None:
    """The row's name, None if it makes no model (``_oldest_first``), of a row or of its JSON."""
    if isinstance(row, str):
        return model_name(row)
    return row.name if row.model is not None else None


def _rename_sources(record: dict[str, Any], source_id: str) -> None:
    """``_with_source_id`` on a record's plain values, in place."""
    sources = record["sources"]
    names = _source_ids([s["id"] for s in sources], source_id)
    for source in sources:
        source["id"] = names[source["id"]]
    for list_name in SOURCED_LISTS:
        for item in record.get(list_name, ()):
            if "source" in item:
                item["source"] = names.get(item["source"], item["source"])
