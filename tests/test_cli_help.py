"""``--help`` reads as prose: each paragraph flows to the terminal's width, examples stay one per line."""

from __future__ import annotations

import pytest

from cli_runner import run
from modelatlas.cli._help import reflow


def test_reflow_joins_a_paragraphs_lines_and_keeps_indented_ones() -> None:
    doc = """First line
    goes on here.

    A second paragraph
    wrapped twice
    and ends.

    Examples:
      modelatlas one
      modelatlas two --flag
    after the examples
    """
    assert reflow(doc) == (
        "First line goes on here.\n\n"
        "A second paragraph wrapped twice and ends.\n\n"
        "Examples:\n  modelatlas one\n  modelatlas two --flag\nafter the examples"
    )


def test_reflow_leaves_one_line_paragraphs_alone_and_joins_with_one_space() -> None:
    assert reflow("One.\n\nTwo.") == "One.\n\nTwo."
    assert reflow("One   \nmore") == "One more"  # a line's trailing spaces go with its break
    assert reflow("  indented first\nthen plain") == "indented first then plain"  # cleandoc dedents


@pytest.mark.parametrize(
    ("command", "line", "examples"),
    [
        (
            "search",
            "Ranked as the models page and the API rank: the exact name first, then its versions and sizes "
            "(`llama 3`: Llama 3.1, 3.2, 3.3), names beginning with the words,",
            [],
        ),
        (
            "sync",
            "Incremental and resumable: what was checked within --min-age is skipped, and each batch is "
            "written in one transaction,",
            ["modelatlas sync --source github --limit 50 --budget 60", "modelatlas sync --source hf --all"],
        ),
    ],
)
def test_help_paragraphs_flow_to_the_width(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    line: str,
    examples: list[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    code, out, _ = run(capsys, command, "--help")
    lines = [text.strip() for text in out.splitlines()]
    assert code == 0
    assert any(text.startswith(line) for text in lines), out  # one line at 300 columns, not cut at 110
    for example in examples:
        assert example in lines  # each example whole, on its own line
