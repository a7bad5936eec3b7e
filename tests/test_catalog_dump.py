"""The catalog YAML writer: every bundled model written out loads back to the same record."""

from __future__ import annotations

import shutil
from pathlib import Path

from modelatlas.catalog.dump import dump_model, dump_organization
from modelatlas.catalog.schema import Organization
from modelatlas.catalog.validate import validate_catalog

CATALOG = Path(__file__).resolve().parents[1] / "catalog"


def test_every_bundled_model_round_trips(tmp_path: Path) -> None:
    original = validate_catalog(CATALOG)
    copy = tmp_path / "catalog"
    shutil.copytree(CATALOG, copy)
    for entry in original.models:
        (copy / "models" / f"{entry.record.id}.yaml").write_text(dump_model(entry.record), encoding="utf-8")
    again = validate_catalog(copy)
    assert again.problems == []
    assert [e.record for e in again.models] == [e.record for e in original.models]


def test_layout_reads_like_the_hand_written_files() -> None:
    chatglm = next(e.record for e in validate_catalog(CATALOG).models if e.record.id == "chatglm-6b")
    text = dump_model(chatglm)
    assert text.startswith("id: chatglm-6b\nname: ChatGLM-6B\n")
    assert "parameters: {total: 6.2B}\n" in text  # short where exact
    assert "domains: [nlp]\n" in text
    assert "\nsources:\n  - id: readme\n    url: https://github.com/THUDM/ChatGLM-6B\n" in text
    assert "\nhardware:\n  - {precision: fp16, gpu_memory_gb: 19.0, note: " in text  # defaults left out


def test_exact_counts_stay_exact() -> None:
    llama2 = next(
        e.record
        for e in validate_catalog(CATALOG).models
        if e.record.parameters and e.record.parameters.total
    )
    odd = llama2.model_copy(
        update={"parameters": llama2.parameters.model_copy(update={"total": 6_738_415_616})}
    )  # type: ignore[union-attr]
    assert "total: 6738415616" in dump_model(odd)


def test_organization_line() -> None:
    org = Organization(id="new-lab", name="New Lab", country="CN")
    assert dump_organization(org) == "- {id: new-lab, name: New Lab, country: CN}\n"
