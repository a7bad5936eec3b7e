"""modelatlas.sources.versions: which names carry a date, and which do not."""

from __future__ import annotations

import datetime as dt

import pytest

from modelatlas.sources.versions import Dated, dated


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GPT-4 (Mar 2023)", Dated("GPT-4", "2023-03", dt.date(2023, 3, 1))),
        ("Gemini 2.5 Pro (Jun 2025)", Dated("Gemini 2.5 Pro", "2025-06", dt.date(2025, 6, 1))),
        ("GPT-4o (Sept 2024)", Dated("GPT-4o", "2024-09", dt.date(2024, 9, 1))),
        ("GPT-4o 2024-08-06", Dated("GPT-4o", "2024-08-06", dt.date(2024, 8, 1))),
        ("Gemini 1.0 Pro (2024-09-24)", Dated("Gemini 1.0 Pro", "2024-09-24", dt.date(2024, 9, 1))),
        ("DeepSeek-V3-0324", Dated("DeepSeek-V3", "0324", None, tag_only=True)),
        ("mistral-large-2407", Dated("mistral-large", "2407", None, tag_only=True)),
    ],
)
def test_dated_names(name: str, expected: Dated) -> None:
    assert dated(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Llama 2-7B",  # a size
        "ResNet-1001",  # a depth, though 10/01 is a day
        "Stable Diffusion 1.5",
        "GPT-4 (Foo 2023)",  # not a month
        "GPT-4o 2024-13-06",  # not a date
        "Megatron-LM (1T)",
        "T5-3B",
        "Qwen2.5-Coder (32B)",
    ],
)
def test_undated_names(name: str) -> None:
    assert dated(name) is None
