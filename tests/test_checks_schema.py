"""The schema checks: unreadable records, and input rows the importer skipped."""

from __future__ import annotations

from pathlib import Path

from modelatlas.checks.subjects import Skipped
from modelatlas.errors import Problem
from tests.checks_support import findings


def test_a_schema_problem_is_an_error_at_its_line() -> None:
    problem = Problem(Path("models/x.yaml"), 7, "domains", "'language' is not one of nlp, cv, …")
    (found,) = findings("schema.valid", [], problems=[problem])
    assert (found.severity.name, found.location(), found.field) == ("error", "models/x.yaml:7", "domains")
    assert findings("schema.valid", []) == []


def test_a_skipped_duplicate_row_warns_and_a_framework_row_is_listed() -> None:
    duplicate = Skipped(Path("list.md"), 84, "XGen-7B", "duplicate of line 30")
    framework = Skipped(
        Path("list.md"),
        1084,
        "Accelerate",
        "section 'Distributed Training' lists no models",
        not_a_model=True,
    )
    found = findings("schema.skipped", [], skipped=[duplicate, framework])
    assert [(f.severity.name, f.line, f.message) for f in found] == [
        ("warning", 84, "row 'XGen-7B' skipped: duplicate of line 30"),
        ("info", 1084, "row 'Accelerate' skipped: section 'Distributed Training' lists no models"),
    ]
