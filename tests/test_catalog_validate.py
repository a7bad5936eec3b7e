"""modelatlas.catalog.validate: every kind of problem is found and located as file:line: field: message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from modelatlas.catalog.schema import Dispute, Estimate, Evaluation, Model, Training
from modelatlas.catalog.validate import filled_fact_fields, load_valid_catalog, validate_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import CatalogError, CatalogInvalid

from .conftest import FIXTURES

BROKEN = sorted(p.name for p in (FIXTURES / "broken").iterdir())


def test_tiny_catalog_is_valid(tiny_catalog: Path) -> None:
    catalog = load_valid_catalog(tiny_catalog)
    assert {e.record.id for e in catalog.models} == {
        "llama",
        "alpaca",
        "vicuna",
        "freedomgpt",
        "zidong-taichu",
        "stable-diffusion",
    }


def test_bundled_catalog_is_valid() -> None:
    catalog = validate_catalog(bundled_catalog())
    assert catalog.problems == []
    assert len(catalog.models) >= 100


@pytest.mark.parametrize("case", BROKEN)
def test_broken_catalog_reports_exact_problems(case: str, tiny_catalog: Path) -> None:
    overlay = FIXTURES / "broken" / case
    shutil.copytree(overlay, tiny_catalog, dirs_exist_ok=True)
    (tiny_catalog / "expected.txt").unlink()
    expected = (overlay / "expected.txt").read_text(encoding="utf-8").splitlines()
    catalog = validate_catalog(tiny_catalog)
    got = [str(p).replace(f"{tiny_catalog}/", "") for p in catalog.problems]
    assert got == expected
    with pytest.raises(CatalogInvalid) as info:
        load_valid_catalog(tiny_catalog)
    assert len(info.value.problems) == len(expected)


def test_all_problems_reported_at_once(tiny_catalog: Path) -> None:
    for case in ("bad-type", "unknown-org", "missing-base"):
        shutil.copytree(FIXTURES / "broken" / case, tiny_catalog, dirs_exist_ok=True)
    assert len(validate_catalog(tiny_catalog).problems) == 3


def test_not_a_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="has no models/ directory"):
        validate_catalog(tmp_path)


def test_missing_list_file_is_a_problem(tiny_catalog: Path) -> None:
    (tiny_catalog / "benchmarks.yaml").unlink()
    problems = validate_catalog(tiny_catalog).problems
    assert [p.message for p in problems if p.path.name == "benchmarks.yaml"] == ["file is missing"]
    assert any("unknown benchmark 'mmlu'" in p.message for p in problems)


def test_not_utf8_is_a_problem(tiny_catalog: Path) -> None:
    (tiny_catalog / "models" / "gbk.yaml").write_bytes("id: x\nname: 紫东太初\n".encode("gbk"))
    problems = validate_catalog(tiny_catalog).problems
    assert len(problems) == 1 and problems[0].message.startswith("not UTF-8 text")


def test_a_count_beyond_64_bits_is_a_problem_not_a_build_crash(tiny_catalog: Path) -> None:
    """Issue 19: validate passed a context_length that build then crashed on (SQLite's 64-bit integers)."""
    llama = tiny_catalog / "models" / "llama.yaml"
    llama.write_text(
        llama.read_text(encoding="utf-8") + "context_length: 18446744073709551616\n", encoding="utf-8"
    )
    problems = [str(p) for p in validate_catalog(tiny_catalog).problems]
    assert len(problems) == 1 and "context_length" in problems[0]
    assert "less than or equal to 9223372036854775807" in problems[0]
    llama.write_text(llama.read_text(encoding="utf-8").replace("18446744073709551616", "9223372036854775807"))
    # the largest 64-bit count is in range (the fact still wants its source)
    assert [p.message for p in validate_catalog(tiny_catalog).problems] == [
        "fact without source: no entry in `sources` lists this field"
    ]


@pytest.mark.parametrize("number", [float("inf"), float("-inf"), float("nan")])
def test_a_number_that_is_not_finite_is_refused(number: float) -> None:
    """An infinite compute, cost or score is no fact, and JSON (the API's, the merge's shelf) would write
    it as null: refused wherever a record holds a float; finite numbers and texts are kept."""
    source = {"source": "s"}
    cases: list[tuple[type[BaseModel], dict[str, object]]] = [
        (Training, {"compute_flop": number}),
        (Estimate, {"field": "parameters", "value": number, "by": "x", **source}),
        (Evaluation, {"benchmark": "mmlu", "metric": "acc", "value": number, **source}),
        (Dispute, {"field": "parameters", "value": number, **source}),
    ]
    for kind, fields in cases:
        with pytest.raises(ValidationError, match="finite number"):
            kind.model_validate(fields)
    assert Training(compute_flop=2.5e24).compute_flop == 2.5e24
    assert Evaluation(benchmark="mmlu", metric="acc", value=-1.5, source="s").value == -1.5
    assert Evaluation(benchmark="mmlu", metric="acc", value="n/a", source="s").value == "n/a"
    assert Dispute(field="x", value=7, source="s").value == 7
    assert Dispute(field="x", value=-0.5, source="s").value == -0.5


def test_filled_fact_fields_looks_into_records_and_lists() -> None:
    """A field is filled by a value, never by an empty list, an empty string or a record holding only a
    note; ``training`` is named sub-field by sub-field (its note is none)."""
    base = {
        "id": "m",
        "name": "M",
        "domains": ["nlp"],
        "sources": [{"id": "s", "citation": "c", "accessed": "2024-01-01"}],
    }
    empty = Model.model_validate(
        base
        | {
            "parameters": {"note": "not disclosed"},
            "training": {"note": "unknown"},
            "weights": {"huggingface": []},
            "license": "",
            "code": [],
        }
    )
    assert filled_fact_fields(empty) == set()
    full = Model.model_validate(
        base
        | {
            "organizations": ["o"],
            "parameters": {"total": 7, "note": "n"},
            "training": {"tokens": 5, "hardware": "TPU", "note": "n"},
            "weights": {"urls": ["https://example.org/w"]},
            "license": "mit",
            "released": "2023-05",
        }
    )
    assert filled_fact_fields(full) == {
        "organizations",
        "parameters",
        "training.tokens",
        "training.hardware",
        "weights",
        "license",
        "released",
    }
