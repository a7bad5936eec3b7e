"""Seeds 001 and 002: dated timelines read as rows, and merged into the catalog's models."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.sources.importers import reader
from modelatlas.sources.importers.seed_timeline import read
from modelatlas.sources.merge import Merger

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED_001 = SEEDS / "001_9293887425c98160.txt"
SEED_002 = SEEDS / "002_5bed597fc45d1698.txt"


def test_seed_001_bullets_become_models_with_their_makers_and_dates() -> None:
    rows = [r for r in read(SEED_001) if r.model is not None]
    found = {
        r.name: (str(r.model.announced), r.model.domains, [o.name for o in r.organizations]) for r in rows
    }  # type: ignore[union-attr]
    assert found == {
        "GPT-3": ("2020-06", ["nlp"], []),
        "ChatGPT": ("2022-11-30", ["nlp"], ["OpenAI"]),
        "GPT-4": ("2023-03-14", ["nlp"], ["OpenAI"]),
        "Alpaca": ("2023-03-28", ["nlp"], ["斯坦福"]),
        "Vicuna-13B": ("2023-03", ["nlp"], ["加州大学伯克利分校", "斯坦福大学", "加州大学圣地亚哥分校"]),
        "Koala": ("2023-04-03", ["nlp"], ["伯克利 AI 研究院"]),
        "ChatLLaMA": ("2023-02", ["nlp"], ["Nebuly"]),
        "FreedomGPT": ("2023-04", ["nlp"], []),
        "ColossalChat": ("2023-03", ["nlp"], ["加州大学伯克利分校"]),
        "Dolly": ("2023-03", ["nlp"], ["Databricks"]),
        "LLama-13b": ("2023-02", ["nlp"], ["Meta"]),
        "CLIP": ("2021-01-05", ["multimodal"], ["OpenAI"]),
        "Midjourney": ("2022-07-12", ["multimodal"], []),
        "SAM": ("2023-04-05", ["multimodal"], ["MetaAI"]),
        "LLaVA": ("2023-04", ["multimodal"], ["威斯康星-麦迪森大学", "微软研究院", "哥伦比亚大学"]),
    }
    skipped = [r for r in read(SEED_001) if r.model is None]
    assert {r.line for r in skipped} == {70, 78, 80, 82}  # a blog, a concept, PyTorch 2.0, an ICLR paper
    assert all(r.not_a_model for r in skipped)


def test_seed_002_headings_with_a_year_are_models() -> None:
    rows = list(reader("seed-timeline")(SEED_002, None))
    assert [(r.line, r.name, str(r.model.announced), r.model.domains) for r in rows if r.model] == [  # type: ignore[union-attr]
        (5, "LeNet-5", "2019", ["cv"]),
        (9, "AlexNet", "2012", ["cv"]),
    ]


@pytest.fixture(scope="module")
def merged() -> dict[str, tuple[str, str | None, str]]:
    merger = Merger(load_valid_catalog(bundled_catalog()))
    outcomes = [o for p in (SEED_001, SEED_002) for o in merger.apply(p.name, p, read(p))]
    return {o.name: (o.action, o.model_id, o.detail) for o in outcomes if o.action != "skipped"}


def test_every_timeline_model_is_found_in_the_catalog(merged: dict[str, tuple[str, str | None, str]]) -> None:
    ids = {name: model_id for name, (_, model_id, _) in merged.items()}
    assert ids == {
        "GPT-3": "gpt-3",
        "ChatGPT": "chatgpt",
        "GPT-4": "gpt-4",
        "Alpaca": "alpaca",
        "Vicuna-13B": "vicuna",
        "Koala": "koala",
        "ChatLLaMA": "chatllama",
        "FreedomGPT": "freedomgpt",
        "ColossalChat": "colossalchat",
        "Dolly": "dolly",
        "LLama-13b": "llama",
        "CLIP": "clip",
        "Midjourney": "midjourney",
        "SAM": "sam",
        "LLaVA": "llava",
        "LeNet-5": "lenet-5",
        "AlexNet": "alexnet",
    }


def test_a_seed_date_after_the_release_is_a_conflict_not_an_announcement(
    merged: dict[str, tuple[str, str | None, str]],
) -> None:
    """Seed 002 dates LeNet-5 2019 (it came out in 1998), seed 001 Alpaca 2023-03-28 (released 03-13):
    no model is announced after its release, so these are conflicts; ChatGPT's 2022-11-30 is taken."""
    assert merged["LeNet-5"][0] == "conflict" and "announced (2019 vs 1998-11)" in merged["LeNet-5"][2]
    assert merged["Alpaca"][0] == "conflict" and "announced (2023-03-28 vs 2023-03-13)" in merged["Alpaca"][2]
    assert merged["ChatGPT"][:2] == ("merged", "chatgpt") and "+announced" in merged["ChatGPT"][2]
