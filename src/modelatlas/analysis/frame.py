"""The analysis table: one row per model, the facts trends are computed from, estimates labelled.

Every analysis in this package takes the DataFrame that ``model_frame`` makes, so a notebook can build it
once (from the store, or from any list of ``Model`` records) and filter it with ``select``.

Dates known only to the month or the year are placed at the middle of that month or year, so a model
"released in 2019" does not pull a trend towards January.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson
import pandas as pd
import pyarrow as pa

from modelatlas.analysis.rows import COLUMNS, LISTS, NUMBERS, TEXTS, model_row
from modelatlas.analysis.rows import KINDS as KINDS
from modelatlas.analysis.rows import table_rows as table_rows
from modelatlas.catalog.schema import Model, Organization
from modelatlas.errors import BadArgument
from modelatlas.store.filter_sql import openness_values
from modelatlas.store.filters import FILTERS, NOT_OPEN, Filters
from modelatlas.store.filters import Population as Population
from modelatlas.store.records import analysis_column_chunks, few_selected, load_organizations

__all__ = [
    "KINDS",
    "METRICS",
    "ALONE_UP_TO",
    "EstimatesMode",
    "Metric",
    "Population",
    "Selection",
    "chunks_frame",
    "columns_frame",
    "countries_of",
    "described",
    "load_frame",
    "model_frame",
    "narrowed_frame",
    "select",
    "stored_frame",
    "table_rows",
]

Metric = Literal["parameters", "compute", "tokens", "cost"]
#: Each metric: its column, unit and label in English and Chinese.
METRICS: dict[str, tuple[str, str, str, str]] = {
    "parameters": ("parameters", "parameters", "Parameters", "参数量"),
    "compute": ("compute", "FLOP", "Training compute", "训练算力"),
    "tokens": ("tokens", "tokens", "Training tokens", "训练数据量（token）"),
    "cost": ("cost_usd", "USD", "Training cost", "训练成本"),
}
#: A question about at most this many models, in a store of more, reads their rows alone (``load_frame``).
ALONE_UP_TO = 100_000
#: What an analysis does with estimated values: use them, leave them out, or use nothing else.
EstimatesMode = Literal["include", "exclude", "only"]


def model_frame(
    models: Iterable[Model], organizations: Mapping[str, Organization], *, curated: Collection[str] = ()
) -> pd.DataFrame:
    """One row per model with the columns every analysis reads.

    ``notable`` is true for the models in ``curated`` (the ids of the curated catalog's records) and for
    those a third party judges notable (``Model.notability``: Epoch AI's notability criteria, in any of
    its exports); a model known only from other imports (a Hub listing, a list of Chinese models) is not.

    ``compute`` is the stated training compute; where it is missing and the model is a dense
    transformer with stated parameters and tokens it is ``6 · N · D``, and ``compute_method`` says so
    (``"stated"`` or ``"6ND"``). A metric the maker does not state takes a third party's estimate, and its
    kind column (``KINDS``) says ``"estimate"``. Models without a release date are kept (timelines skip
    them); dated versions of a model (``version_of``) are left out: the model counts once.
    """
    chosen = frozenset(curated)
    rows = [model_row(model, organizations, chosen) for model in models if model.version_of is None]
    return _frame(rows, {oid: org.country for oid, org in organizations.items()})


def stored_frame(
    rows: Iterable[Mapping[str, object]], countries: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """``model_frame`` from rows of the store's ``analysis_rows`` table (versions left out);
    ``countries`` maps each organization to its country (``countries``: of every organization of a
    model; without it, of the first only)."""
    kept = [row for row in rows if row["version_of"] is None]
    return _frame(_columns(kept, {column: column for column in COLUMNS}), countries)


def columns_frame(
    columns: Mapping[str, Sequence[Any]], countries: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """``stored_frame`` from ``analysis_rows`` as each column's values by name
    (``store.records.load_analysis_columns``): the same frame, without a dict a row."""
    versions = columns["version_of"]
    kept = [n for n, v in enumerate(versions) if v is None]
    pick = None if len(kept) == len(versions) else _picker(kept)
    found: dict[str, Any] = {}
    for column in COLUMNS:
        values = columns[column] if pick is None else pick(columns[column])
        if column in LISTS:
            found[column] = _tuples(values)
        elif column in TEXTS:
            found[column] = _texts(values)
        else:
            found[column] = list(values)
    return _frame(found, countries)


def _picker(places: list[int]) -> Callable[[Sequence[Any]], list[Any]]:
    """A function giving the values at ``places`` of a sequence, in order (``itemgetter``: a loop in C)."""
    if not places:
        return lambda values: []
    if len(places) == 1:  # itemgetter of one place gives the value, not a tuple
        (place,) = places
        return lambda values: [values[place]]
    get = operator.itemgetter(*places)
    return lambda values: list(get(values))


def _texts(values: Sequence[str | None]) -> pd.api.extensions.ExtensionArray:
    """Texts (or None) as the frame's text column, through an Arrow array: pandas' own conversion of a
    list looks at every value first (at a million models 2 of the table's 20 s)."""
    texts: pd.api.extensions.ExtensionArray = pd.array(pa.array(values, type=pa.large_string()), dtype="str")
    return texts


def _tuples(texts: Sequence[Any]) -> list[object]:
    """JSON arrays as tuples, each distinct text parsed once (and its tuple shared by its rows)."""
    parsed: dict[str, tuple[object, ...]] = {}
    for text in set(texts):
        parsed[text] = tuple(orjson.loads(str(text)))
    return [parsed[text] for text in texts]


def _columns(kept: Sequence[Any], where: Mapping[str, Any]) -> dict[str, list[object]]:
    """Each column of the frame as a list, from rows (mappings or tuples) and where each row holds it;
    the lists (JSON arrays in the store) as tuples. Built column by column: the frame is the same as
    from a dict a row, made in a fifth of the time."""
    loads = orjson.loads
    found: dict[str, list[object]] = {}
    for column in COLUMNS:
        place = where[column]
        if column in LISTS:
            found[column] = [tuple(loads(str(row[place]))) for row in kept]
        else:
            found[column] = [row[place] for row in kept]
    return found


def _frame(
    rows: list[dict[str, object]] | dict[str, list[object]],
    countries: Mapping[str, str | None] | None,
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["countries"] = pd.Series(_countries(frame, countries), index=frame.index, dtype=object)
    frame["notable"] = frame["notable"].astype(bool)
    frame["open_weights"] = frame["open_weights"].astype(bool)
    frame["released"] = pd.to_datetime(frame["released"])
    for column in NUMBERS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    for column in TEXTS:  # text even where every row is empty (a few models' rows: ``web.views.rows_for``)
        frame[column] = frame[column].astype("str")
    for column in LISTS:  # tuples even where there are no rows (no model selected)
        if frame[column].dtype != object:
            frame[column] = frame[column].astype(object)
    frame["year"] = frame["released"].dt.year.astype("Int64")
    frame["decimal_year"] = _decimal_year(frame["released"])
    return frame


def _countries(frame: pd.DataFrame, countries: Mapping[str, str | None] | None) -> list[tuple[str, ...]]:
    """The countries of each row's organizations, each once, first organization's first (a plain loop:
    a model has one organization as a rule)."""
    if countries is None:
        return [(c,) if isinstance(c, str) and c else () for c in frame["country"].tolist()]
    get = countries.get
    found: list[tuple[str, ...]] = []
    for orgs in frame["organizations"].tolist():
        if len(orgs) == 1:
            one = get(orgs[0])
            found.append((one,) if one else ())
        else:
            found.append(tuple(dict.fromkeys(c for o in orgs if (c := get(o)))))
    return found


def load_frame(url: str, selection: Selection | None = None) -> pd.DataFrame:
    """``model_frame`` of every model in the store at ``url``, from the table its build computed; with
    ``selection`` (resolved: ``store.browse.for_frame``), of the models it selects alone when the store
    has more than ``ALONE_UP_TO`` and they are at most that many (``narrowed_frame``): what ``select``
    keeps of either is the same.

    Raises:
        StoreMissing: nothing has been built at ``url`` yet.
    """
    found = narrowed_frame(url, selection) if selection is not None else None
    if found is not None:
        return found
    return chunks_frame(analysis_column_chunks(url), countries_of(url))


def chunks_frame(
    chunks: Iterable[Mapping[str, Sequence[Any]]], countries: Mapping[str, str | None] | None = None
) -> pd.DataFrame:
    """``columns_frame`` of the table read a chunk at a time (``store.records.analysis_column_chunks``):
    each chunk made a frame as it comes, then the frames joined a column at a time, so only one chunk's
    Python objects are held at once (at a million models the whole table as Python lists held 1.4 GB
    beside the frame's 0.6 GB). The same frame as ``columns_frame`` of the whole table."""
    frames = [columns_frame(chunk, countries) for chunk in chunks]
    if not frames:
        return columns_frame({column: [] for column in ("version_of", *COLUMNS)}, countries)
    if len(frames) == 1:
        return frames[0]
    joined = {
        column: pd.concat([frame.pop(column) for frame in frames], ignore_index=True)
        for column in list(frames[0].columns)
    }
    return pd.DataFrame(joined, copy=False)


def narrowed_frame(url: str, selection: Selection) -> pd.DataFrame | None:
    """The frame of the models ``selection`` selects, read alone, in a store of more than
    ``ALONE_UP_TO`` models of which it selects at most that many (``store.records.few_selected``); None
    otherwise. At a million models a trend of a few thousand was a read of the whole table: 15 s, 2.3 GB."""
    ids = few_selected(url, selection, ALONE_UP_TO)
    return None if ids is None else chunks_frame(analysis_column_chunks(url, ids), countries_of(url))


def countries_of(url: str) -> dict[str, str | None]:
    """Each organization's country, by id."""
    return {oid: org.country for oid, org in load_organizations(url).items()}


def _decimal_year(released: pd.Series) -> pd.Series:
    """2020-01-01 is 2020.0 and 2020-07-02 is about 2020.5 (empty where the date is)."""
    days = 365.0 + released.dt.is_leap_year.astype("float64")
    decimal: pd.Series = released.dt.year + (released.dt.day_of_year - 1) / days
    return decimal.astype("float64")


@dataclass(frozen=True, slots=True)
class Selection(Filters):
    """Which models an analysis looks at (``store.filters.Filters``, the filters every edge shares), and
    what it does with estimated values: ``estimates`` keeps every value (``include``), only values a
    source states (``exclude``: third-party estimates and 6·N·D left empty) or only the estimates
    (``only``). ``select`` applies the filters the analysis table has columns for; the others (text,
    modality, base) are asked of the store first (``store.browse.for_frame``)."""

    estimates: EstimatesMode = "include"


def described(selection: Selection) -> dict[str, str]:
    """What ``selection`` asks, as text by filter name (several values joined by commas), as the trends'
    JSON answers say it; the release dates also as ``since`` and ``until``, their names before issue 18."""
    given = {**selection.given(), "population": selection.population, "estimates": selection.estimates}
    given.pop("only", None)  # the caller's own ids, not a filter anyone typed
    for field, old in (("released_after", "since"), ("released_before", "until")):
        if field in given:
            given[old] = given[field]
    return {k: ",".join(map(str, v)) if isinstance(v, tuple) else str(v) for k, v in given.items()}


def select(frame: pd.DataFrame, selection: Selection, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``frame`` that ``selection`` keeps (a copy), each filter meaning what it means in SQL
    (``store.filter_sql``): a model counts for a country if any of its organizations is from there,
    release dates are compared as stated (a month's or year's first day, not the frame's midpoint),
    sizes as the maker states them.

    ``columns``: only these of the rows kept, and each metric with its kind (a trend's fit and chart
    need a few of the table's columns: at a million models copying them all took a second a trend).

    Raises:
        BadArgument: a filter the table cannot apply (text, modality, base) not yet resolved to ids.
    """
    unresolved = [name for name in _FROM_STORE if getattr(selection, name) not in (None, ())]
    if unresolved:
        raise BadArgument(
            f"{unresolved[0]}: the analysis table cannot apply it; resolve it to ids with "
            "store.browse.for_frame first"
        )
    keep = pd.Series(True, index=frame.index)
    if selection.only is not None:
        keep &= frame["id"].isin(selection.only)
    if selection.population == "notable":
        keep &= frame["notable"]
    if selection.released_after is not None or selection.released_before is not None:
        stated = _stated_date(frame)
        if selection.released_after is not None:
            keep &= stated >= pd.Timestamp(selection.released_after)
        if selection.released_before is not None:
            keep &= stated <= pd.Timestamp(selection.released_before)
    if selection.year:
        keep &= frame["year"].isin(selection.year).fillna(False).astype(bool)
    for column, among in (
        ("domains", selection.domain),
        ("organizations", selection.organization),
        ("countries", selection.country),
    ):
        if among:
            keep &= frame[column].map(lambda values, a=among: any(v in values for v in a)).astype(bool)
    if selection.source is not None:
        wanted = selection.source
        keep &= frame["sources"].map(lambda ids: any(_from(i, wanted) for i in ids)).astype(bool)
    if selection.openness:
        values = openness_values(selection.openness)
        shut = ~frame["open_weights"].astype(bool) if NOT_OPEN in values else False
        keep &= frame["openness"].isin(values) | shut
    if selection.open_only:
        keep &= frame["open_weights"].astype(bool)
    if selection.min_params is not None or selection.max_params is not None:
        size = frame["parameters"].where(frame["parameters_kind"] == "stated")
        if selection.min_params is not None:
            keep &= size >= selection.min_params
        if selection.max_params is not None:
            keep &= size <= selection.max_params
    if columns is not None:
        picked = [*columns, *(c for pair in KINDS.items() for c in pair if c not in columns)]
        frame = frame[picked]
    kept = frame[keep].copy()
    if selection.estimates != "include":
        for column, kind in KINDS.items():
            stated = kept[kind].isin(["stated"])
            kept.loc[~stated if selection.estimates == "exclude" else stated, column] = float("nan")
    return kept


#: The filters ``select`` leaves to the store (``FilterSpec.frame``).
_FROM_STORE = tuple(s.field for s in FILTERS if not s.frame)


def _stated_date(frame: pd.DataFrame) -> pd.Series:
    """Each release date as stated: a month's or year's first day (the frame holds its midpoint)."""
    released = frame["released"]
    stated = released.copy()
    for precision, period in (("year", "Y"), ("month", "M")):
        rows = frame["date_precision"] == precision
        if rows.any():
            stated[rows] = released[rows].dt.to_period(period).dt.start_time
    return stated


def _from(source_id: str, wanted: str) -> bool:
    """Whether ``source_id`` is ``wanted`` or one of its rows; a bundled copy of a dataset counts as the
    dataset (``bundled-epoch-notable-ai-models.csv-l27`` is from ``epoch``)."""
    own = source_id.removeprefix("bundled-")
    return any(s == wanted or s.startswith(f"{wanted}-") for s in {source_id, own})
