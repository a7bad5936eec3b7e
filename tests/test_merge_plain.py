"""modelatlas.sources.merge: rows given as JSON, merged as plain values where nothing could match them.

A row an import reads (its spool's JSON) that shares no key with any model becomes a new model without a
``Model`` made (issue 18: a pydantic model made, copied and encoded a row was most of a million-row
merge). Every test here merges the same rows both ways, as decoded rows and as their JSON, and asserts
the same outcomes, the same models to the byte, the same organizations and marks; and which rows took the
plain way (``Merger.plain``): every row that could match something must not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from modelatlas.catalog.loader import Catalog
from modelatlas.catalog.schema import Estimate, Source
from modelatlas.catalog.validate import filled_fact_fields, filled_record_fields, validate_catalog
from modelatlas.sources import _shelf
from modelatlas.sources._shelf import ModelShelf, decode
from modelatlas.sources.importers import encoded_reader
from modelatlas.sources.merge import Merger, Outcome
from modelatlas.sources.rows import EncodedRow, ImportedRow, OrgRef, build_model

CATALOG = Path(__file__).resolve().parents[1] / "catalog"
FIXTURES = Path(__file__).parent / "fixtures"
INPUT = Path("list.md")

_SEEDS = sorted((FIXTURES / "seeds").glob("0*.txt"))
_EPOCH = ("notable_ai_models_2026-07", "all_ai_models", "frontier_ai_models", "large_scale_ai_models")
_EPOCH += ("pcd_all_ml_systems_2023", "merge_notable", "strangers_all")
#: The real inputs the fixtures hold, in the order ``bench/import_all.py`` imports the whole files.
REAL = [
    ("seed-sections", _SEEDS[0]),
    *(("seed-timeline", path) for path in _SEEDS[1:3]),
    *(("paper-table", path) for path in _SEEDS[3:]),
    *(("paper-table", path) for path in sorted((FIXTURES / "lists").glob("*README.md"))),
    *(("epoch", FIXTURES / "epoch" / f"{name}.csv") for name in _EPOCH),
    ("ecosystem-graphs", FIXTURES / "ecosystem" / "assets"),
]


def row(
    name: str, line: int = 1, *, orgs: tuple[str, ...] = (), note: str | None = None, **fields: Any
) -> ImportedRow:
    """A row as an importer yields it, its one source the row."""
    model = build_model(
        {"name": name, "domains": ["nlp"], **fields},
        source_id="list",
        accessed=dt.date(2024, 1, 2),
        url="https://example.org/list.md",
        note=note,
    )
    refs = [OrgRef(name=o) for o in orgs]
    return ImportedRow(line=line, name=name, model=model, organizations=refs)


def merged_both_ways(
    catalog: Catalog, imports: Sequence[tuple[str, Path, list[EncodedRow]]]
) -> tuple[Merger, list[list[Outcome]]]:
    """Merge each import's rows decoded into one merger and as JSON into another; assert they did the
    same, and give the second and its outcomes."""
    decoded, plain = Merger(catalog), Merger(catalog)
    outcomes = []
    for origin, path, rows in imports:
        names = [r.name if r.makes_model else None for r in rows]
        made = decoded.apply(origin, path, [r.decoded() for r in rows])
        assert plain.apply(origin, path, [r.payload for r in rows], names=names) == made
        outcomes.append(made)
    assert list(plain.catalog().models.encoded()) == list(decoded.catalog().models.encoded())
    assert _bodies(plain) == _bodies(decoded)  # as written, not as a model read since encodes it
    assert [e.path for e in plain.catalog().models] == [e.path for e in decoded.catalog().models]
    assert plain.new_organizations() == decoded.new_organizations() and plain.unplaced == decoded.unplaced
    assert list(plain.changed) == list(decoded.changed) and len(plain.changed) == len(decoded.changed)
    assert dict(plain.created_by) == dict(decoded.created_by)
    assert len(plain.created_by) == len(decoded.created_by)
    assert decoded.plain == 0
    return plain, outcomes


def _bodies(merger: Merger) -> list[tuple[str, str]]:
    """The shelf's models as its file holds them, every change written."""
    shelf = merger._models
    shelf.settle()
    return shelf._db.execute("SELECT id, body FROM shelf ORDER BY seq").fetchall()


