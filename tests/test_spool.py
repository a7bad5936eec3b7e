"""modelatlas.sources._spool: an import's rows on disk, given back in order with their outcomes (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources import _spool
from modelatlas.sources._spool import RowSpool
from modelatlas.sources.importers.epoch import read
from modelatlas.sources.merge import Merger
from modelatlas.sources.rows import ImportedRow
from modelatlas.store.imports import StoredRow

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
