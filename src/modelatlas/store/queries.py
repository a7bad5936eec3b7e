"""Read the store: resolve names, list, search, lineage, overview; the same answers on every backend."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from rapidfuzz import fuzz, process
from sqlalchemy import (
    Connection,
    Engine,
    Text,
    and_,
    bindparam,
    func,
    inspect,
    literal_column,
    or_,
    select,
    text,
    union,
)

from modelatlas.catalog.names import name_key, name_words
from modelatlas.catalog.schema import Model
from modelatlas.catalog.vocab import OPEN_WEIGHTS
from modelatlas.errors import NotFound, StoreError, StoreMissing
from modelatlas.store import ranking
from modelatlas.store import tables as T
from modelatlas.store.engine import sqlite_path, unreadable
from modelatlas.store.facet_index import domain_year_counts, has_facet_index
from modelatlas.store.related import NOTHING_RELATED, Related, organization_models, related
from modelatlas.store.text_index import (
    MIN_LENGTH,
    contains,
    has_text_index,
    keys_of_length,
    text_ids,
    text_scan,
)

__all__ = [
    "OPEN_WEIGHTS",
    "Lineage",
    "ModelRow",
    "Overview",
    "SearchHit",
    "build_stamp",
    "built_at",
    "check_store",
    "currency",
    "among",
    "get_model",
    "in_array",
    "lineage",
    "near_names",
    "newest_models",
    "organizations",
    "overview",
    "resolve",
    "rows_for",
    "search",
    "text_match",
    "versions",
]


SortKey = Literal["released", "parameters", "name"]
#: With fewer exact or substring matches than this, a search also looks for near spellings.
_FEW = 10
#: A near spelling scores at least this (``fuzz.ratio``, 0–100) against the query; at most
#: ``_NEAR_LIMIT`` names count.
_NEAR = 75
_BUILD = "run `modelatlas build` first"
_NEAR_LIMIT = 50
#: Read the rows of at most this many near keys by key; beyond, read every row.
_MAX_KEYS = 2000


def check_store(engine: Engine) -> None:
    """Raise unless a built store is reachable through ``engine``.

    Raises:
        StoreMissing: there is no store yet (run ``modelatlas build``).
        StoreError: the database cannot be reached.
    """
    url = engine.url.render_as_string(hide_password=True)
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.exists():  # connecting would leave an empty file at a mistyped path
        raise StoreMissing(f"no store at {url}", advice=_BUILD, key="err_no_store")
    try:
        with engine.connect() as conn:
            present = inspect(conn).has_table("models")
            versioned = present and inspect(conn).has_table("alembic_version")
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if versioned else None
            )
    except Exception as exc:  # any driver error: unreachable server, bad file
        raise unreadable("cannot open the store", url, exc) from exc
    if not present:
        raise StoreMissing(f"no store at {url}", advice=_BUILD, key="err_no_store")
    if revision != T.SCHEMA_REVISION:
        raise StoreError(
            f"the store at {url} has schema {revision or 'unknown'}, this modelatlas reads "
            f"{T.SCHEMA_REVISION}",
            advice="run `modelatlas build` to rebuild it; imports are kept",
            key="err_old_store",
        )


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One line of a listing."""

    id: str
    name: str
    organizations: list[str]
    countries: list[str]
    domains: list[str]
    parameters: int | None
    released: str | None
    openness: str | None
    architecture: str | None
    license: str | None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    name: str
    matched: str
    score: float


@dataclass
class Lineage:
    """Ancestors (bases) and descendants of a model, each as ``(id, relation, depth)``."""

    up: list[tuple[str, str, int]] = field(default_factory=list)
    down: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Overview:
    total: int
    by_domain: dict[str, int]
    by_year: dict[int, int]
    by_domain_year: dict[tuple[str, int], int]
    newest: list[ModelRow]
    currency: Currency


@dataclass(frozen=True, slots=True)
class SourceDate:
    """One imported dataset: its import key, the date of its copy (a bundled snapshot's date, else the
    day it was imported) and how many rows it has."""

    key: str
    date: str
    rows: int


