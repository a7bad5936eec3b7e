"""The size checks: each trips on a record whose count is wrong and stays quiet on one that is right."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest

from modelatlas.catalog.schema import Parameters
from modelatlas.checks import Subject
from modelatlas.checks.sizes import name_sizes, unit_slip
from tests.checks_support import findings, subject

#: GPT-2 small: 124,439,808 parameters, 85,056,000 of them outside the embeddings.
GPT2 = {
    "model_type": "gpt2",
    "n_embd": 768,
    "n_layer": 12,
    "n_head": 12,
    "vocab_size": 50257,
    "n_positions": 1024,
}


def sizes(name: str) -> list[tuple[str, int, int, bool]]:
    return [(s.text, s.low, s.high, s.active) for s in name_sizes(name)]


def test_name_sizes_reads_the_ways_names_write_a_size() -> None:
    assert sizes("Qwen1.5-7B") == [("7B", 7 * 10**9, 7 * 10**9, False)]  # 1.5 is the version
    assert sizes("Mixtral 8x7B") == [("8x7B", 7 * 10**9, 56 * 10**9, False)]
    assert sizes("bloom-7b1") == [("7b1", 7_100_000_000, 7_100_000_000, False)]
    assert sizes("dlite-v2-1_5b")[0][1] == 1_500_000_000
    assert sizes("Qwen3-30B-A3B") == [
        ("30B", 30 * 10**9, 30 * 10**9, False),
        ("A3B", 3 * 10**9, 3 * 10**9, True),
    ]
    assert sizes("ChatGLM 62亿") == [("62亿", 6_200_000_000, 6_200_000_000, False)]
    assert sizes("GLM 1300亿")[0][1] == 130 * 10**9
    assert sizes("千亿基座")[0][1:3] == (10**11, 10**12 - 1)
    assert [s[0] for s in sizes("T5-11B")] == ["11B"]
    assert [s[0] for s in sizes("GPT-J-6B")] == ["6B"]
    assert [s[0] for s in sizes("Cerebras-GPT-1.3B")] == ["1.3B"]


@pytest.mark.parametrize(
    "name",
    [
        "Llama 2",
        "GPT-3.5",
        "gpt-4-32k",
        "ESM1b",
        "SeamlessM4T",
        "B2T connection (16L)",
        "ViT-H/14",
        "RN50x64",
    ],
)
def test_versions_contexts_and_words_are_no_sizes(name: str) -> None:
    assert name_sizes(name) == []


def test_a_data_size_is_no_parameter_size() -> None:
    assert [s[0] for s in sizes("TinyLlama-1.1B (3T token checkpoint)")] == ["1.1B"]


def test_unit_slip() -> None:
    assert unit_slip(7_000_000, 7_000_000_000) == 3
    assert unit_slip(6_700_000_000_000_000, 6_700_000_000) == 6
    assert unit_slip(7_000_000_000, 8_000_000_000_000) == 3  # within 20% of 10^3
    assert unit_slip(7_000_000_000, 13_000_000_000) is None


# --- sizes.name -----------------------------------------------------------------------------------


def test_a_name_ten_times_off_the_count_is_an_error() -> None:
    # Epoch's all_ai_models.csv: "Llama 2-7B" with 70,000,000,000 parameters
    row = subject(id="llama-2-7b", name="Llama 2-7B", parameters={"total": "70B"})
    (found,) = findings("sizes.name", [row])
    assert found.severity.name == "error"
    assert found.field == "parameters.total"
    assert found.line == row.line_at(("parameters", "total"))
    assert "10x off the 7B" in found.message
    assert found.evidence == "name 'Llama 2-7B' says 7B; parameters.total: 70B"


def test_spellings_of_one_size_make_one_finding() -> None:
    bloom = subject(name="BLOOM", aliases=["BLOOM-176B", "BLOOM 176B"], parameters={"total": "17.6B"})
    (found,) = findings("sizes.name", [bloom])
    assert found.message == "parameters.total 17.6B is 10x off the 176B in the name 'BLOOM-176B'"


def test_a_chinese_size_and_scale_word() -> None:
    (found,) = findings("sizes.name", [subject(name="ChatGLM 千亿基座", parameters={"total": "6.2B"})])
    assert found.severity.name == "error" and "千亿" in found.evidence
    assert findings("sizes.name", [subject(name="ChatGLM 62亿", parameters={"total": "6.2B"})]) == []


def test_a_name_twice_off_is_a_warning() -> None:
    (found,) = findings("sizes.name", [subject(name="Alpaca-7B", parameters={"total": "13B"})])
    assert found.severity.name == "warning" and "1.9x" in found.message


@pytest.mark.parametrize(
    ("name", "total"),
    [
        ("Llama 2-7B", "6.74B"),  # names round
        ("Gemma 2B", "2.51B"),  # by up to a third
        ("Mixtral 8x7B", "46.7B"),  # experts share attention: between 7B and 56B
        ("Qwen1.5-7B", "7.7B"),
        ("BELLE-7B-2M", "7B"),  # 2M is the instruction data; one size that fits is enough
        ("CLIP ViT-H/14 - LAION-2B", "986M"),  # LAION-2B is the data set
        ("Llama 2", "70B"),
    ],
)
def test_a_name_that_rounds_to_its_count_passes(name: str, total: str) -> None:
    assert findings("sizes.name", [subject(name=name, parameters={"total": total})]) == []


def test_an_alias_may_name_a_variant_and_a_variant_is_held_to_its_own_count() -> None:
    llama = subject(
        name="LLaMA",
        aliases=["LLaMA-13B", "LLaMA-30B"],
        parameters={"total": "65.2B"},
        variants=[{"name": "LLaMA-13B", "parameters": "13B"}, {"name": "LLaMA-33B", "parameters": "32.5B"}],
    )
    assert findings("sizes.name", [llama]) == []
    wrong = subject(
        name="OPT",
        parameters={"total": "175B"},
        variants=[{"name": "OPT-1.3B", "parameters": "1.3B"}, {"name": "OPT-13B", "parameters": "1.3B"}],
    )
    (found,) = findings("sizes.name", [wrong])
    assert found.field == "variants.parameters" and found.severity.name == "error"
    assert found.line == wrong.line_at(("variants", 1, "parameters"))
    assert "'OPT-13B'" in found.message


def test_a_mixture_of_experts_may_be_named_after_its_dense_equivalent() -> None:
    st_moe = subject(
        name="ST-MoE",
        architecture={"type": "decoder-only", "moe": True},
        parameters={"total": "269B"},
        variants=[{"name": "ST-MoE-32B", "parameters": "269B"}],
    )
    assert findings("sizes.name", [st_moe]) == []


def test_an_active_size_in_the_name_is_held_to_the_active_count() -> None:
    fields: dict[str, Any] = {"name": "Qwen3-30B-A3B", "architecture": {"type": "decoder-only", "moe": True}}
    (found,) = findings("sizes.name", [subject(**fields, parameters={"total": "30.5B", "active": "13B"})])
    assert found.field == "parameters.active" and "A3B" in found.message
    assert findings("sizes.name", [subject(**fields, parameters={"total": "30.5B", "active": "3.3B"})]) == []


def test_a_size_of_the_training_data_is_not_held_to_the_count() -> None:
    elmo = subject(
        name="ELMo",
        parameters={"total": "93.6M"},
        variants=[{"name": "ELMo Original (5.5B)", "parameters": "93.6M"}],
        training={"dataset": "Wikipedia (1.9B) and news crawl (3.6B), 5.5B tokens"},
    )
    assert findings("sizes.name", [elmo]) == []


def test_a_size_inside_another_models_name_is_that_models() -> None:
    llama2 = subject(id="llama-2", name="Llama 2", variants=[{"name": "Llama-2-13B", "parameters": "13B"}])
    sphinx = subject(id="sphinx", name="SPHINX (Llama 2 13B)", parameters={"total": "19.9B"})
    assert findings("sizes.name", [sphinx], known=[llama2]) == []
    assert len(findings("sizes.name", [sphinx])) == 1  # without Llama 2 known, the 13B is SPHINX's


def test_a_size_in_brackets_is_at_most_a_warning() -> None:
    # Epoch's notable_ai_models.csv: GloVe named after its corpus, 120M parameters
    (found,) = findings("sizes.name", [subject(name="GloVe (32B)", parameters={"total": "120M"})])
    assert found.severity.name == "warning"


# --- sizes.unit -----------------------------------------------------------------------------------


def test_a_count_a_thousand_times_off_the_name_is_a_unit_slip() -> None:
    row = subject(name="Mamba-24M", parameters={"total": "23.4B"})
    (found,) = findings("sizes.unit", [row])
    assert found.severity.name == "error" and found.field == "parameters.total"
    assert "10^3 off the 24M" in found.message
    assert found.evidence == "name 'Mamba-24M' says 24M; parameters.total: 23.4B"
    assert findings("sizes.name", [row]) == []  # reported once, as a slip
    assert findings("sizes.unit", [subject(name="Mamba-24M", parameters={"total": "23.4M"})]) == []


def test_a_count_a_thousand_times_off_another_source_is_a_warning() -> None:
    row = {
        "model_id": "m",
        "field": "parameters",
        "kept": "7B",
        "other": "7M",
        "origin": "epoch:all_ai_models.csv:12",
        "source_id": "epoch-all",
        "source_url": "https://epoch.ai/data",
        "magnitude": 3.0,
    }
    record = subject(parameters={"total": "7B"})
    (found,) = findings("sizes.unit", [record], conflicts=[row])
    assert found.severity.name == "warning" and found.field == "parameters.total"
    assert "7M" in found.evidence and "epoch" in found.evidence
    near = dict(row, other="13B", magnitude=math.log10(13 / 7))
    assert findings("sizes.unit", [record], conflicts=[near]) == []


# --- sizes.config ---------------------------------------------------------------------------------


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    folder = tmp_path / "configs" / "openai-community"
    folder.mkdir(parents=True)
    (folder / "gpt2.json").write_text(json.dumps(GPT2), encoding="utf-8")
    return tmp_path / "configs"


def gpt2(count: str) -> Subject:
    variant = {"name": "GPT-2 Small", "parameters": count, "weights": ["openai-community/gpt2"]}
    return subject(id="gpt-2", name="GPT-2", parameters={"total": "1.5B"}, variants=[variant])


def config_findings(check_id: str, record: Subject, configs: Path) -> list[Any]:
    return findings(check_id, [record], configs_dir=configs, has=frozenset({"configs"}))


@pytest.mark.parametrize(("count", "severity"), [("150M", "warning"), ("300M", "error")])
def test_a_count_off_its_config(configs: Path, count: str, severity: str) -> None:
    record = gpt2(count)
    (found,) = config_findings("sizes.config", record, configs)
    assert found.severity.name == severity and found.field == "variants.parameters"
    assert found.line == record.line_at(("variants", 0, "parameters"))
    assert "openai-community/gpt2" in found.message
    assert "124,439,808 parameters" in found.evidence


@pytest.mark.parametrize("count", ["124M", "117M", "85M"])  # rounded, or without the embeddings
def test_a_count_that_rounds_the_config_passes(configs: Path, count: str) -> None:
    assert config_findings("sizes.config", gpt2(count), configs) == []


def test_a_count_a_thousand_times_off_its_config_is_a_unit_slip(configs: Path) -> None:
    record = gpt2("124B")
    (found,) = config_findings("sizes.unit", record, configs)
    assert found.severity.name == "error" and "config.json" in found.message
    assert config_findings("sizes.config", record, configs) == []


# --- sizes.hub ------------------------------------------------------------------------------------


def hub_row(other: str, ratio: float, **fields: Any) -> dict[str, Any]:
    row = {
        "model_id": "m",
        "field": "parameters",
        "kept": "7B",
        "other": other,
        "origin": "hf",
        "source_id": "huggingface-hub",
        "source_url": "https://huggingface.co/org/m-7b",
        "magnitude": math.log10(ratio),
    }
    return row | fields


def test_a_count_off_the_hub_safetensors_total() -> None:
    record = subject(
        parameters={"total": "13B"},
        variants=[
            {"name": "M-13B", "parameters": "13B", "weights": ["org/m-13b"]},
            {"name": "M-7B", "parameters": "7B", "weights": ["org/m-7b"]},
        ],
    )
    rows = [hub_row("13B", 13 / 7), hub_row("7.5B", 7.5 / 7), hub_row("13B", 13 / 7, model_id="other")]
    (found,) = findings("sizes.hub", [record], conflicts=rows, has=frozenset({"store"}))
    assert found.model == "m" and found.field == "variants.parameters"
    assert found.line == record.line_at(("variants", 1, "parameters"))
    assert found.evidence == "https://huggingface.co/org/m-7b: 13B (safetensors); stated: 7B"


def test_the_hub_check_reads_only_the_hubs_rows() -> None:
    record = subject(parameters={"total": "7B"})
    rows = [hub_row("13B", 13 / 7, origin="epoch:all_ai_models.csv:3")]
    assert findings("sizes.hub", [record], conflicts=rows, has=frozenset({"store"})) == []
    assert findings("sizes.hub", [record], conflicts=[hub_row("13B", 13 / 7)]) == []  # needs the store


# --- sizes.active ---------------------------------------------------------------------------------


def test_active_above_total_in_a_merged_record_is_an_error() -> None:
    record = subject(parameters={"total": "7B"})
    merged = record.model.model_copy(
        update={"parameters": Parameters.model_construct(total=7 * 10**9, active=8 * 10**9)}
    )
    (found,) = findings("sizes.active", [dataclasses.replace(record, model=merged)])
    assert found.severity.name == "error" and "exceed the total" in found.message


def test_a_variant_above_the_total() -> None:
    record = subject(parameters={"total": "7B"}, variants=[{"name": "M-13B", "parameters": "13B"}])
    (found,) = findings("sizes.active", [record])
    assert found.field == "variants.parameters" and "more than the model's total 7B" in found.message
    right = subject(parameters={"total": "13B"}, variants=[{"name": "M-13B", "parameters": "13B"}])
    assert findings("sizes.active", [right]) == []


def test_a_mixture_of_experts_needs_fewer_active_parameters() -> None:
    moe = {"type": "decoder-only", "moe": True}
    (same,) = findings(
        "sizes.active", [subject(architecture=moe, parameters={"total": "47B", "active": "47B"})]
    )
    assert same.severity.name == "warning" and "as many active" in same.message
    (missing,) = findings("sizes.active", [subject(architecture=moe, parameters={"total": "1.6T"})])
    assert missing.severity.name == "info"
    explained = {"total": "269B", "note": "the paper gives no active-parameter count"}
    assert findings("sizes.active", [subject(architecture=moe, parameters=explained)]) == []
    assert (
        findings("sizes.active", [subject(architecture=moe, parameters={"total": "47B", "active": "13B"})])
        == []
    )


def test_fewer_active_parameters_in_a_dense_model() -> None:
    dense = {"type": "decoder-only"}
    (found,) = findings(
        "sizes.active", [subject(architecture=dense, parameters={"total": "47B", "active": "13B"})]
    )
    assert "not a mixture of experts" in found.message
    assert findings("sizes.active", [subject(architecture=dense, parameters={"total": "47B"})]) == []
