"""modelatlas.sources._spool: an import's rows on disk, given back in order with their outcomes (issue 18)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

import pytest

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources import _spool
from modelatlas.sources._spool import RowSpool
from modelatlas.sources.importers.epoch import read
from modelatlas.sources.ingest import import_file, merge_imports
from modelatlas.sources.merge import Merger, Outcome
from modelatlas.sources.rows import ImportedRow
from modelatlas.store.imports import StoredRow, read_imports

EPOCH = Path(__file__).parent / "fixtures" / "epoch"


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_spool, "BLOCK", 3)  # rows cross blocks everywhere


def test_rows_come_back_in_order_with_their_outcomes(small_blocks: None) -> None:
    rows = [ImportedRow.skip(1, "", "no model name")] + list(read(EPOCH / "merge_notable.csv"))
    spool = RowSpool()
    spool.add(iter(rows))
    assert len(spool) == len(rows) == 22
    assert spool.first == rows[0] and spool.models == 21
    assert [r.model_dump() for r in spool.imported()] == [r.model_dump() for r in rows]
    assert spool.imported()[7] == rows[7] and spool.imported()[-1] == rows[-1]
    names = list(spool.names())
    assert names[0] is None and names[1:] == [r.name for r in rows[1:]]
    assert spool[1] == StoredRow(rows[1].line, rows[1].name, rows[1].model_dump_json(exclude_defaults=True))
    assert {r.action for r in spool} == {"pending"}
    spool.record((f"action {i}", f"m{i}", None, None) for i in range(len(rows)))
    assert [(r.action, r.model_id) for r in spool][20:] == [("action 20", "m20"), ("action 21", "m21")]
    with pytest.raises(IndexError):
        spool[22]


def test_a_file_merged_from_the_spool_is_merged_as_from_memory(small_blocks: None) -> None:
    path = EPOCH / "merge_notable.csv"  # dated rows out of order: Gemini 2.5 Pro (Jun 2025) before (Mar 2025)
    from_memory = Merger(load_valid_catalog(bundled_catalog())).apply("epoch:n", path, read(path))
    spool = RowSpool()
    spool.add(read(path))
    merger = Merger(load_valid_catalog(bundled_catalog()))
    from_spool = merger.apply("epoch:n", path, spool.imported(), names=spool.names())
    assert len(from_spool) == 21 and from_spool == from_memory
    gemini = {o.name: (o.action, o.detail) for o in from_spool if o.name.startswith("Gemini 2.5 Pro (")}
    assert gemini == {  # merged oldest first: March is the model's release, the later months versions
        "Gemini 2.5 Pro (Jun 2025)": ("new", "a dated version of gemini-2.5-pro"),
        "Gemini 2.5 Pro (May 2025)": ("new", "a dated version of gemini-2.5-pro"),
        "Gemini 2.5 Pro (Mar 2025)": ("merged", "+training.dataset, +notability"),
    }


def test_outcomes_recorded_in_any_order_are_read_in_the_file_s(small_blocks: None) -> None:
    rows = list(read(EPOCH / "merge_notable.csv"))[:7]
    spool = RowSpool()
    spool.add(iter(rows))
    for at in (6, 0, 5, 1):  # a block of 3 is written at the third
        spool.record_at(at, "new", f"m{at}", None, None if at else "first")
    assert spool._outcomes == [("new", "m1", None, None, 1)]
    outcomes = spool.outcomes()  # reading writes what is left first
    assert len(outcomes) == 7
    assert outcomes[0] == Outcome(rows[0].line, rows[0].name, "new", "m0", None, "first")
    assert outcomes[-1] == Outcome(rows[6].line, rows[6].name, "new", "m6", None, "")
    assert [(o.action, o.model_id) for o in outcomes] == [
        ("new", "m0"),
        ("new", "m1"),
        ("pending", None),
        ("pending", None),
        ("pending", None),
        ("new", "m5"),
        ("new", "m6"),
    ]
    assert [o.line for o in outcomes[2:4]] == [rows[2].line, rows[3].line]
    with pytest.raises(IndexError):
        outcomes[7]


def test_an_import_s_outcomes_and_conflicts_from_its_spool_are_those_merged(
    small_blocks: None, tmp_path: Path
) -> None:
    """``import_file`` reads its outcomes back from the spool, and keeps its conflicts in row order; the
    rows whose base models were looked up again at the end have what that found."""
    path = EPOCH / "notable_ai_models_2026-07.csv"
    merger = Merger(load_valid_catalog(bundled_catalog()))
    from_memory = merger.apply("epoch:notable_ai_models_2026-07.csv", path, read(path))
    result = import_file(
        load_valid_catalog(bundled_catalog()), f"sqlite:///{tmp_path / 's.db'}", "epoch", path, dry_run=True
    )
    assert [dataclasses.replace(o, conflicts=[]) for o in from_memory] == list(result.outcomes)
    assert sum("not in the catalog; left out" in o.detail for o in result.outcomes) == 20
    conflicts = [c for o in from_memory for c in o.conflicts]
    assert len(conflicts) == 51 and result.conflicts == conflicts
    assert [c.origin for c in result.conflicts] == sorted(
        (c.origin for c in conflicts), key=lambda o: int(o.rsplit(":", 1)[1])
    )


def test_an_earlier_import_read_back_into_a_spool_is_merged_as_from_a_list(
    small_blocks: None, store_url: str
) -> None:
    """A store's import is read into a spool a block at a time (``read_imports(url, RowSpool.of_stored)``,
    issue 18: a million stored rows were held as a list, then all decoded at once, to import anything
    more): the same rows with their outcomes, and a merge of them the merge of the list, decoded. On
    SQLite and on PostgreSQL (a server's cursor)."""
    url = store_url
    path = EPOCH / "merge_notable.csv"
    catalog = load_valid_catalog(bundled_catalog())
    import_file(catalog, url, "epoch", path)
    given: list[object] = []

    def keep(rows: Iterable[StoredRow]) -> RowSpool:
        given.append(rows)
        return RowSpool.of_stored(rows)

    as_lists, spooled = read_imports(url), read_imports(url, keep)
    assert [type(r) for r in given] == [type(r for r in ())] * len(as_lists)  # streamed, not a list
    [spool] = [i.rows for i in spooled if i.key == "epoch:merge_notable.csv"]
    [listed] = [i.rows for i in as_lists if i.key == "epoch:merge_notable.csv"]
    assert isinstance(spool, RowSpool) and spool.stored and len(spool) == len(listed) == 21
    assert list(spool) == list(listed) and {r.action for r in spool} == {"new", "merged", "conflict"}
    assert list(spool.names()) == [r.name for r in listed]
    from_lists, from_spools = merge_imports(catalog, as_lists), merge_imports(catalog, spooled)
    assert {k: list(v) for k, v in from_spools.outcomes.items()} == {
        k: [dataclasses.replace(o, conflicts=[]) for o in v] for k, v in from_lists.outcomes.items()
    }
    assert from_spools.conflicts == from_lists.conflicts and len(from_spools.conflicts) > 0
    assert from_spools.merger.plain == 0  # an earlier version's JSON is decoded
    assert list(from_spools.merger.catalog().models.encoded()) == list(
        from_lists.merger.catalog().models.encoded()
    )
    assert list(spool)[3] == listed[3]  # the merge recorded what it did with each row: the same again


def test_a_build_writes_each_imports_rows_as_given_from_a_spool_or_a_list(
    store_url: str, tiny_catalog: Path, small_blocks: None
) -> None:
    """``import_rows`` holds each import's rows in order, numbered from 0 within it, the imports numbered
    from 1: a spool's rows given as tuples (its outcomes, ``pending`` where none was recorded) and a
    list's ``StoredRow``s alike, on SQLite and PostgreSQL; batches of any size give the same rows."""
    from sqlalchemy import select

    from modelatlas.store import tables as T
    from modelatlas.store.build import build_store
    from modelatlas.store.engine import make_engine
    from modelatlas.store.imports import IMPORT_ROW_COLUMNS, StoredImport, import_row_values

    listed = [StoredRow(3, "A", '{"a":1}', "new", "a", None, "x"), StoredRow(9, "B", "{}", "skipped")]
    rows = list(read(EPOCH / "merge_notable.csv"))[:7]
    spool = RowSpool()
    spool.add(iter(rows))
    for at in (0, 1, 2, 3, 5):  # the rows at 4 and 6 left pending
        spool.record_at(at, "merged", f"m{at}", "name", f"detail {at}" if at % 2 else None)
    imports = [
        StoredImport("epoch:listed", "epoch", "l.csv", "s1", "2026-12-07T00:00:00", listed),
        StoredImport("epoch:spooled", "epoch", "s.csv", "s2", "2026-12-07T00:00:01", spool),
    ]
    expected = [
        (1, 0, 3, "A", '{"a":1}', "new", "a", None, "x"),
        (1, 1, 9, "B", "{}", "skipped", None, None, None),
    ]
    for at, row in enumerate(rows):
        done = at not in (4, 6)
        outcome = ("merged", f"m{at}", "name", f"detail {at}" if at % 2 else None) if done else ("pending",)
        payload = row.model_dump_json(exclude_defaults=True)
        expected.append((2, at, row.line, row.name, payload, *outcome, *(None,) * (4 - len(outcome))))
    for size in (1, 4, 100):
        assert [v for batch in import_row_values(imports, size) for v in batch] == expected
        assert {len(batch) for batch in import_row_values(imports, size)} <= {size, len(expected) % size}
    build_store(load_valid_catalog(tiny_catalog), store_url, imports=imports)
    r = T.import_rows
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                select(*(r.c[name] for name in IMPORT_ROW_COLUMNS)).order_by(r.c.import_id, r.c.position)
            )
            assert [tuple(row) for row in stored] == expected
    finally:
        engine.dispose()