@dataclass(frozen=True, slots=True)
class Currency:
    """How current the store is: the curated catalog's size and newest release, and each dataset's date."""

    curated_models: int | None
    newest_curated: str | None
    built_at: str | None
    sources: list[SourceDate]


def currency(conn: Connection) -> Currency:
    info: dict[str, str] = {
        str(k): str(v) for k, v in conn.execute(select(T.build_info.c.key, T.build_info.c.value)).all()
    }
    counts = (
        select(T.imports.c.key, T.imports.c.imported_at, func.count(T.import_rows.c.position))
        .join(T.import_rows, T.import_rows.c.import_id == T.imports.c.id, isouter=True)
        .group_by(T.imports.c.id, T.imports.c.key, T.imports.c.imported_at)
        .order_by(T.imports.c.id)
    )
    sources = [SourceDate(k, str(d)[:10], int(n)) for k, d, n in conn.execute(counts)]
    curated = info.get("curated_models")
    return Currency(
        int(curated) if curated else None, info.get("newest_curated"), info.get("built_at"), sources
    )


def built_at(conn: Connection) -> str | None:
    """When the store was built (``build_info.built_at``): a key for anything computed from one build."""
    found = conn.execute(select(T.build_info.c.value).where(T.build_info.c.key == "built_at")).scalar()
    return str(found) if found is not None else None


def build_stamp(conn: Connection) -> str:
    """What tells one build of the store from any other (``built_at`` and ``build_id``), even two built
    in the same second: the key for anything computed from one build."""
    rows = dict(
        conn.execute(
            select(T.build_info.c.key, T.build_info.c.value).where(
                T.build_info.c.key.in_(("built_at", "build_id"))
            )
        ).all()
    )
    return f"{rows.get('built_at')} {rows.get('build_id')}"


def resolve(conn: Connection, ident: str) -> str:
    """The id of the model called ``ident`` (id, name, alias or variant name, any case or hyphenation).

    Raises:
        NotFound: no model has that name; the message suggests the closest names.
    """
    key = name_key(ident)
    row = conn.execute(
        select(T.model_names.c.model_id)
        .where(T.model_names.c.key == key)
        .order_by(T.model_names.c.kind, T.model_names.c.model_id)
        .limit(1)
    ).first()
    if row:
        return str(row[0])
    hits = search(conn, ident, limit=3)
    names = [h.name for h in hits]
    hint = f"; did you mean {', '.join(repr(n) for n in names)}?" if names else ""
    raise NotFound(
        f"no model called {ident!r}{hint}",
        advice=f"try `modelatlas search {ident}`",
        key="err_no_model_near" if names else "err_no_model",
        values={"name": ident, "near": names},
    )


def get_model(conn: Connection, model_id: str) -> Model:
    """The full catalog record of ``model_id``.

    Raises:
        NotFound: there is no model with that id.
    """
    row = conn.execute(select(T.models.c.record_json).where(T.models.c.id == model_id)).first()
    if row is None:
        raise NotFound(f"no model with id {model_id!r}")
    return Model.model_validate(orjson.loads(row[0]))


def organizations(conn: Connection) -> dict[str, dict[str, Any]]:
    """Every organization by id."""
    return {r["id"]: dict(r) for r in conn.execute(select(T.organizations)).mappings()}


def lineage(conn: Connection, model_id: str) -> Lineage:
    """Bases (up, transitively) and derivatives (down, transitively) of ``model_id``."""
    edges = conn.execute(select(T.lineage.c.model_id, T.lineage.c.base_id, T.lineage.c.relation)).all()
    up_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    down_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for child, base, relation in edges:
        up_of[child].append((base, relation))
        down_of[base].append((child, relation))
    return Lineage(up=_walk(model_id, up_of), down=_walk(model_id, down_of))


def _walk(start: str, graph: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str, int]]:
    """Every model reachable from ``start`` with its relation and nearest depth, each listed right after
    the model it was reached from (a tree read top to bottom), siblings sorted by id."""
    children: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen = {start}
    frontier = [start]
    while frontier:  # breadth first: each model hangs under the nearest model it is reached from
        following = []
        for node in frontier:
            for nxt, relation in sorted(graph.get(node, [])):
                if nxt not in seen:
                    seen.add(nxt)
                    children[node].append((nxt, relation))
                    following.append(nxt)
        frontier = following
    out: list[tuple[str, str, int]] = []

    def visit(node: str, depth: int) -> None:
        for nxt, relation in children[node]:
            out.append((nxt, relation, depth + 1))
            visit(nxt, depth + 1)

    visit(start, 0)
    return out


