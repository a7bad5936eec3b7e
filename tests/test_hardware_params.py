"""analysis/hardware/params.py: exact parameter counts, checked against transformers on the meta device."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from meta_reference import meta_count
from modelatlas.analysis.hardware import KNOWN, count_parameters
from modelatlas.analysis.hardware.configs import read_config
from modelatlas.analysis.hardware.pipelines import is_pipeline
from modelatlas.errors import ConfigError

CONFIGS = Path(__file__).parents[1] / "catalog" / "configs"
CONFIG_FILES = sorted(CONFIGS.glob("*/*.json"))
COUNTED = [p for p in CONFIG_FILES if json.loads(p.read_text(encoding="utf-8")).get("model_type") in KNOWN]
#: Diffusion pipelines' model_index.json files; their components' configs sit in a folder beside each.
PIPELINES = [p for p in CONFIG_FILES if is_pipeline(json.loads(p.read_text(encoding="utf-8")))]

#: The architectures the issue names, as the model_type values their configs carry.
REQUIRED = {
    "llama",  # Llama 1/2/3, Yi
    "mistral",
    "qwen2",
    "qwen",  # Qwen v1 (remote code)
    "internlm",
    "internlm2",
    "baichuan",
    "mixtral",
    "gpt2",
    "gpt_neox",
    "gptj",
    "opt",
    "bloom",
    "falcon",
    "chatglm",
    "gemma",
    "phi",
    "t5",
    "mt5",
    "bert",
    "roberta",
    "vit",
    "clip",
    "whisper",
}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", COUNTED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_count_equals_meta_device_count(path: Path) -> None:
    config = _load(path)
    ours = count_parameters(config, origin=str(path))
    assert ours.exact
    assert ours.total == meta_count(config, ours.model_class)


@pytest.mark.parametrize(
    "path", sorted(set(CONFIG_FILES) - set(COUNTED) - set(PIPELINES)), ids=lambda p: p.stem
)
def test_other_bundled_configs_get_a_labelled_estimate(path: Path) -> None:
    count = count_parameters(_load(path))
    assert not count.exact and count.note is not None and str(count.note).startswith("estimate")


def test_bundled_configs_cover_every_required_architecture() -> None:
    kinds = {_load(p).get("model_type") for p in CONFIG_FILES}
    kinds = {"falcon" if k in ("RefinedWeb", "RefinedWebModel") else k for k in kinds}
    assert REQUIRED - kinds == set()


# Every model_type counted, built from transformers' own defaults for that config class: this
# covers the classes no bundled config uses (DeepSeek-V3, Qwen3-MoE, Gemma 2/3, GLM-4 …).
@pytest.mark.parametrize(
    "kind",
    [
        k
        for k in KNOWN
        if k
        not in (
            "chatglm",
            "qwen",
            "baichuan",
            "internlm",
            "internlm2",
            "moss",
            "RefinedWeb",
            "RefinedWebModel",
        )
    ],
)
def test_default_config_of_each_class_matches_meta_count(kind: str) -> None:
    from transformers import CONFIG_MAPPING

    config = CONFIG_MAPPING[kind]().to_dict()
    config["model_type"] = kind
    config.pop("architectures", None)
    ours = count_parameters(config)
    assert ours.total == meta_count(config, ours.model_class)


@pytest.mark.parametrize(
    ("model_class", "expected_pooler"),
    [("BertModel", True), ("BertForMaskedLM", False), ("BertForPreTraining", True)],
)
def test_bert_heads_follow_the_class(model_class: str, expected_pooler: bool) -> None:
    config = _load(CONFIGS / "google-bert" / "bert-base-uncased.json") | {"architectures": [model_class]}
    ours = count_parameters(config)
    assert ours.model_class == model_class
    assert ours.total == meta_count(config)


@pytest.mark.parametrize(
    ("repo", "total"),
    [
        # Figures published by the model makers or derivable from them exactly.
        ("THUDM/chatglm-6b", 6_173_286_400),  # "62亿参数" (6.2B), seed 000 and the README
        ("meta-llama/Llama-2-7b-hf", 6_738_415_616),
        ("Qwen/Qwen-7B-Chat", 7_721_324_544),  # Qwen technical report: 7.7B
        ("google-bert/bert-base-uncased", 109_514_298),  # BertForMaskedLM; BertModel is 109,482,240
    ],
)
def test_known_totals(repo: str, total: int) -> None:
    owner, name = repo.split("/")
    assert count_parameters(read_config(CONFIGS / owner / f"{name}.json")).total == total


def test_mixtral_counts_total_and_active_experts() -> None:
    count = count_parameters(_load(CONFIGS / "mistralai" / "Mixtral-8x7B-v0.1.json"))
    assert count.total == 46_702_792_704
    # two of eight experts per token: the total less six experts in each of 32 layers
    per_expert = 3 * 4096 * 14336
    assert count.active == count.total - 6 * per_expert * 32 == 12_879_925_248
    assert count.groups["experts"] == 8 * per_expert * 32


def test_dense_models_have_no_active_count() -> None:
    assert count_parameters(_load(CONFIGS / "meta-llama" / "Llama-2-7b-hf.json")).active is None


def test_tied_embeddings_are_counted_once() -> None:
    config = _load(CONFIGS / "Qwen" / "Qwen2-0.5B.json")
    assert config["tie_word_embeddings"] is True
    tied = count_parameters(config)
    untied = count_parameters(config | {"tie_word_embeddings": False})
    assert untied.total - tied.total == config["vocab_size"] * config["hidden_size"]
    assert tied.groups["head"] == 0


def test_grouped_query_attention_shrinks_attention_and_kv_cache() -> None:
    config = _load(CONFIGS / "meta-llama" / "Llama-2-70b-chat-hf.json")
    gqa = count_parameters(config)
    mha = count_parameters(config | {"num_key_value_heads": config["num_attention_heads"]})
    head_dim = config["hidden_size"] // config["num_attention_heads"]
    kv_heads_dropped = config["num_attention_heads"] - config["num_key_value_heads"]
    assert (
        mha.total - gqa.total
        == 2 * kv_heads_dropped * head_dim * config["hidden_size"] * config["num_hidden_layers"]
    )
    assert gqa.shape is not None and mha.shape is not None
    assert mha.shape.kv_per_token == 8 * gqa.shape.kv_per_token


def test_unknown_architecture_is_an_estimate_labelled_as_such() -> None:
    config = {"model_type": "rwkv", "hidden_size": 2048, "num_hidden_layers": 24, "vocab_size": 50277}
    count = count_parameters(config)
    assert not count.exact
    assert count.note is not None and "estimate" in str(count.note) and "rwkv" in str(count.note)
    assert count.total == 24 * 12 * 2048 * 2048 + 50277 * 2048


def test_unknown_architecture_without_sizes_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"my\.json: model_type: .*not an architecture"):
        count_parameters({"model_type": "mystery"}, origin="my.json")


def test_missing_setting_names_the_file_and_field() -> None:
    with pytest.raises(ConfigError, match=r"x\.json: hidden_size: missing"):
        count_parameters({"model_type": "llama", "num_hidden_layers": 2}, origin="x.json")


def test_non_numeric_setting_is_rejected() -> None:
    config = _load(CONFIGS / "meta-llama" / "Llama-2-7b-hf.json") | {"hidden_size": "big"}
    with pytest.raises(ConfigError, match="hidden_size: 'big' is not a whole number"):
        count_parameters(config)


def test_read_config_reports_the_line_of_bad_json(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text('{\n  "model_type": "llama",\n  "hidden_size": 4096,,\n}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.json:3: not JSON"):
        read_config(tmp_path)  # a directory holding config.json works too


def test_every_bundled_config_has_its_provenance() -> None:
    import yaml

    entries = yaml.safe_load((CONFIGS / "sources.yaml").read_text(encoding="utf-8"))
    repos = [e["repo"] for e in entries]
    assert len(repos) == len(set(repos))
    files = {f"{p.parent.name}/{p.stem}" for p in CONFIG_FILES}
    assert files == set(repos)
    for entry in entries:
        assert entry.get("from") or entry.get("from_sources"), entry["repo"]
        assert entry["upstream"].startswith("https://huggingface.co/"), entry["repo"]


@pytest.mark.parametrize(
    ("setting", "value", "needle"),
    [
        (
            "num_hidden_layers",
            10**12,
            "num_hidden_layers: 1,000,000,000,000 is beyond any model (at most 100,000)",
        ),
        ("num_hidden_layers", 100_001, "at most 100,000"),
        ("vocab_size", 2**32 + 1, "vocab_size: 4,294,967,297 is beyond any model (at most 4,294,967,296)"),
        ("hidden_size", 1e30, "hidden_size: 1,000,000,000,000,000,019,884,624,838,656 is beyond any model"),
    ],
)
def test_a_setting_beyond_any_model_is_refused_before_counting(
    setting: str, value: float, needle: str
) -> None:
    """Issue 19: 10¹² layers kept a worker counting layer by layer for hours."""
    config = _load(CONFIGS / "meta-llama" / "Llama-2-7b-hf.json") | {setting: value}
    with pytest.raises(ConfigError, match=re.escape(needle)):
        count_parameters(config)


def test_the_largest_settings_allowed_still_count() -> None:
    config = _load(CONFIGS / "meta-llama" / "Llama-2-7b-hf.json")
    deep = count_parameters(config | {"num_hidden_layers": 100_000})
    assert deep.total == count_parameters(config).total + (100_000 - 32) * 202_383_360
    assert count_parameters(config | {"max_position_embeddings": 2**32}).total == 6_738_415_616


LLAMA = CONFIGS / "meta-llama" / "Llama-2-7b-hf.json"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"num_hidden_layers": None}, "x.json: num_hidden_layers: missing (nor n_layer); the count needs it"),
        (
            {"num_hidden_layers": None, "n_layer": 10**6},
            "x.json: n_layer: 1,000,000 is beyond any model (at most 100,000)",
        ),
        ({"num_hidden_layers": -2}, "x.json: num_hidden_layers: -2 is negative"),
        ({"vocab_size": None}, "x.json: vocab_size: missing; the count needs it"),
        ({"hidden_size": 4096.5}, "x.json: hidden_size: 4096.5 is not a whole number"),
    ],
)
def test_config_errors_name_the_file_and_the_setting_it_gives(change: dict[str, Any], message: str) -> None:
    """mutmut on ``_tally``: the messages named the wrong file or setting without a test failing."""
    config = {k: v for k, v in (_load(LLAMA) | change).items() if v is not None}
    with pytest.raises(ConfigError) as info:
        count_parameters(config, origin="x.json")
    assert str(info.value) == message


def test_a_nested_config_is_read_under_either_key_and_must_be_an_object() -> None:
    clip = _load(CONFIGS / "openai" / "clip-vit-base-patch32.json")
    wider = clip | {
        "text_config": {**clip.get("text_config", {}), "hidden_size": 768, "intermediate_size": 3072}
    }
    counted = count_parameters(wider)
    assert counted.total == meta_count(wider, counted.model_class) != count_parameters(clip).total
    older = {k: v for k, v in wider.items() if k != "text_config"} | {
        "text_config_dict": wider["text_config"]
    }
    assert count_parameters(older).total == counted.total
    with pytest.raises(ConfigError) as info:
        count_parameters(clip | {"text_config": [1, 2]}, origin="c.json")
    assert str(info.value) == "c.json: text_config: is not an object"
    with pytest.raises(ConfigError) as info:
        count_parameters(clip | {"text_config": {"hidden_size": "wide"}}, origin="c.json")
    assert str(info.value) == "c.json text_config: hidden_size: 'wide' is not a whole number"