def encoded(*rows: ImportedRow) -> tuple[str, Path, list[EncodedRow]]:
    return ("list", INPUT, [EncodedRow.of(r) for r in rows])


@pytest.fixture
def tiny(tiny_catalog: Path) -> Catalog:
    catalog = validate_catalog(tiny_catalog)
    assert catalog.problems == []
    return catalog


def test_every_real_input_merges_as_json_as_it_does_decoded() -> None:
    """The 17 real inputs the fixtures hold (trimmed copies), one merge after another (later files merge
    into models the earlier ones made from plain values): the same outcomes row by row, conflicts
    included, and the same models to the byte."""
    catalog = validate_catalog(CATALOG)
    imports = [(f"{fmt}:{path.name}", path, list(encoded_reader(fmt)(path, None))) for fmt, path in REAL]
    merger, outcomes = merged_both_ways(catalog, imports)
    actions = [o.action for made in outcomes for o in made]
    assert len(actions) == 1_273
    assert {a: actions.count(a) for a in sorted(set(actions))} == {
        "conflict": 74,
        "merged": 306,
        "new": 880,
        "skipped": 13,
    }
    assert merger.plain == 861  # the skipped rows and all but 32 of the new ones


def test_a_row_that_matches_nothing_is_made_from_its_plain_values(tiny: Catalog) -> None:
    """Its source renamed for the line, its makers placed (one the catalog has, one it does not, made),
    its tasks spelt as the catalog spells them, the fields its source backs named, its repairs told."""
    made = row(
        "Zephyr-7B Alpha",
        4,
        orgs=("Meta AI", "Hugging Face H4"),
        parameters={"total": 7_240_000_000},
        tasks=["Question answering", "question-answering", "Chat"],
        released="2023-10",
        code=["https://github.com/huggingface/alignment-handbook"],
        weights={"huggingface": ["HuggingFaceH4/zephyr-7b-alpha"]},
        papers=[{"title": "Zephyr", "arxiv": "2310.16944"}],
    )
    assert made.model is not None
    estimator = Source(id="epoch-estimate", citation="Epoch AI", accessed=dt.date(2024, 1, 2))
    guess = Estimate(
        field="training.compute_flop", value=2e22, by="Epoch AI", method="6ND", source=estimator.id
    )
    model = made.model.model_copy(
        update={
            "sources": [*made.model.sources, estimator],
            "estimates": [guess],
            "organizations": ["stanford"],
        }
    )
    made = made.model_copy(update={"model": model, "repairs": ["mojibake repaired"]})
    merger, [[outcome]] = merged_both_ways(tiny, [encoded(made)])
    assert merger.plain == 1
    assert outcome == Outcome(
        4,
        "Zephyr-7B Alpha",
        "new",
        "zephyr-7b-alpha",
        None,
        "organization 'Hugging Face H4' is not in the catalog; added as 'hugging-face-h4'; mojibake repaired",
    )
    model = merger.model("zephyr-7b-alpha")
    assert model.organizations == ["meta", "hugging-face-h4"]  # the row's makers, not the model's own
    assert model.tasks == ["question-answering", "chat"]
    assert [s.id for s in model.sources] == ["list-l4", "list-l4-epoch-estimate"]
    assert [e.source for e in model.estimates] == ["list-l4-epoch-estimate"]
    assert model.sources[0].fields == [
        "code",
        "organizations",
        "papers",
        "parameters",
        "released",
        "weights",
    ]


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        (None, row("Vicuna v1.1", id="vicuna"), "the id is a model's"),
        (None, row("LLaMA", parameters={"total": 65_200_000_000}), "the name is a model's"),
        (None, row("Stanford Alpaca"), "an alias"),
        (None, row("LLaMA-7B"), "a variant's name"),
        (None, row("LLaMA 33B"), "its stem (llama) is a model's name"),
        (row("Orca-13B", 1), row("Orca", 2), "it is another model's stem"),
        (None, row("Lima", papers=[{"arxiv": "2302.13971"}]), "the paper is a model's"),
        (
            row("Solar", 1, weights={"huggingface": ["up/solar-10.7b"]}),
            row("Solar Pro", 2, weights={"huggingface": ["Up/Solar-10.7B"]}),
            "the repository is a model's, case folded",
        ),
        (None, row("Koala", aliases=["Vicuna"]), "an alias of it is a model's name"),
        (
            row("Mistral", 1, variants=[{"name": "Mistral-7B-Instruct", "weights": ["mistralai/m-7b"]}]),
            row("Mistral-7B-Instruct", 2),
            "the name is a variant's of a model made plainly",
        ),
        (
            row("Mistral", 1, variants=[{"name": "Mistral-7B-Instruct", "weights": ["mistralai/m-7b"]}]),
            row("Le Chat", 2, weights={"huggingface": ["MistralAI/M-7B"]}),
            "the repository is a variant's of a model made plainly",
        ),
        (
            row("Mistral", 1, variants=[{"name": "Mistral-7B-Lite", "weights": ["mistralai/m-7b"]}]),
            row("Mistral Lite", 2, weights={"huggingface": ["MistralAI/M-7B"]}),
            "the repository names the variant, so an edition of the name is the model",
        ),
        (
            row("星汉", 1, orgs=("大汉软件",)),
            row("星汉", 2, orgs=("大华股份",)),
            "one list, one name, two makers",
        ),
        (None, row("Koala", code=["https://github.com/tatsu-lab/stanford_alpaca/"]), "the code is a model's"),
        (None, row("Koala (Apr 2023)"), "a dated name"),
        (None, row("Koala", code=["https://github.com/someone/awesome-llms"]), "code in a model list"),
    ],
)
def test_a_row_that_could_match_anything_is_merged_as_a_model(
    tiny: Catalog, first: ImportedRow | None, second: ImportedRow, why: str
) -> None:
    rows = [r for r in (first, second) if r is not None]
    merger, _ = merged_both_ways(tiny, [encoded(*rows)])
    assert merger.plain == len(rows) - 1, why  # only the first row, which matches nothing, is plain