def versions(conn: Connection, model_id: str) -> list[tuple[str, str, str | None]]:
    """The dated versions of ``model_id`` (id, name, version), oldest first."""
    m = T.models
    query = (
        select(m.c.id, m.c.name, m.c.version).where(m.c.version_of == model_id).order_by(m.c.released, m.c.id)
    )
    return [(r.id, r.name, r.version) for r in conn.execute(query)]


def rows_for(conn: Connection, ids: list[str]) -> list[ModelRow]:
    """Listing rows for ``ids``, in that order."""
    if not ids:
        return []
    m, mo, o, md = T.models, T.model_organizations, T.organizations, T.model_domains
    shown = [m.c.id, m.c.name, m.c.parameters, m.c.released, m.c.released_precision, m.c.openness]
    shown += [m.c.architecture, m.c.license]  # not the record's JSON, which a page never reads
    base = {r["id"]: r for r in conn.execute(select(*shown).where(among(conn, m.c.id, ids))).mappings().all()}
    orgs: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
    for mid, pos, name, country in conn.execute(
        select(mo.c.model_id, mo.c.position, o.c.name, o.c.country)
        .join(o, o.c.id == mo.c.organization_id)
        .where(among(conn, mo.c.model_id, ids))
    ).all():
        orgs[mid].append((pos, name, country))
    domains: dict[str, list[str]] = defaultdict(list)
    in_ids = among(conn, md.c.model_id, ids)
    for mid, domain in conn.execute(select(md.c.model_id, md.c.domain).where(in_ids)).all():
        domains[mid].append(domain)
    out = []
    for mid in ids:
        r = base[mid]
        ordered = sorted(orgs[mid])
        out.append(
            ModelRow(
                id=mid,
                name=r["name"],
                organizations=[name for _, name, _ in ordered],
                countries=sorted({c for _, _, c in ordered if c}),
                domains=sorted(domains[mid]),
                parameters=r["parameters"],
                released=_date_text(r["released"], r["released_precision"]),
                openness=r["openness"],
                architecture=r["architecture"],
                license=r["license"],
            )
        )
    return out


def _date_text(value: dt.date | None, precision: str | None) -> str | None:
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _name_matches(query_key: str) -> Any:
    """Names whose key is ``query_key`` (one character) or contains it."""
    key = T.model_names.c.key
    return key == query_key if len(query_key) < 2 else contains(key, query_key)


def _summary_ids(needle: str) -> list[Any]:
    """The ids of the models whose English or Chinese summary contains ``needle``, one query each, so
    that PostgreSQL reads each from its trigram index (an OR of the two makes it read every model)."""
    m = T.models.c
    return [
        select(m.id).where(contains(func.lower(m.summary_en), needle)),
        select(m.id).where(contains(m.summary_zh, needle)),
    ]


def _indexed(query_key: str, needle: str, indexed: bool) -> bool:
    """Whether the trigram index can answer both the name and the summary part of a query."""
    return indexed and len(query_key) >= MIN_LENGTH and len(needle) >= MIN_LENGTH


def text_match(text: str, *, indexed: bool = False, also: Related = NOTHING_RELATED) -> Any | None:
    """``search``'s name, organization and summary matches as one SQL condition on ``models`` (no
    ranking, no near spellings); None when ``text`` has nothing to match on. ``also`` is what
    ``related`` found for ``text``: its organizations' models, and (for the names it stands for) the
    models one of whose keys contains that name's. With ``indexed`` (the store has the trigram index,
    ``store.text_index``) the condition is an index lookup instead of a scan."""
    query_key, needle = name_key(text), text.strip().casefold()
    mo, mn = T.model_organizations.c, T.model_names.c
    others = [select(mn.model_id).where(_name_matches(name_key(name))) for name in also.names]
    if also.organizations:
        others.append(select(mo.model_id).where(mo.organization_id.in_(list(also.organizations))))
    if _indexed(query_key, needle, indexed):
        found = T.models.c.id.in_(text_ids(query_key, needle))
        return or_(found, T.models.c.id.in_(union(*others))) if others else found
    # one set of ids, each part its own query, so that PostgreSQL answers each from its trigram index
    # (an OR across the parts makes it read every model)
    parts: list[Any] = []
    if query_key:
        parts.append(select(mn.model_id).where(_name_matches(query_key)))
    if len(needle) >= 2:
        parts += _summary_ids(needle)
    parts += others
    return T.models.c.id.in_(union(*parts)) if parts else None


