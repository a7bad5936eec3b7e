"""store.parts: rows written by a child into a part and copied into the store by SQLite are the rows the
build's process would have written itself: the same values of the same types, in the same order, with
the facet combinations numbered as one index numbering every model in order would number them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from modelatlas.store import parts
from modelatlas.store.bulk import Prepared
from modelatlas.store.chunks import Chunk
from modelatlas.store.facet_index import FacetIndex
from modelatlas.store.parts import PartFile, copy_part

SCHEMA = (
    "CREATE TABLE things (id TEXT PRIMARY KEY, size REAL, day DATE, count INTEGER, note TEXT)",
    "CREATE TABLE model_facets "
    "(id TEXT PRIMARY KEY, combo INTEGER, parameters REAL, released DATE, name TEXT)",
    "CREATE TABLE lineage (model_id TEXT, base_id TEXT, relation TEXT, method TEXT, note TEXT)",
)
COLUMNS = ("id", "size", "day", "count", "note")
#: Values the store's column types turn into others (1 into 1.0, "12" into 12, True into 1) or keep.
ROWS = [
    ("a", 1, "2024-01-01", "12", None),
    ("b", 2.5, None, True, "x"),
    ("c", "7", 20240101, 3.0, 5),
]


def _store(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    for statement in SCHEMA:
        db.execute(statement)
    db.commit()
    return db


def _combination(domain: str) -> Any:
    return ((domain,), (), (), (), "open", (2024,))


def test_renumber_numbers_new_combinations_in_their_order_and_keeps_known_ones() -> None:
    index = FacetIndex({})
    index.number(
        [(_combination("nlp"), ("m1", 1.0, "2024", "M1")), (_combination("vision"), ("m2", 2.0, None, "M2"))]
    )
    numbers = index.renumber(
        [(_combination("audio"), 3), (_combination("nlp"), 2), (_combination("code"), 1)]
    )
    assert numbers == [3, 1, 4]
    assert index.combos == {
        _combination("nlp"): 1,
        _combination("vision"): 2,
        _combination("audio"): 3,
        _combination("code"): 4,
    }
    assert dict(index.members) == {1: 3, 2: 1, 3: 3, 4: 1}


def test_a_part_copied_in_holds_what_writing_the_rows_directly_holds(tmp_path: Path) -> None:
    direct = _store(tmp_path / "direct.db")
    direct.executemany(f"INSERT INTO things ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?)", ROWS)
    direct.commit()
    facets_of = [
        (_combination("nlp"), ("a", 1, "2024-01-01", "A")),
        (_combination("code"), ("b", 2.5, None, "B")),
        (_combination("nlp"), ("c", "7", None, "C")),
    ]
    known = FacetIndex({})
    direct.executemany("INSERT INTO model_facets VALUES (?, ?, ?, ?, ?)", known.number(facets_of))
    direct.commit()

    folder = tmp_path / "parts"
    folder.mkdir()
    part_file = PartFile(folder)
    statement = f"INSERT INTO things ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
    chunk = Chunk(models=3, tables=[Prepared(statement, ROWS[:2], "things", COLUMNS)], facets=facets_of[:2])
    part_file.add(chunk)
    edges = [
        {"model_id": "c", "base_id": "a", "relation": "fine-tune", "method": None, "note": None},
        {"model_id": "c", "base_id": "b", "relation": "merge", "method": "slerp", "note": "half"},
    ]
    direct.executemany("INSERT INTO lineage VALUES (?, ?, ?, ?, ?)", [tuple(e.values()) for e in edges])
    direct.commit()
    part_file.add(
        Chunk(
            models=1,
            tables=[Prepared(statement, ROWS[2:], "things", COLUMNS)],
            facets=facets_of[2:],
            lineage=edges,
        )
    )
    part = part_file.close()
    assert part.models == 4 and part.tables == (("things", COLUMNS), ("lineage", tuple(edges[0])))

    _store(tmp_path / "copied.db").close()
    engine = create_engine(f"sqlite:///{tmp_path / 'copied.db'}")
    index = FacetIndex({})
    with engine.connect() as conn:
        copy_part(conn, part, index)
    engine.dispose()
    assert not part.path.exists()
    assert index.combos == known.combos and index.members == known.members

    copied = sqlite3.connect(tmp_path / "copied.db")
    for table in ("things", "model_facets", "lineage"):
        names = [row[1] for row in direct.execute(f"PRAGMA table_info({table})")]
        query = f"SELECT *, {', '.join(f'typeof({n})' for n in names)} FROM {table} ORDER BY rowid"
        assert copied.execute(query).fetchall() == direct.execute(query).fetchall(), table
    assert copied.execute(
        "SELECT size, typeof(size), count, typeof(count) FROM things WHERE id = 'a'"
    ).fetchone() == (
        1.0,
        "real",
        12,
        "integer",
    )


@pytest.mark.parametrize(
    ("most", "variables", "statements"), [(3, 250_000, 3), (3, 10, 4), (200, 250_000, 1)]
)
def test_a_parts_rows_go_in_several_to_a_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, most: int, variables: int, statements: int
) -> None:
    """A child writes a part's rows ``ROWS_A_STATEMENT`` to an ``INSERT`` (fewer if SQLite binds fewer
    values a statement): 7 rows of 5 columns in 3 statements of at most 3, in 4 of at most 2 (10 values),
    in 1 of 200; every row kept, in order, each value as given."""
    monkeypatch.setattr(parts, "ROWS_A_STATEMENT", most)
    rows = [(f"m{i}", i * 0.5, f"2024-01-0{i + 1}", i, None if i % 2 else "n") for i in range(7)]
    part_file = PartFile(tmp_path)
    part_file._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variables)
    run: list[str] = []
    part_file._db.set_trace_callback(run.append)
    statement = f"INSERT INTO things ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
    part_file.add(Chunk(models=7, tables=[Prepared(statement, rows, "things", COLUMNS)]))
    part_file._db.set_trace_callback(None)
    part = part_file.close()
    assert len([s for s in run if s.startswith("INSERT INTO t0 VALUES")]) == statements
    kept = sqlite3.connect(part.path)
    assert kept.execute("SELECT * FROM t0 ORDER BY rowid").fetchall() == rows


def test_a_part_takes_rows_not_one_statements_parameters(tmp_path: Path) -> None:
    part_file = PartFile(tmp_path)
    payload = Prepared(
        "INSERT INTO model_text SELECT … FROM json_each(?)", ("[]",), "model_text", ("model_id",)
    )
    with pytest.raises(TypeError, match="a part takes rows"):
        part_file.add(Chunk(models=1, text=payload))


def test_columns_null_in_every_row_of_a_chunk_are_left_out_and_copied_in_as_null(tmp_path: Path) -> None:
    """A chunk's column that is None in every row is not written into the part (binding a None is slow);
    the copy leaves it NULL. A table's rows keep the order they were written in: a chunk with other
    columns than the last one starts a table of the part, even where an earlier one has its columns."""
    statement = f"INSERT INTO things ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
    written = [
        [("a", 1.0, None, 1, None), ("b", None, None, 2, None)],  # day and note empty
        [("c", 3.0, "2024-01-03", None, "n")],  # all filled but count
        [("d", 4.0, None, 4, None)],  # day and note empty again
    ]
    part_file = PartFile(tmp_path)
    for rows in written:
        part_file.add(Chunk(models=len(rows), tables=[Prepared(statement, rows, "things", COLUMNS)]))
    part = part_file.close()
    assert part.tables == (
        ("things", ("id", "size", "count")),
        ("things", ("id", "size", "day", "note")),
        ("things", ("id", "size", "count")),
    )
    kept = sqlite3.connect(part.path)
    assert kept.execute("SELECT * FROM t0 ORDER BY rowid").fetchall() == [("a", 1.0, 1), ("b", None, 2)]
    assert kept.execute("SELECT * FROM t1").fetchall() == [("c", 3.0, "2024-01-03", "n")]

    _store(tmp_path / "copied.db").close()
    engine = create_engine(f"sqlite:///{tmp_path / 'copied.db'}")
    with engine.connect() as conn:
        copy_part(conn, part, None)
    engine.dispose()
    copied = sqlite3.connect(tmp_path / "copied.db")
    every = [row for rows in written for row in rows]
    assert copied.execute("SELECT * FROM things ORDER BY rowid").fetchall() == every


def test_a_column_the_store_fills_by_default_is_written_even_if_empty() -> None:
    """``sources.kind`` has a server default: left out, the store would fill in ``stated`` where the rows
    said None (which fails writing the store directly, NOT NULL), so it stays; so do all the columns of
    rows that are None throughout, which would otherwise vanish."""
    columns = ("model_id", "source_id", "note", "kind")
    rows = [("m", "s", None, None), ("n", "t", None, None)]
    assert parts._holding("sources", columns, rows) == (
        ("model_id", "source_id", "kind"),
        [
            ("m", "s", None),
            ("n", "t", None),
        ],
    )
    assert parts._holding("model_text", ("model_id", "names"), [(None, None)]) == (
        ("model_id", "names"),
        [(None, None)],
    )
    assert parts._holding("things", COLUMNS, ROWS) == (COLUMNS, ROWS)