def test_a_row_naming_base_models_is_made_plainly_with_the_known_ones(tiny: Catalog) -> None:
    """The known base is an edge its source backs; the unknown one waits, and is told on the row once
    every row is in (the outcome held until then)."""
    tuned = row("Koala", 7).model_copy(update={"base_models": ["LLaMA", "Nobody", "llama"]})
    instructed = row("Koala-Instruct", 8).model_copy(
        update={"base_models": ["Vicuna"], "base_relation": "instruction-tune"}
    )
    version = row("Vicuna Next", 9, version_of="vicuna").model_copy(update={"base_models": ["Vicuna"]})
    merger, [outcomes] = merged_both_ways(tiny, [encoded(tuned, instructed, version)])
    assert merger.plain == 3 and [o.action for o in outcomes] == ["new", "new", "new"]
    assert merger.model("vicuna-next").base_models == []  # its model is its version_of, not a base
    assert outcomes[0].detail == "base model 'Nobody' not in the catalog; left out"
    koala = merger.model("koala")
    assert [(e.model, e.relation) for e in koala.base_models] == [("llama", "fine-tune")]
    assert koala.sources[0].fields == ["base_models"]
    edges = merger.model("koala-instruct").base_models
    assert [(e.model, e.relation) for e in edges] == [("vicuna", "instruction-tune")]


def test_a_base_named_before_it_is_known_is_found_once_every_row_is_in(tiny: Catalog) -> None:
    tuned = row("Koala-Chat", 1).model_copy(update={"base_models": ["Koala"]})
    merger, [outcomes] = merged_both_ways(tiny, [encoded(tuned, row("Koala", 2))])
    assert merger.plain == 2 and [o.detail for o in outcomes] == ["", ""]
    chat = merger.model("koala-chat")
    assert [e.model for e in chat.base_models] == ["koala"] and chat.sources[0].fields == ["base_models"]