def _lengths_near(length: int) -> tuple[int, int]:
    """The shortest and longest key that can score ``_NEAR`` against a query key of ``length``.

    ``fuzz.ratio`` is ``200 * common / (length + other)``, and ``common`` (the longest common subsequence)
    is at most the shorter length; the bounds are taken a point lower than ``_NEAR``, to stay clear of
    rounding, which only lets in a few more keys for rapidfuzz to turn down."""
    slack = _NEAR - 1
    return -(-slack * length // (200 - slack)), (200 - slack) * length // slack


def _table_order(conn: Connection) -> Any:
    """The order a plain scan of ``model_names`` returns its rows in: as they were inserted."""
    return literal_column("rowid" if conn.dialect.name == "sqlite" else "ctid")


def near_names(conn: Connection, query_key: str) -> list[tuple[str, str, float]]:
    """The names nearest to ``query_key`` by ``fuzz.ratio`` (at least ``_NEAR``), as
    ``(model_id, name, score)``: the best ``_NEAR_LIMIT``, best first, ties in the table's order.

    The answer of comparing ``query_key`` with the key of every row of ``model_names``, without reading
    every row: only the distinct keys of a length that can score ``_NEAR`` are compared (rapidfuzz, in
    C++), and only the rows of the keys that can be among the best are read.
    """
    scored = process.extract(
        query_key,
        keys_of_length(conn, *_lengths_near(len(query_key))),
        scorer=fuzz.ratio,
        limit=None,
        score_cutoff=_NEAR,
    )
    if len(scored) > _NEAR_LIMIT:  # every key has a row: no row below the best keys' last is among the best
        floor = scored[_NEAR_LIMIT - 1][1]
        scored = [found for found in scored if found[1] >= floor]
    score_of = {key: float(score) for key, score, _ in scored}
    if not score_of:
        return []
    mn = T.model_names
    query = select(mn.c.model_id, mn.c.name, mn.c.key)
    if len(score_of) <= _MAX_KEYS:  # else (many keys tie at the last place) read every row, as it is
        query = query.where(mn.c.key.in_(list(score_of))).order_by(_table_order(conn))
    rows = [(mid, name, score_of[key]) for mid, name, key in conn.execute(query).all() if key in score_of]
    rows.sort(key=lambda row: -row[2])  # stable: ties stay in the table's order
    return rows[:_NEAR_LIMIT]


#: What ``search`` holds of a model it has not found: no score, no name.
_NO_HIT = (0.0, "")

#: Read the dates of at most this many hits in one statement (a bound on the parameters it may carry).
_CHUNK = 5000

#: More ids than this go to SQLite as one JSON array (``json_each``), not one parameter each.
_JSON_IDS = 100

#: A model's display name and release date.
Dated = tuple[str, dt.date | None]


def _dated(conn: Connection, ids: list[str]) -> dict[str, Dated]:
    """The display name and release date of each of ``ids`` (as ``among`` asks for them: on PostgreSQL
    binding 5,000 ids one by one took 173 ms of a search, one array parameter 71 ms)."""
    m = T.models.c
    found: dict[str, Dated] = {}
    step = max(len(ids), 1) if conn.dialect.name == "postgresql" else _CHUNK
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step]
        for mid, name, released in conn.execute(
            select(m.id, m.name, m.released).where(among(conn, m.id, chunk))
        ).all():
            found[mid] = (name, as_date(released))
    return found


