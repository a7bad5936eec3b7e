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
    """Issue 20: Stable Diffusion got 2.42 GiB beside sources saying 4–10 GB with no word on why."""
    code, out, err = run(capsys, "memory", "stable-diffusion", "-p", "fp16", "-f", "json")
    assert code == 0, err
    note = " ".join(_size(out)["notes"])
    assert "a model that makes images holds more than these weights: an autoencoder (VAE)" in note
    assert "workload" in _size(out) and "kv_cache" not in _size(out)["precisions"]["fp16"]["breakdown"]
    code, out, _ = run(capsys, "memory", "Llama-2-7B", "-p", "fp16", "-f", "json")
    assert "a model that makes" not in " ".join(_size(out)["notes"])
    code, out, _ = run(capsys, "memory", "whisper-large-v2", "-p", "fp16", "-f", "json")
    assert _size(out)["workload"]["context"] == 448  # the decoder's limit, not 4096
