"""`memory`, `fit` and `gpus` on the bundled catalog: JSON shape, formats that pipe, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run

CATALOG = Path(__file__).parents[1] / "catalog"


@pytest.fixture
def store(capsys: pytest.CaptureFixture[str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MODELATLAS_DB", sqlite_url)
    monkeypatch.setenv("MODELATLAS_CATALOG", str(CATALOG))
    code, _, err = run(capsys, "build", "--curated-only")
    assert code == 0, err
    return sqlite_url


def _size(out: str) -> dict[str, Any]:
    """The one size `memory -f json` answers for (it answers ``{"asked", "sizes"}``)."""
    data = json.loads(out)
    assert len(data["sizes"]) == 1
    size: dict[str, Any] = data["sizes"][0]
    return size


def test_memory_json_has_exact_parameters_and_bytes_per_precision(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    code, out, err = run(capsys, "memory", "chatglm-6b", "-f", "json")
    assert code == 0, err
    data = _size(out)
    assert data["parameters"] == 6_173_286_400 and data["exact"] is True
    assert data["active_parameters"] is None
    assert data["workload"] == {
        "context": 2048,
        "batch": 1,
        "gpus": 1,
        "kv_bits": None,
    }  # the model's maximum
    fp16 = data["precisions"]["fp16"]
    assert fp16["total"] == sum(fp16["breakdown"].values())
    assert fp16["breakdown"]["weights"] == 2 * 6_173_286_400
    assert set(data["precisions"]) >= {
        "fp32",
        "fp16",
        "bf16",
        "int8",
        "int4",
        "nf4",
        "gptq",
        "awq",
        "q8_0",
        "q4_k_m",
    }
    assert {"purpose": "inference", "precision": "int4", "gpu_memory_gb": 6.0, "source": "readme"} in data[
        "stated"
    ]


def test_memory_of_a_moe_reports_active_parameters(capsys: pytest.CaptureFixture[str], store: str) -> None:
    code, out, err = run(capsys, "memory", "mistralai/Mixtral-8x7B-v0.1", "-p", "int4", "-f", "json")
    assert code == 0, err
    data = _size(out)
    assert data["parameters"] == 46_702_792_704
    assert data["active_parameters"] == 12_879_925_248
    assert list(data["precisions"]) == ["int4"]


def test_memory_of_a_config_path_needs_no_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELATLAS_DB", f"sqlite:///{tmp_path / 'none.db'}")
    config = CATALOG / "configs" / "meta-llama" / "Llama-2-7b-hf.json"
    code, out, err = run(capsys, "memory", str(config), "--context", "1024", "--batch", "2", "-f", "json")
    assert code == 0, err
    data = _size(out)
    assert data["parameters"] == 6_738_415_616
    # 32 layers × K and V × 4096 × 1024 tokens × 2 sequences × 2 bytes
    assert data["precisions"]["fp16"]["breakdown"]["kv_cache"] == 32 * 2 * 4096 * 1024 * 2 * 2


def test_memory_with_a_gpu_says_whether_it_fits_and_estimates_speed(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    code, out, err = run(
        capsys, "memory", "Llama-2-7B", "-p", "fp16", "-p", "q4_k_m", "--gpu", "RTX 3060 12GB", "-f", "json"
    )
    assert code == 0, err
    data = _size(out)
    assert data["gpu"]["id"] == "rtx-3060-12gb"
    assert data["precisions"]["fp16"]["fits"] is False
    assert data["precisions"]["q4_k_m"]["fits"] is True
    fast, slow = data["precisions"]["q4_k_m"], data["precisions"]["fp16"]
    assert fast["decode_tokens_per_second"] > 2 * slow["decode_tokens_per_second"]


def test_memory_split_across_gpus(capsys: pytest.CaptureFixture[str], store: str) -> None:
    def fp16_on(cards: str) -> dict[str, Any]:
        args = ["memory", "Llama-2-70B", "-p", "fp16", "--gpu", "A100 80GB", "--gpus", cards, "-f", "json"]
        code, out, err = run(capsys, *args)
        assert code == 0, err
        result: dict[str, Any] = _size(out)["precisions"]["fp16"]
        return result

    one, two = fp16_on("1"), fp16_on("2")
    assert one["fits"] is False  # 138 GB of weights alone
    assert two["fits"] is True  # as served in practice: two 80 GB cards
    assert two["per_gpu"] == -(-two["total"] // 2)
    assert two["total"] > one["total"]  # a second CUDA context


def test_memory_training_shows_both_checkpointing_settings(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    code, out, err = run(capsys, "memory", "Llama-2-7B", "--train", "qlora", "-f", "json")
    assert code == 0, err
    training = _size(out)["training"]
    assert list(training) == ["qlora", "qlora + checkpointing"]
    assert training["qlora + checkpointing"]["total"] < training["qlora"]["total"]
    assert set(training["qlora"]["breakdown"]) == {
        "weights",
        "lora",
        "gradients",
        "optimizer",
        "activations",
        "overhead",
    }


def test_memory_table_and_csv(capsys: pytest.CaptureFixture[str], store: str) -> None:
    code, out, _ = run(capsys, "memory", "chatglm-6b", "--lang", "zh")
    assert code == 0
    assert "6,173,286,400" in out and "KV 缓存" in out and "来源所述显存需求" in out
    code, out, _ = run(capsys, "memory", "chatglm-6b", "-p", "int4", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["precision"] for r in rows] == ["int4"]
    assert int(rows[0]["total"]) == sum(
        int(rows[0][k]) for k in ("weights", "kv_cache", "activations", "overhead")
    )


def test_memory_of_a_model_with_several_sizes_answers_for_each(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """Issue 20: a family was refused ("has 3 sizes; name one"); each size now gets its table."""
    code, out, err = run(capsys, "memory", "llama-2", "-p", "int4")
    assert code == 0, err
    assert [line.split(" — ")[0].strip() for line in out.splitlines() if " — " in line] == [
        "Llama-2-7B",
        "Llama-2-13B",
        "Llama-2-70B",
    ]
    code, out, _ = run(capsys, "memory", "llama-2", "-p", "int4", "-f", "csv")
    assert code == 0
    sizes = [row["size"] for row in csv.DictReader(io.StringIO(out))]
    assert sizes == ["Llama-2-7B", "Llama-2-13B", "Llama-2-70B"]


def test_memory_without_config_falls_back_to_the_stated_size(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    code, out, err = run(capsys, "memory", "glm-130b", "-p", "int4", "-f", "json")
    assert code == 0, err
    data = _size(out)
    assert data["exact"] is False
    assert data["parameters"] == 130_000_000_000
    assert any("estimate" in n for n in data["notes"])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["memory", "chatglm-6b", "-p", "int3"], 2, "'int3' is not one of fp32"),
        (["memory", "chatglm-6b", "--gpu", "RTX 4900"], 1, "did you mean GeForce RTX 4090"),
        (["memory", "./missing/config.json"], 1, "no such file"),
        (
            ["memory", "someone/unknown-7b"],
            1,
            "no config.json for 'someone/unknown-7b': the catalog bundles none",
        ),
        (["memory", "no-such-model"], 1, "no-such-model"),
        (["memory", "chatglm-6b", "--context", "0"], 2, "--context"),
        (["fit"], 2, "--gpu"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], store: str, args: list[str], code: int, message: str
) -> None:
    got, _, err = run(capsys, *args)
    assert got == code
    assert err.startswith("Error:") and err.count("\n") == 1
    assert message in err


def test_bad_config_names_file_and_line(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    bad = tmp_path / "config.json"
    bad.write_text('{"model_type": "llama",\n "hidden_size": }', encoding="utf-8")
    code, _, err = run(capsys, "memory", str(bad))
    assert code == 1 and f"{bad}:2: not JSON" in err


def test_fit_lists_models_that_fit_per_precision(capsys: pytest.CaptureFixture[str], store: str) -> None:
    code, out, err = run(capsys, "fit", "--gpu", "RTX 3060 12GB", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["gpu"]["memory_gb"] == 12 and data["precisions"] == ["fp16", "int8", "int4"]
    by_size = {m["size"]: m for m in data["models"]}
    assert by_size["ChatGLM-6B"]["int4_fits"] and by_size["ChatGLM-6B"]["int8_fits"]
    assert not by_size["ChatGLM-6B"]["fp16_fits"]
    assert "Llama-2-70B" not in by_size  # fits at no precision
    sizes = [m["parameters"] for m in data["models"]]
    assert sizes == sorted(sizes, reverse=True)


def test_fit_csv_pipes(capsys: pytest.CaptureFixture[str], store: str) -> None:
    code, out, _ = run(capsys, "fit", "--gpu", "4090", "-p", "q4_k_m", "-f", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and set(rows[0]) == {"model", "size", "parameters", "exact", "q4_k_m", "q4_k_m_fits"}
    assert all(int(r["q4_k_m"]) <= 24 * 1024**3 for r in rows)


def test_gpus_lists_cards_with_sources(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gpus", "--segment", "datacenter", "-f", "json", "--catalog", str(CATALOG))
    assert code == 0
    cards = json.loads(out)
    assert cards and all(
        c["segment"] == "datacenter" and c["source_url"].startswith("https://") for c in cards
    )


def test_fit_lists_only_downloadable_models_unless_all(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    _, out, _ = run(capsys, "fit", "--gpu", "H100", "-f", "json")
    shown = {m["model"] for m in json.loads(out)["models"]}
    assert "llama-2" in shown and "chinchilla" not in shown  # Chinchilla's weights were never released
    _, out, _ = run(capsys, "fit", "--gpu", "H100", "--all", "-f", "json")
    assert "chinchilla" in {m["model"] for m in json.loads(out)["models"]}


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_gpus_shows_cards_without_an_fp16_figure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    """A card without an FP16 figure (every bundled card has one since issue 20; a user's catalog may not)
    leaves the cells empty instead of failing; the others say whether theirs is stated or estimated."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    text = (CATALOG / "gpus.yaml").read_text(encoding="utf-8")
    without = text.replace("    fp16_tflops: 81.5\n    fp16_kind: stated\n", "", 1)  # the RTX 3070's
    assert without != text
    (catalog / "gpus.yaml").write_text(without, encoding="utf-8")
    code, out, err = run(capsys, "gpus", "-f", fmt, "--catalog", str(catalog))
    assert code == 0, err
    assert "RTX 4090" in out and "estimated" in out and "stated" in out
    if fmt == "csv":
        header, *rows = list(csv.reader(io.StringIO(out)))
        assert "fp16_tflops" in header and {len(row) for row in rows} == {len(header)}
        fp16, kind = header.index("fp16_tflops"), header.index("fp16_kind")
        assert [row[header.index("id")] for row in rows if row[fp16] == ""] == ["rtx-3070"]
        assert all((row[fp16] == "") == (row[kind] == "") for row in rows)
        assert {row[kind] for row in rows} == {"stated", "estimated", ""}


def test_an_image_generator_says_what_its_stated_size_leaves_out(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """Issue 20: Stable Diffusion got 2.42 GiB beside sources saying 4–10 GB with no word on why; an image
    model without bundled configs (SD3 Medium) still says so."""
    code, out, err = run(capsys, "memory", "stable-diffusion-3", "-p", "fp16", "-f", "json")
    assert code == 0, err
    note = " ".join(_size(out)["notes"])
    assert "a model that makes images holds more than these weights: an autoencoder (VAE)" in note
    assert "workload" in _size(out) and "kv_cache" not in _size(out)["precisions"]["fp16"]["breakdown"]
    code, out, _ = run(capsys, "memory", "Llama-2-7B", "-p", "fp16", "-f", "json")
    assert "a model that makes" not in " ".join(_size(out)["notes"])
    code, out, _ = run(capsys, "memory", "whisper-large-v2", "-p", "fp16", "-f", "json")
    assert _size(out)["workload"]["context"] == 448  # the decoder's limit, not 4096


SD15_COMPONENTS = {
    "safety_checker": 303_981_588,
    "text_encoder": 123_060_480,
    "unet": 859_520_964,
    "vae": 83_653_863,
}


def test_a_diffusion_pipeline_is_broken_down_per_network(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """Issue 20: Stable Diffusion's networks, each counted from its config, weights per network; no context,
    no KV cache, no decode speed; activations unknown, not 0."""
    code, out, err = run(capsys, "memory", "stable-diffusion", "--gpu", "RTX 3060 12GB", "-f", "json")
    assert code == 0, err
    data = _size(out)
    assert (
        data["model"] == "stable-diffusion"
        and data["config"] == "catalog/configs/runwayml/stable-diffusion-v1-5.json"
    )
    assert data["parameters"] == 1_370_216_895 and data["exact"] is True
    assert data["model_class"] == "StableDiffusionPipeline" and data["breakdown"] == SD15_COMPONENTS
    assert [c["class"] for c in data["components"]] == [
        "StableDiffusionSafetyChecker",
        "CLIPTextModel",
        "UNet2DConditionModel",
        "AutoencoderKL",
    ]
    assert data["workload"]["context"] is None
    assert list(data["precisions"]) == ["fp32", "fp16", "bf16"]  # quantised formats are not modelled
    fp16 = data["precisions"]["fp16"]
    assert fp16["breakdown"] == {**{k: 2 * v for k, v in SD15_COMPONENTS.items()}, "overhead": 673_892_602}
    assert fp16["total"] == 3_414_326_392 and fp16["fits"] is True
    assert fp16["decode_tokens_per_second"] is None and fp16["max_context"] is None
    assert fp16["first_token_seconds"] is None
    assert any(n.startswith("activations unknown") for n in data["notes"])
    assert not any("a model that makes images" in n for n in data["notes"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_image_model_never_shows_a_context(
    capsys: pytest.CaptureFixture[str], store: str, lang: str
) -> None:
    code, out, err = run(capsys, "memory", "stable-diffusion-xl", "--gpu", "RTX 4090", "--lang", lang)
    assert code == 0, err
    assert "context" not in out and "上下文" not in out and "token" not in out
    assert (
        "SDXL-base-1.0 — 3,468,837,867 个参数（精确）"
        if lang == "zh"
        else "SDXL-base-1.0 — 3,468,837,867 parameters (exact)"
    ) in out
    words = (
        ("文本编码器", "文本编码器 2", "UNet", "VAE 自编码器", "未知")
        if lang == "zh"
        else ("text encoder", "text encoder 2", "UNet", "VAE", "unknown")
    )
    assert all(w in out for w in words)
    assert ("fp16：vae 按 fp32 计" if lang == "zh" else "fp16: vae counted in fp32") in out
    # and a language model still shows its context and speed
    code, out, _ = run(capsys, "memory", "chatglm-6b", "-p", "fp16", "--gpu", "RTX 4090", "--lang", lang)
    assert ("context 2048" in out) if lang == "en" else ("上下文 2048" in out and "生成速度" in out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--context", "8k"),
            "Error: --context: Stable Diffusion is a StableDiffusionPipeline, which makes images",
        ),
        (
            ("-p", "int4"),
            "Error: --precision int4: a StableDiffusionPipeline's weights are counted in fp32, fp16",
        ),
        (
            ("--train", "lora"),
            "Error: --train: fine-tuning memory is modelled for language models, not for a",
        ),
    ],
)
def test_what_a_pipeline_does_not_have_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], store: str, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, "memory", "stable-diffusion", *args)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1  # a usage error


def test_a_downloaded_pipeline_folder_is_counted_without_a_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setenv("MODELATLAS_DB", f"sqlite:///{tmp_path / 'none.db'}")
    folder = tmp_path / "sd15"
    shutil.copytree(CATALOG / "configs" / "runwayml" / "stable-diffusion-v1-5", folder)
    shutil.copy(CATALOG / "configs" / "runwayml" / "stable-diffusion-v1-5.json", folder / "model_index.json")
    for target in (folder, folder / "model_index.json"):
        code, out, err = run(capsys, "memory", str(target), "-p", "bf16", "-f", "json")
        assert code == 0, err
        assert _size(out)["breakdown"] == SD15_COMPONENTS
    shutil.rmtree(folder / "vae")
    code, out, err = run(capsys, "memory", str(folder), "-p", "bf16", "-f", "json")
    data = _size(out)
    assert data["exact"] is False and data["parameters"] == 1_370_216_895 - 83_653_863
    assert "vae (AutoencoderKL): its config.json is not at hand" in data["note"]


def test_fit_shows_a_pipeline_at_fp16_and_no_quantised_figure(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    code, out, err = run(capsys, "fit", "--gpu", "RTX 3060 12GB", "-f", "json")
    assert code == 0, err
    (sd,) = [m for m in json.loads(out)["models"] if m["model"] == "stable-diffusion"]
    assert sd["parameters"] == 1_370_216_895 and sd["exact"] is True
    assert sd["fp16"] == 3_414_326_392 and sd["fp16_fits"] is True
    assert sd["int8"] is None and sd["int8_fits"] is False and sd["int4"] is None