def among(conn: Connection, column: Any, ids: Sequence[str]) -> Any:
    """``column IN ids``, as binding hundreds of parameters one by one is slow: on PostgreSQL one text
    parameter (``in_array``), on SQLite more than ``_JSON_IDS`` ids as one JSON array (``json_each``,
    SQLite 3.38 and later: binding a thousand search hits took a third of the search)."""
    if conn.dialect.name == "postgresql":
        return in_array(column, ids)
    dbapi = conn.dialect.dbapi
    if len(ids) <= _JSON_IDS or dbapi is None or getattr(dbapi, "sqlite_version_info", ()) < (3, 38):
        return column.in_(ids)
    listed = func.json_each(orjson.dumps(list(ids)).decode()).table_valued("value")
    return column.in_(select(listed.c.value))


def in_array(column: Any, ids: Sequence[str]) -> Any:
    """On PostgreSQL, ``column IN ids`` with ``ids`` as one text parameter, split into an array on the
    server and unnested: a join on the column's index. (``column = ANY(array)`` let the planner scan a
    whole index of which the column is the second key: 11,111 ids among 1,000,000 models took
    490–1,030 ms, unnested 66 ms. One text, not a text array: psycopg adapts an array element by
    element in Python; a query by 3,000 ids took 1.2 ms of CPU, by the joined text 0.4. The server
    folds ``string_to_array`` of a constant before planning: the plan is the same.) No id holds a
    line break."""
    joined = bindparam(None, "\n".join(ids), type_=Text)
    return column.in_(select(func.unnest(func.string_to_array(joined, "\n"))))


