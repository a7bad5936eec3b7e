"""The source checks: stale facts and conflicting sources, each tripped and passed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from modelatlas.catalog.schema import Model
from modelatlas.checks import from_input
from modelatlas.checks.subjects import Subject
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


# sources.estimate

EPOCH_ESTIMATES = Path(__file__).parent / "fixtures" / "checks" / "epoch_estimates.csv"
GPT3_NOTE = (
    "Compute: 3.64E+03 petaflop/s-days (paper Table D.1). CO2e 552.1 t and 1,287 MWh are estimates by "
    "Patterson et al. (2021); seeds/001 rounds this to 552 t"
)
RUMOUR = "Rumored to be 1.8T parameter MoE with 280B activated on the forward pass"


def _as_facts(row: Subject) -> Subject:
    """The row as an importer that ignored Epoch's Confidence and notes stored it (modelatlas before
    #16): the parameter count and the compute in the fact fields, their notes beside them."""
    model = row.model
    kept = {e.field: e for e in model.estimates if e.variant is None}
    update: dict[str, Any] = {"estimates": []}
    if "parameters" in kept:
        update["parameters"] = {"total": int(kept["parameters"].value), "note": kept["parameters"].note}
    if "training.compute_flop" in kept:
        training = model.training.model_dump(exclude_none=True) if model.training else {}
        compute = kept["training.compute_flop"]
        update["training"] = {**training, "compute_flop": compute.value, "note": compute.note}
    first = model.sources[0]
    fields = sorted({*first.fields, *(f for f in kept if f in ("parameters", "training.compute_flop"))})
    update["sources"] = [first.model_copy(update={"fields": fields}), *model.sources[1:]]
    folded = Model.model_validate({**model.model_dump(exclude_none=True), **update})
    return dataclasses.replace(row, model=folded)


def test_the_epoch_importer_keeps_rumours_and_estimates_out_of_the_facts() -> None:
    """The same rows as the importer reads them now: every guessed figure is an estimate, none reported."""
    rows = from_input("epoch", EPOCH_ESTIMATES).subjects
    assert findings("sources.estimate", rows) == []
    estimated = {(r.model.id, e.field) for r in rows for e in r.model.estimates}
    assert {("gpt-4-mar-2023", "parameters"), ("palm-2", "parameters"), ("grok-4", "parameters")} <= estimated


def test_rumours_and_third_party_estimates_kept_as_facts() -> None:
    rows = [_as_facts(row) for row in from_input("epoch", EPOCH_ESTIMATES).subjects]
    found = findings("sources.estimate", rows)
    assert {(f.model, f.field, f.severity.name) for f in found} == {
        ("gpt-4-mar-2023", "parameters", "error"),  # "Rumored to be 1.8T"
        (
            "gpt-4-mar-2023",
            "training.compute_flop",
            "warning",
        ),  # "a rough estimate based on public information"
        ("gemini-1.0-ultra", "training.compute_flop", "error"),  # confidence: Speculative
        ("palm-2", "parameters", "error"),  # "leaked to CNBC"
        ("alphago-master", "training.compute_flop", "warning"),  # "This is a guess."
        ("qwq-32b", "training.compute_flop", "error"),  # "'Speculative' confidence"
        ("grok-4", "parameters", "error"),  # "Rumored to be 2.4T params", 3T kept
        ("grok-4", "training.compute_flop", "error"),
    }  # Mistral 7B's 7B parameters are Mistral's: the row's Speculative confidence is about the compute
    gpt4 = next(f for f in found if f.model == "gpt-4-mar-2023" and f.field == "parameters")
    assert gpt4.line == 2 and gpt4.message == (
        "parameters 1.8T is kept as a stated fact, but parameters.note calls it a rumour or speculation; "
        "it belongs in estimates (by whom, how, how sure)"
    )
    assert gpt4.evidence.startswith(f"parameters.note: '{RUMOUR}, per https://www.semianalysis.com/")


def test_a_note_about_another_field_or_another_figure() -> None:
    # gpt-3: the compute is the paper's, the CO2e Patterson et al.'s estimate
    sources = [
        {
            "id": "paper",
            "url": "https://arxiv.org/abs/2005.14165",
            "accessed": "2026-11-23",
            "fields": ["parameters", "training.compute_flop"],
        },
        {
            "id": "patterson",
            "url": "https://arxiv.org/abs/2104.10350",
            "accessed": "2026-11-23",
            "fields": ["training.co2e_t"],
        },
    ]
    training = {"compute_flop": 3.14e23, "co2e_t": 552.1, "note": GPT3_NOTE}
    gpt3 = subject(id="gpt-3", name="GPT-3", parameters={"total": "175B"}, training=training, sources=sources)
    (found,) = findings("sources.estimate", [gpt3])
    assert found.field == "training.co2e_t" and found.severity.name == "warning"
    assert found.line == gpt3.line_at(("training", "co2e_t"))
    assert found.evidence == "training.note: 'CO2e 552.1 t and 1,287 MWh are estimates by Patterson et al.'"
    # recorded as an estimate, it is no longer reported
    estimate = {"field": "training.co2e_t", "value": 552.1, "by": "Patterson et al.", "source": "patterson"}
    assert (
        findings("sources.estimate", [subject(**{**gpt3.model.model_dump(), "estimates": [estimate]})]) == []
    )


def test_estimates_that_are_not_the_value_kept_pass() -> None:
    notes = [
        "3.1e23 FLOP stated in the paper (Table 3), consistent with a 6ND estimate",  # a cross-check
        "6ND estimate: 2.9e23 FLOP; the paper states 3.1e23",  # another figure
        "training_emissions: Estimate by authors for the OPT-175B model only.",  # the maker's own
        "Also, it was not trained on a larger model (contrary to some rumors).",
        "monocular depth estimation network, trained on KITTI",
        "Assume 40% utilization (https://epoch.ai/blog/estimating-training-compute)",
    ]
    records = [
        subject(id=f"m{i}", training={"compute_flop": 3.1e23, "co2e_t": 75, "note": note})
        for i, note in enumerate(notes)
    ]
    assert findings("sources.estimate", records) == []


def test_chinese_words_for_rumours_and_estimates() -> None:
    rumoured = subject(parameters={"total": "1.8T", "note": "参数量据传为 1.8 万亿"})
    estimated = subject(id="e", parameters={"total": "130B", "note": "参数量为第三方估计"})
    found = {f.model: f.severity.name for f in findings("sources.estimate", [rumoured, estimated])}
    assert found == {"m": "error", "e": "warning"}
