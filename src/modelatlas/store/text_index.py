"""A trigram full-text index of model names and summaries, so substring search stays fast at any size.

On SQLite a build fills ``model_text``, an FTS5 table with the trigram tokenizer: one row per model
with its normalised name keys and its summaries (``text_rows``, made with each chunk of the model's
other rows). A substring of three or more characters is then found from the index (``text_ids``: the
rows holding each of its trigrams, then checked) instead of by scanning every name and summary. It
keeps which rows hold each trigram, not where (``detail=none``, migration 0017). It is derived
data, filled by every build; migration 0010 makes it, like the other tables here (``tables.DERIVED``).
Without it (PostgreSQL, an older store, a query shorter than three characters) the queries scan with
``LIKE``. On PostgreSQL the build
indexes the columns that ``LIKE`` reads with pg_trgm's GIN operator class instead, which answers
``LIKE '%…%'`` itself. Trigrams cannot answer a two-character substring (``r1``, 混元, 千问: many
Chinese names are two characters), which then read every name and summary (about 1 s at 100,000
models); so on PostgreSQL the build also indexes the same columns by their two-character substrings,
``modelatlas_bigrams(column)`` (a function made by migration 0014) in a GIN index, and ``contains``
asks a two-character part of that index first (the ``LIKE`` still decides: the same answers).

Beside it a build writes ``name_keys`` (on PostgreSQL too): every distinct name key, grouped by length
into one row per length (the keys of that length joined by newlines, which no key contains). The
near-spelling pass of ``queries.search`` reads only the lengths that can come near enough to the query,
a handful of rows, instead of every name of every model; without it the same keys come from ``model_names``.

And ``organization_names`` (on both): every name of every organization, as ``model_names`` holds the
models' (id, name, Chinese name, aliases, each with its key), so that a search finds the models of
清华大学 for 清华 and of 腾讯 (alias 腾讯混元) for 混元; without it the same from ``organizations``, aliases
left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Text,
    and_,
    cast,
    column,
    false,
    func,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from modelatlas.catalog.names import name_key
from modelatlas.catalog.schema import Organization
from modelatlas.store import tables as T

__all__ = [
    "BIGRAMS",
    "BIGRAM_INDEXES",
    "KEYS_TABLE",
    "MIN_LENGTH",
    "ORGANIZATION_NAMES",
    "TEXT",
    "TEXT_TABLE",
    "TRIGRAM_INDEXES",
    "bigram_indexes",
    "contains",
    "fill_organization_names",
    "fill_text_index",
    "has_organization_names",
    "has_text_index",
    "keys_of_length",
    "organization_names",
    "text_ids",
    "text_rows",
    "text_scan",
    "trigram_indexes",
]

TEXT_TABLE = "model_text"
KEYS_TABLE = "name_keys"
ORGANIZATION_NAMES = "organization_names"
#: The trigram tokenizer needs at least three characters to match.
MIN_LENGTH = 3


#: ``model_text``'s columns, for ``store.bulk``.
TEXT = table(TEXT_TABLE, column("model_id"), column("names"), column("summary"))


def text_rows(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[dict[str, str]]:
    """The ``model_text`` rows of the models of ``rows`` (one chunk's rows by table, as
    ``store.rows.model_rows`` makes them): each model's name keys in the order they were made, joined by
    spaces, and its summaries, English first, joined by a space and case-folded (``text_ids`` compares
    them with the case-folded needle exactly, with ``instr``)."""
    names: dict[str, list[str]] = defaultdict(list)
    for row in rows.get("model_names", ()):
        names[row["model_id"]].append(row["key"])
    found = []
    for model in rows.get("models", ()):
        en, zh = model["summary_en"], model["summary_zh"]
        summary = (f"{en} {zh}" if en and zh else en or zh or "").casefold()
        found.append(
            {"model_id": model["id"], "names": " ".join(names.get(model["id"], ())), "summary": summary}
        )
    return found


def fill_text_index(conn: Connection) -> None:
    """Fill ``name_keys``, once every model's names are in; on PostgreSQL first index the columns
    ``model_text`` holds on SQLite for substring search with pg_trgm (``trigram_indexes``)."""
    if conn.dialect.name == "postgresql":
        trigram_indexes(conn)
        bigram_indexes(conn)
        _fill_keys(conn)
        return
    if conn.dialect.name != "sqlite":
        return
    _fill_keys(conn)


def _fill_keys(conn: Connection) -> None:
    """Fill ``name_keys``: the distinct name keys, one row per length, each length's in code point order
    (as Python sorts). They are read in that order, on SQLite from the index of keys without a sort, and
    each length's are joined ``_JOINED`` at a time as they come: at a million models (3,000,000 keys)
    held as strings, one each, they took 273–363 MB; sorted by length in SQL, 7 s more."""
    mn = T.model_names
    # PostgreSQL orders text by the database's locale unless told otherwise
    by_point = mn.c.key if conn.dialect.name == "sqlite" else mn.c.key.collate("C")
    waiting: dict[int, list[str]] = defaultdict(list)
    joined: dict[int, list[str]] = defaultdict(list)
    for key in conn.execute(select(by_point).distinct().order_by(by_point)).scalars():
        same = waiting[len(key)]
        same.append(key)
        if len(same) == _JOINED:
            joined[len(key)].append("\n".join(same))
            same.clear()
    insert = text(f"INSERT INTO {KEYS_TABLE} (length, keys) VALUES (:length, :keys)")
    for length in sorted(waiting):
        keys = "\n".join([*joined.pop(length, []), *waiting[length]])
        conn.execute(insert, {"length": length, "keys": keys})


#: Keys of one length joined at a time as ``_fill_keys`` reads them.
_JOINED = 10_000


def fill_organization_names(conn: Connection, organizations: Iterable[Organization]) -> None:
    """Fill ``organization_names``: each organization's name, Chinese name, aliases and id,
    once per key (``Age of AI``, not ``age-of-ai``)."""
    rows = []
    for org in organizations:
        seen = set()
        for name in (org.name, org.name_zh, *org.aliases, org.id):  # a spelling of the name over the id
            key = name_key(name) if name else ""
            if key and key not in seen:
                seen.add(key)
                rows.append({"organization_id": org.id, "name": name, "key": key})
    if rows:
        conn.execute(
            text(
                f"INSERT INTO {ORGANIZATION_NAMES} (organization_id, name, key) "
                "VALUES (:organization_id, :name, :key)"
            ),
            rows,
        )


def has_organization_names(conn: Connection) -> bool:
    """Whether the store has the ``organization_names`` table (a build of an older modelatlas has not)."""
    return inspect(conn).has_table(ORGANIZATION_NAMES)


def organization_names(
    conn: Connection, query_key: str, *, aliases: bool | None = None
) -> list[tuple[str, str]]:
    """``(organization id, name)`` of every organization name whose key contains ``query_key``, in no
    particular order: from ``organization_names`` when the store has it (``aliases``, if the caller
    knows: else asked, a catalog query on PostgreSQL), else the ids, names and Chinese names of
    ``organizations``."""
    if not query_key:
        return []
    found: list[tuple[str, str]] = []
    if has_organization_names(conn) if aliases is None else aliases:
        position = "instr(key, :key)" if conn.dialect.name == "sqlite" else "strpos(key, :key)"
        rows = conn.execute(
            text(f"SELECT organization_id, name FROM {ORGANIZATION_NAMES} WHERE {position} > 0"),
            {"key": query_key},
        )
        return [(str(org), str(name)) for org, name in rows]
    o = T.organizations.c
    for org, name, name_zh in conn.execute(select(o.id, o.name, o.name_zh)):
        found += [(org, n) for n in (name, name_zh, org) if n and query_key in name_key(n)]
    return found


#: PostgreSQL's trigram indexes: name, table and the column or expression each makes ``LIKE '%…%'`` fast
#: on (the expressions ``queries.text_match`` and ``queries.search`` compare).
TRIGRAM_INDEXES = (
    ("ix_model_names_key_trgm", "model_names", "key"),
    ("ix_models_summary_en_trgm", "models", "(lower(summary_en))"),
    ("ix_models_summary_zh_trgm", "models", "summary_zh"),
)


def trigram_indexes(conn: Connection) -> bool:
    """On PostgreSQL, create the pg_trgm extension (if it is not there yet) and ``TRIGRAM_INDEXES``, so
    that substring search over names and summaries reads an index instead of every row, as the FTS5
    table does on SQLite. A server where the extension is missing or may not be created (a shared server,
    no privilege) keeps the plain scan: the same answers, slower. Returns whether the indexes exist."""
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError:
        return False
    schema = conn.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    for name, indexed, expression in TRIGRAM_INDEXES:
        opclass = f'"{schema}".gin_trgm_ops'
        conn.execute(text(f"CREATE INDEX {name} ON {indexed} USING gin ({expression} {opclass})"))
    return True


#: PostgreSQL's function of a text's distinct two-character substrings (an array), made by migration 0014.
BIGRAMS = "modelatlas_bigrams"

#: Its GIN indexes: name, table and the column or expression whose two-character substrings each holds
#: (the expressions of ``TRIGRAM_INDEXES``).
BIGRAM_INDEXES = (
    ("ix_model_names_key_bigrams", "model_names", "key"),
    ("ix_models_summary_en_bigrams", "models", "lower(summary_en)"),
    ("ix_models_summary_zh_bigrams", "models", "summary_zh"),
)


def bigram_indexes(conn: Connection) -> None:
    """On PostgreSQL, ``BIGRAM_INDEXES``: made once the rows are in (a GIN index kept up row by row
    during the load would cost far more)."""
    for name, indexed, expression in BIGRAM_INDEXES:
        conn.execute(text(f"CREATE INDEX {name} ON {indexed} USING gin ({BIGRAMS}({expression}))"))


class _Contains(ColumnElement[bool]):
    """``expression`` contains the two characters ``part``: ``LIKE`` (escaped) everywhere, and on
    PostgreSQL first the bigram index's lookup of ``part`` (``BIGRAM_INDEXES``)."""

    inherit_cache = False  # compiled each time: only two-character searches make it
    type = Boolean()

    def __init__(self, expression: ColumnElement[str], part: str) -> None:
        self.column, self.part = expression, part


