"""The text checks: each trips on a record that is wrong and stays quiet on one that is right."""

from __future__ import annotations

import dataclasses

from modelatlas.checks.text import mojibake
from tests.checks_support import findings, subject

SEED = {"id": "seed004", "citation": "seeds/004 Huge Model Paper", "accessed": "2023-04-20"}
PAPER = {"id": "paper", "url": "https://example.org/m", "accessed": "2024-01-01"}


def test_mojibake_repairs_mac_roman_and_latin1_and_leaves_real_text() -> None:
    assert mojibake("Á¥´‰∏úÂ§™Âàù") == "紫东太初"
    assert mojibake("DALL¬∑E 2") == "DALL·E 2"
    assert mojibake("CafÃ© model") == "Café model"
    assert mojibake("â€") == "â€"  # mis-encoded, but nothing to decode it to
    for right in ("紫东太初（第二代）", "PanGu-α", "3×3 conv, ≥ 90%", "Café Müller", "“quoted” — dash…"):
        assert mojibake(right) is None, right
    assert mojibake("A &amp; B") is None  # an HTML entity is not mis-encoding


def test_mojibake_in_a_summary_is_an_error_at_its_line_with_the_repair() -> None:
    record = subject(summary={"zh": "Á¥´‰∏úÂ§™Âàù是多模态大模型", "en": "A multimodal model"})
    (found,) = findings("text.mojibake", [record])
    assert found.severity.name == "error"
    assert found.field == "summary.zh"
    assert found.line == record.line_at(("summary", "zh")) == 6
    assert "summary.zh is mis-encoded" in found.message
    assert "repaired: '紫东太初是多模态大模型'" in found.evidence
    assert "'Á¥´‰∏úÂ§™Âàù' → '紫东太初'" in found.evidence


def test_mojibake_in_a_source_title_names_the_source() -> None:
    title = "Huge Models for NLP [Back to Top‚á™]"
    record = subject(sources=[PAPER, {**SEED, "title": title, "fields": ["released"]}], released="2021")
    (found,) = findings("text.mojibake", [record])
    assert found.field == "sources.title"
    assert found.line == record.line_at(("sources", 1, "title"))
    assert "sources[1].title (source seed004)" in found.message
    assert "'‚á™' → '⇪'" in found.evidence


def test_mojibake_that_cannot_be_repaired_is_still_reported() -> None:
    (found,) = findings("text.mojibake", [subject(aliases=["Model â€"])])
    assert found.field == "aliases" and "no repair found" in found.evidence


def test_real_text_and_quoted_mojibake_pass() -> None:
    record = subject(
        name="PanGu-α",
        aliases=["盘古", "Café"],
        summary={"zh": "鹏城实验室的中文模型（2000 亿参数），×8 卡", "en": "Trained on ≥ 1.1 TB of text"},
        sources=[
            PAPER,
            {**SEED, "citation": "seeds/004, row 紫东太初 (mojibake Á¥´‰∏úÂ§™Âàù)"},
        ],
        disputes=[
            {"field": "name", "value": "PanGu-Œ±", "source": "seed004", "note": "mojibake in seeds/004"}
        ],
    )
    assert findings("text.mojibake", [record]) == []


def test_seed_model_without_an_english_summary() -> None:
    record = subject(summary={"zh": "清华大学的对话模型"}, sources=[PAPER, SEED])
    (found,) = findings("text.summary", [record])
    assert found.severity.name == "warning"
    assert found.message == "seed model has no English summary (summary.en)"
    assert "seed004" in found.evidence
    both = subject(summary={"zh": "清华大学的对话模型", "en": "A dialogue model"}, sources=[PAPER, SEED])
    assert findings("text.summary", [both]) == []
    assert findings("text.summary", [subject()]) == []  # not from a seed


def test_summaries_are_not_asked_of_an_input_files_rows() -> None:
    row = dataclasses.replace(subject(sources=[PAPER, SEED]), origin="seed-sections:000.txt")
    assert findings("text.summary", [row]) == []
    (found,) = findings("text.summary", [row], has=frozenset({"store"}))
    assert "Chinese or English" in found.message


def test_a_task_spelt_two_ways() -> None:
    opt = subject(id="opt", name="OPT", tasks=["question-answering", "text-generation"])
    gpt = subject(id="gpt", name="GPT", tasks=["question-answering"])
    row = subject(id="epoch-row", name="Row", tasks=["text-generation", "Question Answering"])
    (found,) = findings("text.tasks", [opt, gpt, row])
    assert found.model == "epoch-row" and found.field == "tasks"
    assert found.line == row.line_at(("tasks", 1))
    assert found.message == "task 'Question Answering' is also written 'question-answering'"
    assert "'question-answering': 2 records (opt, gpt)" in found.evidence
    distinct = subject(id="vit", name="ViT", tasks=["image-classification"])
    assert findings("text.tasks", [opt, distinct, subject(tasks=["text-classification"])]) == []


def test_the_catalogs_spelling_of_a_task_is_the_reference() -> None:
    catalog = subject(id="bert", name="BERT", tasks=["question-answering"])
    rows = [subject(id=f"row{i}", name=f"Row {i}", tasks=["question answering"]) for i in range(3)]
    (found,) = findings("text.tasks", rows, known=[catalog])
    assert found.model == "row0" and "also written 'question-answering'" in found.message
    assert findings("text.tasks", [catalog], known=[catalog]) == []


def test_a_domain_the_modalities_contradict() -> None:
    image = subject(domains=["nlp"], modalities={"input": ["image"], "output": ["image"]})
    (found,) = findings("text.domains", [image])
    assert found.severity.name == "warning" and found.field == "domains"
    assert found.message == "domain nlp but no code or text among the modalities"
    assert "input image; output image" in found.evidence
    single = subject(domains=["multimodal"], modalities={"input": ["text"], "output": ["text", "code"]})
    (found,) = findings("text.domains", [single])
    assert "single modality" in found.message


def test_domains_the_modalities_bear_out_pass() -> None:
    whisper = subject(domains=["multimodal"], modalities={"input": ["audio"], "output": ["text"]})
    sd = subject(domains=["cv", "multimodal"], modalities={"input": ["text"], "output": ["image"]})
    codex = subject(domains=["nlp"], modalities={"input": ["code"], "output": ["code"]})
    assert findings("text.domains", [whisper, sd, codex, subject()]) == []
