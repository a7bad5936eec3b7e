"""analysis/hardware/pipelines.py: diffusion pipelines counted per component, checked against diffusers
on the meta device, and their weights per component."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelatlas.analysis.hardware._diffusers import unet_2d_condition
from modelatlas.analysis.hardware._tally import Config, Tally
from modelatlas.analysis.hardware.memory import OVERHEAD_PER_GPU, Workload
from modelatlas.analysis.hardware.pipelines import (
    COUNTED_CLASSES,
    count_component,
    is_pipeline,
    pipeline_inference,
    read_pipeline,
)
from modelatlas.analysis.hardware.precision import PRECISIONS
from modelatlas.errors import BadArgument, ConfigError

CONFIGS = Path(__file__).parents[1] / "catalog" / "configs"
SD15, SDXL, FLUX = (
    "runwayml/stable-diffusion-v1-5",
    "stabilityai/stable-diffusion-xl-base-1.0",
    "black-forest-labs/FLUX.1-schnell",
)

#: Each component's count, pinned; equal to diffusers 0.42.1 / transformers 5.25 on the meta device
#: (test_component_equals_meta_device_count), so these run without either.
COUNTS = {
    SD15: {
        "safety_checker": 303_981_588,
        "text_encoder": 123_060_480,  # the README's "123M text encoder"
        "unet": 859_520_964,  # the README's "860M UNet"
        "vae": 83_653_863,
    },
    SDXL: {
        "text_encoder": 123_060_480,
        "text_encoder_2": 694_659_840,  # with the first, the paper's 817M
        "unet": 2_567_463_684,  # the paper's 2.6B
        "vae": 83_653_863,
    },
    FLUX: {
        "text_encoder": 123_060_480,
        "text_encoder_2": 4_762_310_656,  # T5-v1.1-XXL's encoder
        "transformer": 11_891_178_560,  # Black Forest Labs' 12B
        "vae": 83_819_683,  # 16 latent channels, no quant convolutions
    },
}
COMPONENTS = [(repo, name) for repo, counts in COUNTS.items() for name in counts]


def _index(repo: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONFIGS / f"{repo}.json").read_text(encoding="utf-8"))
    return data


def _pipeline(repo: str) -> Any:
    return read_pipeline(_index(repo), CONFIGS / repo, repo)


def _component_config(repo: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONFIGS / repo / name / "config.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("repo", list(COUNTS))
def test_each_component_is_counted_exactly(repo: str) -> None:
    pipeline = _pipeline(repo)
    assert {c.name: c.parameters for c in pipeline.components} == COUNTS[repo]
    assert pipeline.complete and pipeline.total == sum(COUNTS[repo].values())
    count = pipeline.count()
    assert count.exact and count.note is None and count.shape is None
    assert count.total == pipeline.total and count.groups == COUNTS[repo]


@pytest.mark.parametrize(("repo", "name"), COMPONENTS, ids=lambda x: str(x))
def test_component_equals_meta_device_count(repo: str, name: str) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from diffusers_reference import meta_component_count

    (component,) = [c for c in _pipeline(repo).components if c.name == name]
    assert component.parameters == meta_component_count(component.class_name, _component_config(repo, name))


def test_totals_agree_with_the_sizes_the_makers_state() -> None:
    """SD 1.5's 983M (README, catalog) is the UNet and the text encoder, the VAE left out; SDXL 1.0's 3.5B
    (Stability AI at release) is the whole base pipeline, VAE included."""
    counts = COUNTS[SD15]
    assert counts["unet"] + counts["text_encoder"] == 982_581_444  # 983M
    assert sum(COUNTS[SDXL].values()) == 3_468_837_867  # 3.5B
    assert sum(COUNTS[SDXL].values()) - COUNTS[SDXL]["vae"] == 3_385_184_004


def test_weightless_components_are_skipped_and_missing_configs_named(tmp_path: Path) -> None:
    index = _index(SD15)
    assert is_pipeline(index) and not is_pipeline({"model_type": "llama"})
    names = [c.name for c in _pipeline(SD15).components]
    assert "tokenizer" not in names and "scheduler" not in names and "feature_extractor" not in names
    (tmp_path / "unet").mkdir()
    (tmp_path / "unet" / "config.json").write_text(
        (CONFIGS / SD15 / "unet" / "config.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    partial = read_pipeline(index | {"prior": ["diffusers", "PriorTransformer"]}, tmp_path, "x")
    by_name = {c.name: c for c in partial.components}
    assert by_name["unet"].parameters == 859_520_964
    assert by_name["vae"].parameters is None and str(by_name["vae"].note) == "its config.json is not at hand"
    assert by_name["prior"].parameters is None
    count = partial.count()
    assert not count.exact and count.total == 859_520_964
    assert count.note is not None and str(count.note).startswith(
        "not counted, so the total is a lower bound: "
    )
    assert "vae (AutoencoderKL): its config.json is not at hand" in str(count.note)


def test_a_class_not_counted_is_named_not_guessed(tmp_path: Path) -> None:
    (tmp_path / "prior").mkdir()
    (tmp_path / "prior" / "config.json").write_text("{}", encoding="utf-8")
    pipeline = read_pipeline(
        {"_class_name": "KandinskyPriorPipeline", "prior": ["diffusers", "PriorTransformer"]}, tmp_path, "k"
    )
    (prior,) = pipeline.components
    assert (
        prior.parameters is None
        and str(prior.note) == "modelatlas does not count diffusers's PriorTransformer"
    )
    assert "PriorTransformer" not in COUNTED_CLASSES and "UNet2DConditionModel" in COUNTED_CLASSES
    with pytest.raises(ConfigError, match="PriorTransformer is not a component modelatlas counts"):
        count_component("PriorTransformer", {}, origin="p")


def test_an_index_without_weights_or_not_a_pipeline_is_refused() -> None:
    with pytest.raises(ConfigError, match="names no component with weights"):
        read_pipeline({"_class_name": "XPipeline", "scheduler": ["diffusers", "PNDMScheduler"]}, None, "x")
    with pytest.raises(ConfigError, match="is not a diffusers pipeline's model_index.json"):
        read_pipeline({"model_type": "llama"}, None, "x")


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("class_embed_type", "timestep"),
        ("addition_embed_type", "text_image"),
        ("mid_block_type", "UNetMidBlock2DSimpleCrossAttn"),
    ],
)
def test_a_unet_setting_not_counted_is_an_error_not_a_wrong_count(setting: str, value: str) -> None:
    config = _component_config(SD15, "unet") | {setting: value}
    with pytest.raises(ConfigError, match=setting):
        unet_2d_condition(Config(config, "u"), Tally())


def test_weights_per_component_at_fp16_are_two_bytes_each() -> None:
    row = pipeline_inference(_pipeline(SD15), PRECISIONS["fp16"], Workload())
    weights = {k: v for k, v in row.parts.items() if k != "overhead"}
    assert weights == {k: 2 * v for k, v in COUNTS[SD15].items()}
    assert sum(weights.values()) == 2_740_433_790
    assert row.parts["overhead"] == round(2_740_433_790 * 0.05) + OVERHEAD_PER_GPU == 673_892_602
    assert row.total == 3_414_326_392
    assert "activations" not in row.parts and "kv_cache" not in row.parts  # unknown, never 0
    assert any(str(n).startswith("activations unknown") for n in row.notes)
    fp32 = pipeline_inference(_pipeline(SD15), PRECISIONS["fp32"], Workload())
    assert fp32.parts["unet"] == 4 * 859_520_964


def test_sdxl_decodes_with_its_vae_in_fp32_from_fp16_only() -> None:
    pipeline = _pipeline(SDXL)
    fp16 = pipeline_inference(pipeline, PRECISIONS["fp16"], Workload())
    bf16 = pipeline_inference(pipeline, PRECISIONS["bf16"], Workload())
    assert fp16.parts["vae"] == 4 * 83_653_863 and bf16.parts["vae"] == 2 * 83_653_863
    assert fp16.parts["unet"] == bf16.parts["unet"] == 2 * 2_567_463_684
    assert any("vae counted in fp32" in str(n) for n in fp16.notes)
    assert not any("fp32" in str(n) for n in bf16.notes)
    # FLUX's VAE has force_upcast too, but FluxPipeline does not upcast it
    flux = pipeline_inference(_pipeline(FLUX), PRECISIONS["fp16"], Workload())
    assert flux.parts["vae"] == 2 * 83_819_683


@pytest.mark.parametrize("name", ["int8", "int4", "nf4", "q4_k_m"])
def test_quantised_formats_are_refused_for_a_pipeline(name: str) -> None:
    with pytest.raises(BadArgument, match=f"--precision {name}: a StableDiffusionPipeline's weights"):
        pipeline_inference(_pipeline(SD15), PRECISIONS[name], Workload())


PUBLISHED = Path(__file__).parent / "fixtures" / "memory_published_pipelines.yaml"
_UNITS = {"GiB": 1024**3, "GB": 10**9, "MB": 10**6, "MiB": 1024**2}


def _published_pipeline(figure: dict[str, Any], tmp_path: Path) -> Any:
    """The bundled pipeline a figure names, with its config_changes applied in a copy."""
    import shutil

    repo = figure["config"].removesuffix(".json")
    folder = tmp_path / repo
    shutil.copytree(CONFIGS / repo, folder)
    for name, changes in (figure["config_changes"] or {}).items():
        path = folder / name / "config.json"
        path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")) | changes), encoding="utf-8")
    return read_pipeline(_index(repo), folder, repo)


def test_published_pipeline_figures_are_at_least_our_weights(tmp_path: Path) -> None:
    """Our weights are a lower bound of every published run, and what a run holds beyond them is within
    what docs/hardware.md explains (activations at the resolution, the CUDA context): 53–77 % of a peak
    or a card's memory in use is weights; a figure of the weights alone matches them within 0.1 %."""
    import yaml

    figures = yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))
    ratios = {}
    for figure in figures:
        pipeline = _published_pipeline(figure, tmp_path / str(len(ratios)))
        row = pipeline_inference(pipeline, PRECISIONS[figure["weights_precision"]], Workload())
        weights = sum(v for k, v in row.parts.items() if k != "overhead")
        published = figure["figure"] * _UNITS[figure["unit"]]
        ratio = weights / published
        ratios[(figure["model_repo"], figure["weights_precision"], figure["figure"])] = round(ratio, 3)
        if figure["kind"] == "weights_only":
            assert abs(ratio - 1) < 0.001, figure["model_repo"]
        else:
            assert 0.5 < ratio < 0.8, (figure["model_repo"], ratio)
    assert ratios == {
        ("stabilityai/stable-diffusion-xl-base-1.0", "bf16", 8.961): 0.721,
        ("stabilityai/stable-diffusion-xl-base-1.0", "bf16", 8.958): 0.721,
        ("stabilityai/stable-diffusion-xl-base-1.0", "fp32", 16.827): 0.768,
        ("runwayml/stable-diffusion-v1-5", "fp16", 5101): 0.537,
        ("black-forest-labs/FLUX.1-dev", "bf16", 31.447): 0.999,
    }


def test_flux_dev_is_schnell_with_a_guidance_embedder(tmp_path: Path) -> None:
    figure = {"config": f"{FLUX}.json", "config_changes": {"transformer": {"guidance_embeds": True}}}
    dev = _published_pipeline(figure, tmp_path)
    (transformer,) = [c for c in dev.components if c.name == "transformer"]
    # two linear layers, 256 → 3072 → 3072, more than schnell: FLUX.1 [dev]'s published 11.9B
    assert transformer.parameters == 11_891_178_560 + 256 * 3072 + 3072 + 3072 * 3072 + 3072 == 11_901_408_320
