"""modelatlas.sources._shelf: models on disk behave as a dict of them, and a merge through the disk gives
the same outcomes and records as one held in memory (issue 18)."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest

from modelatlas.catalog.schema import Model, Parameters, Training
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import StoreError
from modelatlas.sources import _shelf, merge
from modelatlas.sources._disk import Bloom
from modelatlas.sources._shelf import ModelShelf
from modelatlas.sources.importers.epoch import read
from modelatlas.sources.merge import Merger, Outcome
from modelatlas.sources.rows import build_model

EPOCH = Path(__file__).parent / "fixtures" / "epoch"


def _model(model_id: str, name: str, **extra: object) -> Model:
    fields = {"id": model_id, "name": name, "domains": ["nlp"], **extra}
    return build_model(fields, source_id="test", accessed=dt.date(2026, 12, 4))


def test_a_shelf_keeps_insertion_order_and_gives_back_what_went_in() -> None:
    shelf = ModelShelf(cached=2)  # most models fall out of memory: read back from disk
    models = [_model(f"m{i}", f"Model {i}", aliases=[f"M-{i}"]) for i in range(5)]
    for model in models:
        shelf[model.id] = model
    shelf["m1"] = models[1].model_copy(update={"name": "Model one"})  # put again: keeps its place
    assert len(shelf) == 5
    assert list(shelf) == ["m0", "m1", "m2", "m3", "m4"]
    assert shelf["m0"] == models[0] and shelf["m0"] is not models[0]  # decoded from disk
    assert shelf["m0"].model_dump() == models[0].model_dump()
    assert shelf["m1"].name == "Model one"
    assert "m3" in shelf and "m9" not in shelf
    with pytest.raises(KeyError):
        shelf["m9"]
    assert shelf.get("m9") is None
    del shelf["m2"]
    assert list(shelf) == ["m0", "m1", "m3", "m4"] and len(shelf) == 4
    shelf.close()


def test_a_settled_shelf_holds_no_model_decoded_and_loses_no_change() -> None:
    """``settle`` (a merge's end): the changed models written, none held decoded; each then read from
    disk, new or changed, with its file."""
    shelf = ModelShelf(cached=3)
    models = [_model(f"m{i}", f"Model {i}") for i in range(4)]
    for model in models:
        shelf[model.id] = model
    shelf["m3"] = models[3].model_copy(update={"name": "Model three"})  # changed while held decoded
    shelf.set_path("m2", Path("/x/m2.yaml"))
    assert len(shelf._recent) == 3
    shelf.settle()
    assert len(shelf._recent) == 0 and not shelf._dirty and not shelf._new
    assert [(m.name, p) for m, p in shelf.values_with_paths()] == [
        ("Model 0", None),
        ("Model 1", None),
        ("Model 2", Path("/x/m2.yaml")),
        ("Model three", None),
    ]
    assert shelf["m1"] == models[1] and shelf["m1"] is not models[1]


@pytest.mark.parametrize("cached", [1, 100])
def test_marks_on_models_written_or_not_yet(monkeypatch: pytest.MonkeyPatch, cached: int) -> None:
    """The models a merge changed and the import each new one came from, as a set and a mapping in the
    shelf's order, whether the model is on disk (1 held) or not written yet (100); counted once each,
    and forgotten with the model."""
    monkeypatch.setattr(_shelf, "_BATCH", 2)
    shelf = ModelShelf(cached=cached)
    for name in ("b", "a", "c", "d"):
        shelf[name] = _model(name, name.upper())
    for name in ("c", "a", "c"):
        shelf.mark_changed(name)
    shelf.set_origin("a", "epoch:a.csv")
    shelf.set_origin("d", "bundled:hf")
    shelf.set_origin("a", "epoch:b.csv")  # set again: replaced, counted once
    changed, origins = shelf.changed, shelf.origins
    assert len(changed) == 2 and list(changed) == ["a", "c"] and changed == {"a", "c"}
    assert "c" in changed and "b" not in changed and "z" not in changed and 1 not in changed
    assert len(origins) == 2 and dict(origins) == {"a": "epoch:b.csv", "d": "bundled:hf"}
    assert list(origins) == ["a", "d"] and list(origins.values()) == ["epoch:b.csv", "bundled:hf"]
    assert origins.get("b") is None and "z" not in origins
    shelf["a"] = _model("a", "A again")  # put again: its marks stay
    shelf.settle()
    assert changed == {"a", "c"} and origins["a"] == "epoch:b.csv"
    del shelf["a"]
    assert list(changed) == ["c"] and len(changed) == 1 and dict(origins) == {"d": "bundled:hf"}
    shelf.mark_changed("d")
    assert list(shelf.changed) == ["c", "d"] and len(shelf.origins) == 1


def test_the_marks_of_an_id_never_put_ask_the_file_nothing() -> None:
    shelf = ModelShelf(cached=1)
    shelf["a"], shelf["b"] = _model("a", "A"), _model("b", "B")  # "a" on disk, "b" held
    asked: list[str] = []
    shelf._db.set_trace_callback(asked.append)
    assert "z" not in shelf.changed and shelf.origins.get("z") is None
    assert asked == []
    assert "a" not in shelf.changed and len(asked) == 1  # one on disk: asked


def test_a_mark_the_filter_lets_through_is_looked_up() -> None:
    """With a filter of 8 bits that says yes to nearly everything, the file answers for the marks."""
    shelf = ModelShelf(cached=1)
    shelf._added = Bloom(8)
    for i in range(200):
        shelf[f"k{i}"] = _model(f"k{i}", f"K {i}")
    shelf.mark_changed("k3")
    shelf.set_origin("k4", "x")
    assert all(f"absent{i}" in shelf._added for i in range(5))
    assert not any(f"absent{i}" in shelf.changed or f"absent{i}" in shelf.origins for i in range(5))
    assert "k3" in shelf.changed and "k4" not in shelf.changed and shelf.origins == {"k4": "x"}


def test_a_shelf_gives_each_model_with_its_file() -> None:
    shelf = ModelShelf(cached=1)
    shelf["a"], shelf["b"] = _model("a", "A"), _model("b", "B")
    shelf.set_path("a", Path("/x/a.yaml"))
    assert shelf.path_of("a") == Path("/x/a.yaml") and shelf.path_of("b") is None
    assert [(m.id, p) for m, p in shelf.values_with_paths()] == [("a", Path("/x/a.yaml")), ("b", None)]


def test_a_model_not_written_yet_has_its_place_file_and_removal() -> None:
    """A new model goes to disk whole when first written (one statement): until then its place in the
    order, its file and its removal are kept in memory, and what is put while the shelf is read comes
    after what was there, as it did when every model was inserted at once."""
    shelf = ModelShelf(cached=2)
    shelf["a"], shelf["b"] = _model("a", "A"), _model("b", "B")  # both still only in memory
    shelf.set_path("b", Path("/x/b.yaml"))
    assert shelf.path_of("b") == Path("/x/b.yaml") and shelf.path_of("a") is None
    del shelf["a"]
    assert "a" not in shelf and len(shelf) == 1
    shelf["c"], shelf["a"] = _model("c", "C"), _model("a", "A again")  # "b" written: it fell out
    assert shelf.path_of("b") == Path("/x/b.yaml")
    assert list(shelf) == ["b", "c", "a"] and shelf["a"].name == "A again"
    seen = []
    for model_id in shelf:
        seen.append(model_id)
        if model_id == "b":
            shelf["d"] = _model("d", "D")  # put while reading: read after the others
    assert seen == ["b", "c", "a", "d"]
    assert [(m.id, p) for m, p in shelf.values_with_paths()][0] == ("b", Path("/x/b.yaml"))
    shelf.close()


def _merged(monkeypatch: pytest.MonkeyPatch, cached: int) -> tuple[list[Outcome], list[str]]:
    monkeypatch.setattr(merge, "ModelShelf", functools.partial(ModelShelf, cached=cached))
    merger = Merger(load_valid_catalog(bundled_catalog()))
    outcomes: list[Outcome] = []
    for name in ("merge_notable.csv", "merge_all.csv"):
        outcomes += merger.apply(f"epoch:{name}", EPOCH / name, read(EPOCH / name))
    records = [f"{e.path.name} {e.record.model_dump_json()}" for e in merger.catalog().models]
    return outcomes, records


def test_a_merge_through_the_disk_is_the_merge_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = _merged(monkeypatch, 1_000_000)
    on_disk = _merged(monkeypatch, 1)  # every model but the last one used is read back from disk
    assert len(in_memory[0]) == 27 and len(in_memory[1]) == 424  # the curated 413 and 11 new ones
    assert on_disk == in_memory


def test_a_model_is_kept_as_json_without_its_defaults_and_comes_back_equal() -> None:
    """JSON (issue 18: smaller and quicker than pickle) of the fields not at their defaults, in nested
    records too: a field set to its default is left out and comes back as it; what went in comes back
    equal, every field, nested ones too."""
    model = _model("m", "M", parameters={"total": 7_000_000_000})
    training = Training(tokens=2_000_000_000_000, note=None)
    model = model.model_copy(update={"training": training, "version_of": None, "hardware": []})
    body = _shelf.encode(model)
    assert body == (
        '{"id":"m","name":"M","domains":["nlp"],"parameters":{"total":7000000000},'
        '"training":{"tokens":2000000000000},'
        '"sources":[{"id":"test","citation":"test","accessed":"2026-12-04","fields":["parameters"]}]}'
    )
    back = _shelf.decode(body)
    assert back == model and back.model_dump() == model.model_dump()
    assert back.training == training and back.parameters == model.parameters
    shelf = ModelShelf(cached=1)
    shelf["m"], shelf["n"] = model, _model("n", "N")  # m written to the file
    assert shelf._db.execute("SELECT body FROM shelf WHERE id = 'm'").fetchone() == (body,)
    assert shelf["m"] == model and shelf["m"] is not model
    assert next(shelf.encoded_with_paths()) == (body, None)
    shelf.close()


def test_a_merged_model_that_does_not_validate_fails_by_its_id() -> None:
    """``model_copy`` validates nothing: a merge that made an invalid model (a bug) is told where it is
    read back, naming the model and the field, not built into the store."""
    model = _model("m", "M", parameters={"total": 7})
    broken = model.model_copy(update={"parameters": Parameters.model_construct(total=7, active=9)})
    shelf = ModelShelf(cached=1)
    shelf["m"], shelf["n"] = broken, _model("n", "N")
    with pytest.raises(StoreError, match=r"not valid \(parameters: Value error, active parameters 9 exceed"):
        shelf["m"]
    with pytest.raises(StoreError, match=r'\{"id":"m","name":"M"'):
        list(shelf.values_with_paths())
    shelf.close()


def test_a_shelf_knows_its_ids_without_holding_them() -> None:
    """Membership is the filter, then the file (issue 18: a set of a million ids held 100 MB): a model
    removed, written or not, is not there; one put again after its removal is."""
    shelf = ModelShelf(cached=1)
    assert not hasattr(shelf, "_ids")
    for i in range(4):
        shelf[f"m{i}"] = _model(f"m{i}", f"Model {i}")
    assert [f"m{i}" in shelf for i in range(5)] == [True, True, True, True, False]
    assert "m3" in shelf._new and "m0" not in shelf._new  # m0 is on disk, m3 not yet
    del shelf["m0"], shelf["m3"]
    assert "m0" not in shelf and "m3" not in shelf and len(shelf) == 2
    with pytest.raises(KeyError):
        shelf["m0"]
    with pytest.raises(KeyError):
        del shelf["m3"]
    shelf["m0"] = _model("m0", "Model zero")
    assert "m0" in shelf and shelf["m0"].name == "Model zero" and len(shelf) == 3
    assert list(shelf) == ["m1", "m2", "m0"]
    assert 3 not in shelf  # type: ignore[comparison-overlap]