@compiles(_Contains)
def _like(element: _Contains, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.contains(element.part, autoescape=True), **kw)


@compiles(_Contains, "postgresql")
def _bigram_then_like(element: _Contains, compiler: SQLCompiler, **kw: Any) -> str:
    bigrams = getattr(func, BIGRAMS)(element.column, type_=ARRAY(Text()))
    wanted = cast(array([element.part]), ARRAY(Text()))  # the driver sends a str as varchar
    found = bigrams.op("@>", is_comparison=True)(wanted)
    like = element.column.contains(element.part, autoescape=True)
    return compiler.process(and_(found, like), **kw)


def contains(expression: ColumnElement[str], part: str) -> ColumnElement[bool]:
    """``expression`` contains ``part`` (as ``expression.contains(part, autoescape=True)``, ``LIKE
    '%…%'``); for a part of two characters on PostgreSQL, looked up in the bigram index first."""
    if len(part) == 2:
        return _Contains(expression, part)
    return expression.contains(part, autoescape=True)


def has_text_index(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite" and inspect(conn).has_table(TEXT_TABLE)


def keys_of_length(conn: Connection, shortest: int, longest: int) -> list[str]:
    """Every distinct name key of ``shortest`` to ``longest`` characters, in no particular order: from
    ``name_keys`` when the store has it, else from ``model_names``."""
    if conn.dialect.name in ("sqlite", "postgresql") and inspect(conn).has_table(KEYS_TABLE):
        found = conn.execute(
            text(f"SELECT keys FROM {KEYS_TABLE} WHERE length BETWEEN :shortest AND :longest"),
            {"shortest": shortest, "longest": longest},
        ).scalars()
        return [key for keys in found for key in keys.split("\n")]
    key = T.model_names.c.key
    lengths = func.length(key).between(shortest, longest)
    return list(conn.execute(select(key).distinct().where(lengths)).scalars())


def text_scan(needle: str) -> Any:
    """A subquery of the ids whose ``model_text`` summaries contain ``needle`` in lower case, read row by
    row: for a needle too short for its trigrams. It holds every model whose English summary in lower
    case or Chinese summary contains ``needle`` (and maybe a few more: the index joins the two with a
    space), reading a tenth of what ``models`` holds: ``r1`` at 100,000 models took 40 ms, the scans of
    the two summaries in ``models`` 80."""
    summary = func.lower(column("summary", Text))
    return (
        select(column("model_id"))
        .select_from(table(TEXT_TABLE))
        .where(summary.contains(needle, autoescape=True))
    )


def _trigrams(part: str) -> str:
    """An FTS5 expression for the rows holding every trigram of ``part`` (three or more characters),
    anywhere in them: each distinct trigram quoted, joined by ``AND``."""
    found = dict.fromkeys(part[i : i + 3] for i in range(len(part) - 2))
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in found)


