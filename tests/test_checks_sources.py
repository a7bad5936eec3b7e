"""The source checks: stale facts and conflicting sources, each tripped and passed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.checks_support import findings, subject

YEAR = dt.timedelta(days=365)
SEED = {"id": "seed000", "citation": "seeds/000", "accessed": "2023-03-22", "fields": ["released", "code"]}
PAPER = {"id": "paper", "url": "https://example.org/m", "accessed": "2026-11-01", "fields": ["code"]}
STORE = frozenset({"store"})


def test_a_fact_only_an_old_source_backs_is_listed() -> None:
    record = subject(released="2023-03", code=["https://github.com/a/b"], sources=[SEED, PAPER])
    (found,) = findings("sources.stale", [record], stale_after=YEAR)
    assert found.severity.name == "info"
    assert found.field == "released" and found.line == record.line_at(("released",))
    assert "1 fact backed only by sources read before 2025-11-23" in found.message
    assert found.message.endswith(": released")  # code is backed by the recent paper too
    assert found.evidence == "seed000 (read 2023-03-22): released"


def test_training_in_a_sources_fields_covers_its_sub_fields() -> None:
    old = {"id": "paper", "url": "https://example.org/m", "accessed": "2022-01-01", "fields": ["training"]}
    record = subject(training={"tokens": "1T", "hardware": "TPU v4"}, sources=[old])
    (found,) = findings("sources.stale", [record], stale_after=YEAR)
    assert "training.hardware, training.tokens" in found.message
    assert found.line == record.line_at(("training", "hardware"))


def test_recent_sources_and_no_stale_after_pass() -> None:
    recent = subject(code=["https://github.com/a/b"], sources=[PAPER])
    assert findings("sources.stale", [recent], stale_after=YEAR) == []
    old = subject(released="2023-03", sources=[SEED])
    assert findings("sources.stale", [old]) == []  # off without --stale-after


def _conflict(field: str, other: str, origin: str, **more: Any) -> dict[str, Any]:
    row = {"model_id": "falcon-40b", "field": field, "kept": "40B", "other": other, "origin": origin}
    row.update({"source_id": "ecosystem-graphs-assets-l57", "source_url": None, "magnitude": 0.65})
    row.update(more)
    return row


def test_conflicting_sources_are_summarised_per_model_and_field() -> None:
    falcon = subject(id="falcon-40b", name="Falcon-40B", parameters={"total": "40B"})
    rows = [
        _conflict(
            "parameters", "180B", "ecosystem-graphs:assets:57", source_url="https://arxiv.org/abs/2311.16867"
        ),
        _conflict("parameters", "41B", "catalog", source_id="seed004"),
        _conflict("released", "2023-09-06", "ecosystem-graphs:assets:57"),
    ]
    found = {f.field: f for f in findings("sources.conflicts", [falcon], conflicts=rows, has=STORE)}
    assert sorted(found) == ["parameters", "released"]
    params = found["parameters"]
    assert params.severity.name == "warning"
    assert params.model == "falcon-40b" and params.line == falcon.line_at(("parameters",))
    assert params.message == (
        "parameters: 2 sources disagree with the value kept, '40B' "
        "(1 already in the catalog's disputes): '180B', '41B'"
    )
    source = "ecosystem-graphs-assets-l57 https://arxiv.org/abs/2311.16867 (ecosystem-graphs:assets:57)"
    assert f"{source}: '180B'" in params.evidence
    assert "seed004 (catalog): '41B'" in params.evidence


def test_disputes_the_catalog_already_records_and_runs_without_a_store_pass() -> None:
    falcon = subject(id="falcon-40b", name="Falcon-40B", parameters={"total": "40B"})
    curated = [_conflict("parameters", "41B", "catalog")]
    assert findings("sources.conflicts", [falcon], conflicts=curated, has=STORE) == []
    fresh = [_conflict("parameters", "180B", "ecosystem-graphs:assets:57")]
    assert findings("sources.conflicts", [falcon], conflicts=fresh) == []  # needs the store


def test_a_conflict_on_a_model_not_among_the_records_is_still_reported() -> None:
    (found,) = findings(
        "sources.conflicts", [], conflicts=[_conflict("parameters", "180B", "x:1")], has=STORE
    )
    assert found.model == "falcon-40b" and found.line == 0
