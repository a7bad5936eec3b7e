"""modelatlas.sources.merge: a large import's rows prepared in a forked child while the merge goes on.

What a row given as JSON becomes from its own values alone (``merge.prepared``: decoded, sources renamed,
tasks spelt, keys worked out) is a third of its merge; from ``PREPARE_FORK_FROM`` rows it is done in a
child a batch or two ahead (issue 18: the merge took one core of two). The merge must do the same
whichever process prepared the rows; a child that fails fails the merge, and none outlives it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from modelatlas import _children
from modelatlas.catalog.validate import validate_catalog
from modelatlas.errors import StoreError
from modelatlas.sources import merge
from modelatlas.sources.importers import encoded_reader
from modelatlas.sources.merge import Merger, Outcome

CATALOG = Path(__file__).resolve().parents[1] / "catalog"
EPOCH = Path(__file__).parent / "fixtures" / "epoch"
#: Real inputs one after another: later rows merge into models the earlier ones made.
INPUTS = [EPOCH / f"{name}.csv" for name in ("notable_ai_models_2026-07", "merge_notable", "strangers_all")]


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every merge of rows given as JSON prepared in a child (pytest's own threads aside), 7 rows a
    batch; each child writes its pid into the folder returned."""
    monkeypatch.setattr(_children, "may_fork", lambda: True)
    monkeypatch.setattr(merge, "PREPARE_FORK_FROM", 0)
    monkeypatch.setattr(merge, "PREPARE_BATCH", 7)
    work = merge._prepared_batches

    def recorded(origin: str, batches: Iterator[Any], *, packed: bool) -> Iterator[Any]:
        (tmp_path / str(os.getpid())).touch()
        yield from work(origin, batches, packed=packed)

    monkeypatch.setattr(merge, "_prepared_batches", recorded)
    return tmp_path


def merged(imports: list[tuple[Path, list[str]]]) -> tuple[Merger, list[list[Outcome]]]:
    merger = Merger(validate_catalog(CATALOG))
    outcomes = [merger.apply(f"epoch:{path.name}", path, payloads) for path, payloads in imports]
    return merger, outcomes


def test_rows_prepared_in_a_child_merge_as_rows_prepared_here(
    forked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imports = [(path, [row.payload for row in encoded_reader("epoch")(path, None)]) for path in INPUTS]
    monkeypatch.setattr(merge, "PREPARE_FORK_FROM", 1_037)  # one more than the first file's rows
    here, outcomes = merged(imports)
    assert [int(p.name) for p in forked.iterdir()] == [os.getpid()]  # prepared here: nothing forked
    (forked / str(os.getpid())).unlink()
    monkeypatch.setattr(merge, "PREPARE_FORK_FROM", 0)
    there, outcomes_there = merged(imports)
    children = {int(p.name) for p in forked.iterdir()}
    assert len(children) == len(INPUTS) and os.getpid() not in children  # one child an import
    assert multiprocessing.active_children() == []
    assert outcomes_there == outcomes
    assert [len(o) for o in outcomes] == [1_036, 21, 2]
    assert list(there.catalog().models.encoded()) == list(here.catalog().models.encoded())
    assert there.new_organizations() == here.new_organizations() and there.plain == here.plain == 810


def test_a_child_that_dies_fails_the_merge(forked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(origin: str, batches: Iterator[Any], *, packed: bool) -> Iterator[Any]:
        next(batches)
        os._exit(3)
        yield []

    monkeypatch.setattr(merge, "_prepared_batches", killed)
    payloads = [row.payload for row in encoded_reader("epoch")(INPUTS[1], None)]
    with pytest.raises(
        StoreError, match=r"^the process preparing the rows to merge ended unexpectedly \(exit code 3\)$"
    ):
        Merger(validate_catalog(CATALOG)).apply("epoch:x", INPUTS[1], payloads)
    assert multiprocessing.active_children() == []


def test_what_a_child_raises_is_raised_here(forked: Path) -> None:
    """A payload that is not JSON (a store written by hand?) fails as it does in this process."""
    rows = list(encoded_reader("epoch")(INPUTS[1], None))
    payloads, names = [row.payload for row in rows], [row.name for row in rows]
    payloads[5] = payloads[5][:40]
    with pytest.raises(orjson.JSONDecodeError):
        Merger(validate_catalog(CATALOG)).apply("epoch:x", INPUTS[1], payloads, names=names)
    assert multiprocessing.active_children() == []
    assert len(list(forked.iterdir())) == 1


def test_decoded_rows_fork_no_child(forked: Path) -> None:
    """A store's earlier import is merged as decoded rows: nothing to prepare, no child forked for it."""
    rows = [row.decoded() for row in encoded_reader("epoch")(INPUTS[1], None)]
    outcomes = Merger(validate_catalog(CATALOG)).apply("epoch:x", INPUTS[1], rows)
    assert [int(p.name) for p in forked.iterdir()] == [os.getpid()]
    assert len(outcomes) == 21 and multiprocessing.active_children() == []