def text_ids(query_key: str, needle: str, *, names: bool = True, summaries: bool = True) -> Any:
    """A subquery of the ids whose name keys contain ``query_key`` or whose summaries contain ``needle``
    (case-folded, as the index's summaries are), each searched only when it has at least three
    characters.

    The index keeps no positions (``detail=none``): it gives the rows holding every trigram of either,
    in any column (one ``MATCH``, which reads no row's text), and ``instr`` keeps those whose column
    holds the text itself. At a million models about as quick as the phrase query it replaces (``llama``:
    29,071 ids in 124–144 against 102–126 ms); ``LIKE`` on each column instead read every candidate's
    text twice (a models page searching ``gpt`` took 1.12–1.32 s against 0.74–0.78)."""
    query_key, needle = query_key.replace("\0", ""), needle.replace("\0", "")  # FTS5 ends a query at NUL
    asked = {}
    if names and len(query_key) >= MIN_LENGTH:
        asked["names"] = query_key
    if summaries and len(needle) >= MIN_LENGTH:
        asked["summary"] = needle
    if not asked:
        return select(column("model_id")).select_from(table(TEXT_TABLE)).where(false())
    expression = " OR ".join(f"({_trigrams(part)})" for part in asked.values())
    held = " OR ".join(f"instr({name}, :{name}) > 0" for name in asked)
    return text(
        f"SELECT model_id FROM {TEXT_TABLE} WHERE {TEXT_TABLE} MATCH :expression AND ({held})"
    ).bindparams(expression=expression, **asked)