def as_date(value: Any) -> dt.date | None:
    """A date column's value as a date (SQLite's driver may give the ISO text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _name_rows(conn: Connection, query_key: str, indexed: bool) -> Sequence[tuple[str, str, str]]:
    """``(model id, name, key)`` of the names whose key contains ``query_key`` (is it, if one character),
    in no particular order. (Not joined with ``models``: PostgreSQL would read every model for a hash
    join; the dates of the hits are read by id afterwards.)"""
    mn = T.model_names.c
    wanted = _name_matches(query_key)
    if indexed and len(query_key) >= MIN_LENGTH:
        wanted = and_(mn.model_id.in_(text_ids(query_key, "", summaries=False)), wanted)
    return conn.execute(select(mn.model_id, mn.name, mn.key).where(wanted)).all()


def search(conn: Connection, text: str, *, limit: int = 20, aliases: bool | None = None) -> list[SearchHit]:
    """Models whose names, aliases, organizations or summaries match ``text``, best first, ranked by
    ``store.ranking``: exact names, then versions and sizes of the name, names beginning with the query's
    words, names with them inside, the models of an organization so named, names with the query's
    letters, near spellings, summaries; within each, newest first.

    Tolerant of case, spaces, hyphens (``Llama 2`` = ``LLaMa-2`` = ``llama2``) and small typos.
    ``aliases``: whether the store has ``organization_names``, if the caller knows (else asked).
    """
    query_key = name_key(text)
    needle = text.strip().casefold()
    if not query_key and not needle:
        return []
    words = name_words(text)
    best: dict[str, tuple[float, str]] = {}
    dated: dict[str, Dated] = {}
    indexed = _indexed(query_key, needle, has_text_index(conn))

    def offer(mid: str, score: float, matched: str) -> None:
        if score > best.get(mid, _NO_HIT)[0]:
            best[mid] = (score, matched)

    def ranked(query: list[str], key: str, cap: float) -> None:
        """Offer every name whose key contains ``key``, scored against ``query``, at most ``cap``."""
        rows = found if key == query_key else _name_rows(conn, key, has_text_index(conn))
        score_of = ranking.name_scorer(query, key)
        # each model's best name, the first by name of a tie (as offering the rows sorted would keep;
        # sorting 23,000 rows of gpt took 10 ms)
        mine: dict[str, tuple[float, str]] = {}
        for mid, name, name_key_ in rows:
            score = score_of(name, name_key_)
            if score is None:
                continue
            score = min(score, cap)
            held = mine.get(mid)
            if held is None or score > held[0] or (score == held[0] and name < held[1]):
                mine[mid] = (score, name)
        for mid, hit in mine.items():  # (offer, inline)
            if hit[0] > best.get(mid, _NO_HIT)[0]:
                best[mid] = hit

    if query_key:
        found = _name_rows(conn, query_key, indexed)
        ranked(words, query_key, ranking.EXACT)
        also = related(conn, text, found, aliases=aliases)
        for other in also.names:  # a Chinese name stands for the model's own, as the words inside a name
            ranked(name_words(other), name_key(other), ranking.WORDS)
        for mid, organization in organization_models(conn, also.organizations):
            offer(mid, ranking.ORGANIZATION, organization)
    # A typo finds (almost) no substring: only then look for near spellings among the names.
    if query_key and len(query_key) >= 4 and len(best) < min(limit, _FEW):
        for mid, name, score in near_names(conn, query_key):
            offer(mid, ranking.near_score(score), name)
    if needle and len(needle) >= 2:
        m = T.models.c
        in_summary: Any
        if indexed:
            in_summary = m.id.in_(text_ids(query_key, needle, names=False))
        elif has_text_index(conn) and "\0" not in needle:  # the index's rows narrow the scan
            in_english, in_chinese = (
                contains(func.lower(m.summary_en), needle),
                contains(m.summary_zh, needle),
            )
            in_summary = and_(m.id.in_(text_scan(needle)), or_(in_english, in_chinese))
        else:
            in_summary = m.id.in_(union(*_summary_ids(needle)))
        found_in = conn.execute(select(m.id, m.name, m.released).where(in_summary)).all()
        for mid, display, released in found_in:
            dated[mid] = (display, released)
            offer(mid, ranking.SUMMARY, "summary")
    if not best:
        return []
    dated.update(_dated(conn, [mid for mid in best if mid not in dated]))
    dated = {mid: (display, as_date(released)) for mid, (display, released) in dated.items()}
    order = sorted(best, key=lambda mid: ranking.hit_order(best[mid][0], dated[mid][1], dated[mid][0], mid))
    return [SearchHit(mid, dated[mid][0], best[mid][1], round(best[mid][0], 1)) for mid in order[:limit]]


def overview(conn: Connection, *, newest: int = 10) -> Overview:
    """Counts per domain and per release year, and the newest models. The counts by year come from the
    facet index where the store has one (``facet_index.domain_year_counts``: the same counts)."""
    m, md = T.models, T.model_domains
    total = conn.execute(select(func.count()).select_from(m)).scalar_one()
    by_domain: Counter[str] = Counter(
        dict(conn.execute(select(md.c.domain, func.count()).group_by(md.c.domain)).all())
    )
    if has_facet_index(conn):
        by_year, by_domain_year = domain_year_counts(conn)
    else:
        by_year, by_domain_year = _year_counts(conn)
    return Overview(
        total,
        dict(sorted(by_domain.items())),
        dict(sorted(by_year.items())),
        dict(sorted(by_domain_year.items())),
        newest_models(conn, newest),
        currency(conn),
    )


def _year_counts(conn: Connection) -> tuple[Counter[int], Counter[tuple[str, int]]]:
    """``facet_index.domain_year_counts`` from the model tables (a store without the facet index)."""
    m, md = T.models, T.model_domains
    year = func.extract("year", m.c.released)
    by_domain_year: Counter[tuple[str, int]] = Counter()
    for domain, y, n in conn.execute(
        select(md.c.domain, year, func.count())
        .join(m, m.c.id == md.c.model_id)
        .where(m.c.released.is_not(None))
        .group_by(md.c.domain, year)
    ):
        by_domain_year[(domain, int(y))] = n
    by_year = Counter(
        {
            int(y): n
            for y, n in conn.execute(
                select(year, func.count()).where(m.c.released.is_not(None)).group_by(year)
            )
        }
    )
    return by_year, by_domain_year


def newest_models(conn: Connection, newest: int) -> list[ModelRow]:
    """The ``newest`` models by release date (those without one last), then by id."""
    m = T.models
    ids = select(m.c.id).order_by(m.c.released.desc().nulls_last(), m.c.id).limit(newest)
    return rows_for(conn, list(conn.execute(ids).scalars())) if newest > 0 else []