def test_a_paper_or_repository_two_models_have_matches_neither(tiny: Catalog) -> None:
    """The second row citing a paper is compared with the one model that has it; the third, with two
    models having it, is made plainly; so with a repository."""
    paper = [{"arxiv": "2401.00001"}]
    rows = [
        row("Aurora", 1, papers=paper),
        row("Aurora Lite", 2, papers=paper),
        row("Borealis", 3, papers=paper),
    ]
    repo = {"huggingface": ["lab/shared"]}
    rows += [row("Cedar", 4, weights=repo), row("Cedar Pro", 5, weights=repo), row("Dune", 6, weights=repo)]
    merger, [outcomes] = merged_both_ways(tiny, [encoded(*rows)])
    assert [o.action for o in outcomes] == ["new"] * 6
    assert merger.plain == 4  # all but the second of each


def test_later_rows_merge_into_a_model_made_from_plain_values(tiny: Catalog) -> None:
    """The model made plainly is indexed and on the shelf: a later row of its name merges into it."""
    rows = [row("Koala", 2, parameters={"total": 13_000_000_000}), row("koala", 3, released="2023-04")]
    merger, [outcomes] = merged_both_ways(tiny, [encoded(*rows)])
    assert merger.plain == 1
    assert [(o.action, o.model_id) for o in outcomes] == [("new", "koala"), ("merged", "koala")]
    assert str(merger.model("koala").released) == "2023-04"


def test_a_row_that_backs_no_fact_names_no_field(tiny: Catalog) -> None:
    """Makers its model names itself, not the row, are not the model's (the row's are placed); tasks
    the catalog cannot spell are left out."""
    made = [row("Koala", 3), row("Koala Two", 4, organizations=["stanford"], tasks=["-", "()"])]
    made.append(row("Koala Three", 5, orgs=("Meta AI",), note="a footnote"))
    merger, [outcomes] = merged_both_ways(tiny, [encoded(*made)])
    assert merger.plain == 3 and [o.action for o in outcomes] == ["new", "new", "new"]
    assert _bodies(merger)[-1] == (  # the fields it backs once its maker is placed, before its note
        "koala-three",
        '{"id":"koala-three","name":"Koala Three","organizations":["meta"],"domains":["nlp"],'
        '"sources":[{"id":"list-l5","url":"https://example.org/list.md","accessed":"2024-01-02",'
        '"fields":["organizations"],"note":"a footnote"}]}',
    )
    assert _bodies(merger)[-3:-1] == [
        (
            "koala",
            '{"id":"koala","name":"Koala","domains":["nlp"],"sources":[{"id":"list-l3",'
            '"url":"https://example.org/list.md","accessed":"2024-01-02"}]}',
        ),
        (
            "koala-two",
            '{"id":"koala-two","name":"Koala Two","domains":["nlp"],"sources":[{"id":"list-l4",'
            '"url":"https://example.org/list.md","accessed":"2024-01-02"}]}',
        ),
    ]


def test_a_skipped_row_is_told_without_being_decoded(tiny: Catalog) -> None:
    skipped = ImportedRow.skip(9, "Total", "no model name")
    merger, [[outcome]] = merged_both_ways(tiny, [encoded(skipped)])
    assert merger.plain == 1 and outcome == Outcome(9, "Total", "skipped", detail="no model name")


def test_a_record_s_filled_fields_are_its_model_s() -> None:
    """``filled_record_fields`` of a model's record is ``filled_fact_fields`` of the model, both ways: a
    field at its default, empty, or with only a note is not filled."""
    model = row(
        "M",
        parameters={"note": "not disclosed"},
        training={"tokens": 0, "note": "x"},
        context_length=0,
        architecture={"type": "decoder-only"},
        license="MIT",
        demo=None,
    ).model
    assert model is not None
    record = decode(model.record_json()).model_dump(mode="json", exclude_defaults=True)
    assert filled_record_fields(record) == filled_fact_fields(model)
    assert filled_record_fields(record) == {
        "architecture",
        "context_length",
        "license",
        "training.tokens",
    }
    assert filled_record_fields({"parameters": {"total": 7}, "weights": {"urls": []}}) == {"parameters"}


