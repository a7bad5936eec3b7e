"""modelatlas.sources.versions: which names carry a date, and which do not."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from modelatlas.sources import versions
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


_PIECES = [
    "GPT-4",
    "Gemini 2.5 Pro",
    " ",
    "  ",
    "-",
    "_",
    "(",
    ")",
    ".",
    "Jun",
    "Sept",
    "Foo",
    "2023",
    "1999",
    "2024-08-06",
    "2024-13-06",
    "2024-09-3",
    "0324",
    "2407",
    "1001",
    "7B",
    "b50000",
    "v0",
    "\t",
]


@example("GPT-4 (Jun 2023)")
@example("DeepSeek-V3-0324")
@example("GPT-4o 2024-08-06")
@given(st.lists(st.sampled_from(_PIECES) | st.text("ab1-_ ()9.", max_size=3), max_size=8).map("".join))
def test_a_name_ending_as_no_pattern_can_is_undated_at_once(name: str) -> None:
    """The quick test (the name ends in ``)``, ``-DD`` or ``-NNNN``) never changes the answer: every name
    is what the three patterns make of it."""
    assert dated(name) == versions._split(" ".join(name.split()))


def test_the_quick_test_passes_each_ending_a_pattern_needs() -> None:
    assert [versions._may_be_dated(t) for t in ("GPT-4 (Jun 2023)", "a 2024-08-06", "V3-0324")] == [True] * 3
    assert [versions._may_be_dated(t) for t in ("MahLool b50000", "Qwen2.5 7B", "x-032", "")] == [False] * 4