def test_a_shelf_takes_a_new_model_as_its_json_once() -> None:
    shelf = ModelShelf(cached=1)
    model = row("M").model
    assert model is not None
    body = model.record_json()
    shelf.put_new("m", body, Path("/x/list.md"), "list")
    assert "m" in shelf and len(shelf) == 1 and shelf["m"] == model
    assert shelf.path_of("m") == Path("/x/list.md") and shelf.origin_of("m") == "list"
    assert list(shelf.changed) == ["m"] and len(shelf.changed) == 1 and dict(shelf.origins) == {"m": "list"}
    assert list(shelf.encoded_with_paths()) == [(body, "/x/list.md")]
    with pytest.raises(KeyError, match="m is on the shelf already"):
        shelf.put_new("m", body, Path("/x/list.md"), "list")
    shelf.close()


def test_new_models_wait_to_be_inserted_and_answer_as_if_they_were(monkeypatch: pytest.MonkeyPatch) -> None:
    """``put_new`` holds ``DUE`` models back and inserts them at once; while they wait the shelf answers
    for them as for any, and a model changed or removed while waiting is written so, in its place."""
    monkeypatch.setattr(_shelf, "DUE", 3)
    shelf = ModelShelf(cached=1)
    models = {name: row(name).model for name in ("A", "B", "C", "D", "E")}
    bodies = {name: m.record_json() for name, m in models.items() if m is not None}
    shelf.put_new("a", bodies["A"], Path("/x/a.md"), "one")
    shelf["b"] = models["B"]  # type: ignore[assignment]  # made by the decoded merge, between
    shelf.put_new("c", bodies["C"], Path("/x/c.md"), "two")
    in_file = "SELECT id FROM shelf ORDER BY seq"
    assert shelf._db.execute(in_file).fetchall() == []
    assert "a" in shelf and "c" in shelf and "z" not in shelf and len(shelf) == 3
    assert shelf.origin_of("c") == "two" and shelf.is_changed("c") and not shelf.is_changed("b")
    assert shelf._db.execute(in_file).fetchall() == []
    assert shelf["c"] == models["C"]  # read from the file: the waiting ones go in first (b falls out)
    assert shelf._db.execute(in_file).fetchall() == [("a",), ("b",), ("c",)]
    shelf.put_new("f", bodies["A"], Path("/x/a.md"), "one")
    shelf.set_path("f", Path("/x/f.md"))  # each sends the waiting ones in first
    assert shelf.path_of("f") == Path("/x/f.md")
    del shelf["f"]
    shelf.put_new("f", bodies["A"], Path("/x/a.md"), "one")
    shelf.set_origin("f", "three")
    assert shelf.origin_of("f") == "three"
    del shelf["f"]
    shelf.put_new("d", bodies["D"], Path("/x/d.md"), "one")
    shelf["d"] = models["E"]  # type: ignore[assignment]  # changed while it waits
    assert shelf["b"] == models["B"]  # d falls out of the cache of one, written while it waits
    shelf.put_new("e", bodies["E"], Path("/x/e.md"), "one")
    del shelf["e"]
    assert [m.name for m, _ in shelf.values_with_paths()] == ["A", "B", "C", "E"]
    assert shelf["d"] == models["E"] and "e" not in shelf and len(shelf) == 4
    assert list(shelf.changed) == ["a", "c", "d"]
    assert dict(shelf.origins) == {"a": "one", "c": "two", "d": "one"}
    for name in "ghi":  # the third waiting one sends them in
        shelf.put_new(name, bodies["A"], Path("/x/a.md"), "one")
        waiting = shelf._db.execute("SELECT count(*) FROM shelf WHERE id IN ('g', 'h', 'i')").fetchone()
        assert waiting == ((0,) if name != "i" else (3,))
    shelf.close()
