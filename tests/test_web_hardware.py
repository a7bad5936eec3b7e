"""The hardware calculator on the web: /api/v1/memory (GET and POST) agrees with `modelatlas memory`,
the Hardware page in both languages, the model page's table, and the "fits on my GPU" facet."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli_runner import run
from modelatlas.analysis.hardware.subjects import model_subjects
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import Settings
from modelatlas.store import tables as T
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.records import load_models
from modelatlas.web import create_app

CATALOG = Path(__file__).parents[1] / "catalog"
LLAMA_2_7B = CATALOG / "configs" / "meta-llama" / "Llama-2-7b-hf.json"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The bundled catalog built into a fresh SQLite store, which the CLI also reads."""
    url = f"sqlite:///{tmp_path / 'hardware.db'}"
    build_store(load_valid_catalog(CATALOG), url)
    monkeypatch.setenv("MODELATLAS_DB", url)
    monkeypatch.setenv("MODELATLAS_CATALOG", str(CATALOG))
    return url


@pytest.fixture
def client(store: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=store, catalog=CATALOG))) as served:
        yield served


def _cli_memory(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, "memory", *args, "-f", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    assert data["asked"] == args[0] and len(data["sizes"]) == 1
    size: dict[str, Any] = data["sizes"][0]
    return size


def _assert_same(api: dict[str, Any], cli: dict[str, Any]) -> None:
    """The API's answer carries every number the CLI's JSON does."""
    assert len(api["sizes"]) == 1
    api = api["sizes"][0]
    subject = api["subject"]
    assert subject["parameters"] == cli["parameters"]
    assert subject["active_parameters"] == cli["active_parameters"]
    assert subject["exact"] == cli["exact"] and subject["model"] == cli["model"]
    assert subject["title"] == cli["title"] and subject["origin"] == cli["config"]
    assert api["workload"] == cli["workload"]
    assert (api["gpu"] or {}).get("id") == (cli["gpu"] or {}).get("id")
    rows = cli["training"] if api["training"] else cli["precisions"]
    assert [r["label"] for r in api["rows"]] == list(rows)
    for row in api["rows"]:
        expected = rows[row["label"]]
        assert row["breakdown"] == expected["breakdown"]
        assert (row["total"], row["per_gpu"]) == (expected["total"], expected["per_gpu"])
        assert row["fits"] == expected["fits"]
        assert row["decode_tokens_per_second"] == expected["decode_tokens_per_second"]
        assert row["total_gib"] == round(expected["total"] / 1024**3, 3)
    assert api["stated"] == cli["stated"] and api["notes"] == cli["notes"]


@pytest.mark.parametrize(
    ("args", "params"),
    [
        (["chatglm-6b"], {}),
        (
            ["Llama-2-7B", "-p", "fp16", "-p", "q4_k_m", "--gpu", "RTX 3060 12GB"],
            {"precision": ["fp16", "q4_k_m"], "gpu": "RTX 3060 12GB"},
        ),
        (
            ["Llama-2-70B", "-p", "fp16", "--gpu", "A100 80GB", "--gpus", "2", "--context", "8192"],
            {"precision": "fp16", "gpu": "A100 80GB", "gpus": 2, "context": 8192},
        ),
        (["mistralai/Mixtral-8x7B-v0.1", "-p", "int4", "--batch", "4"], {"precision": "int4", "batch": 4}),
        (["glm-130b", "-p", "int4", "--gpu", "4090"], {"precision": "int4", "gpu": "4090"}),
        (["Llama-2-7B", "--train", "qlora", "--gpu", "RTX 4090"], {"train": "qlora", "gpu": "RTX 4090"}),
        (["stable-diffusion-xl", "--gpu", "RTX 4090"], {"gpu": "RTX 4090"}),
        (["whisper-large-v2", "-p", "fp16"], {"precision": "fp16"}),
    ],
)
def test_memory_api_gives_the_cli_numbers(
    capsys: pytest.CaptureFixture[str], client: TestClient, args: list[str], params: dict[str, Any]
) -> None:
    answer = client.get("/api/v1/memory", params={"model": args[0], **params})
    assert answer.status_code == 200, answer.text
    _assert_same(answer.json(), _cli_memory(capsys, *args))


def test_a_pasted_config_is_counted_exactly(capsys: pytest.CaptureFixture[str], client: TestClient) -> None:
    config = json.loads(LLAMA_2_7B.read_text(encoding="utf-8"))
    answer = client.post("/api/v1/memory", params={"context": 1024, "batch": 2}, json=config)
    assert answer.status_code == 200, answer.text
    assert answer.json()["asked"] == ""
    (data,) = answer.json()["sizes"]
    assert data["subject"]["parameters"] == 6_738_415_616 and data["subject"]["exact"] is True
    assert data["subject"]["model"] is None and data["subject"]["origin"] == "pasted config.json"
    cli = _cli_memory(capsys, str(LLAMA_2_7B), "--context", "1024", "--batch", "2")
    by_label = {row["label"]: row for row in data["rows"]}
    assert list(by_label) == list(cli["precisions"])
    for label, expected in cli["precisions"].items():
        assert by_label[label]["breakdown"] == expected["breakdown"]


@pytest.mark.parametrize(
    ("typed", "title", "parameters", "exact", "origin"),
    [
        ("70B", "70B", 70_000_000_000, False, "size"),
        ("62亿", "62亿", 6_200_000_000, False, "size"),
        ("7e9", "7e9", 7_000_000_000, False, "size"),
        ("8x7B", "8x7B", 56_000_000_000, False, "size"),
        ("chatglm3-6b", "ChatGLM3-6B", 6_243_584_000, True, "catalog/configs/THUDM/chatglm3-6b.json"),
        (  # no catalog model answers to it: the bundled repo of that name
            "GLM-4-9B-Chat-HF",
            "THUDM/glm-4-9b-chat-hf",
            9_399_951_360,
            True,
            "catalog/configs/THUDM/glm-4-9b-chat-hf.json",
        ),
        (
            "https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json",
            "meta-llama/Llama-2-7b-hf",
            6_738_415_616,
            True,
            "catalog/configs/meta-llama/Llama-2-7b-hf.json",
        ),
    ],
)
def test_memory_takes_what_a_person_types(
    capsys: pytest.CaptureFixture[str],
    client: TestClient,
    typed: str,
    title: str,
    parameters: int,
    exact: bool,
    origin: str,
) -> None:
    """Issue 20: sizes, a repo's name without its owner and Hub URLs were 404s."""
    answer = client.get("/api/v1/memory", params={"model": typed, "precision": "fp16"})
    assert answer.status_code == 200, answer.text
    (size,) = answer.json()["sizes"]
    subject = size["subject"]
    assert (subject["title"], subject["parameters"], subject["exact"]) == (title, parameters, exact)
    assert subject["origin"] == origin
    (row,) = size["rows"]
    assert row["breakdown"]["weights"] == 2 * parameters
    if exact:
        assert row["breakdown"]["kv_cache"] > 0
    else:  # unknown without a config: left out, not 0, and the total is a lower bound
        assert sorted(row["breakdown"]) == ["overhead", "weights"]
        assert "lower bound" in " ".join(size["notes"])
    _assert_same(answer.json(), _cli_memory(capsys, typed, "-p", "fp16"))


def test_a_bare_mixture_size_says_it_is_an_upper_bound(client: TestClient) -> None:
    (size,) = client.get("/api/v1/memory", params={"model": "8x7B"}).json()["sizes"]
    assert "8 experts of 7B counted as 8 × 7B, an upper bound" in size["notes"][0]
    assert "Mixtral 8x7B has 46.7B" in size["notes"][0]


def test_a_family_is_answered_for_every_size(capsys: pytest.CaptureFixture[str], client: TestClient) -> None:
    """Issue 20: "llama-2 has 3 sizes" was a 422; now each size is estimated."""
    answer = client.get("/api/v1/memory", params={"model": "llama-2", "precision": "int4"}).json()
    titles = [size["subject"]["title"] for size in answer["sizes"]]
    assert answer["asked"] == "llama-2" and len(titles) == 3
    assert [size["subject"]["parameters"] for size in answer["sizes"]] == sorted(
        size["subject"]["parameters"] for size in answer["sizes"]
    )
    assert all(size["subject"]["exact"] for size in answer["sizes"])
    code, out, _ = run(capsys, "memory", "llama-2", "-p", "int4", "-f", "json")
    assert code == 0 and [s["title"] for s in json.loads(out)["sizes"]] == titles
    page = client.get("/hardware", params={"model": "llama-2"})
    assert page.status_code == 200 and "3 sizes, each estimated below" in page.text
    assert all(f'id="memory{suffix}"' in page.text for suffix in ("", "-2", "-3"))


def test_a_hub_repo_is_counted_from_the_synced_copy_or_the_hub(
    replay: Any, tiny_catalog: Path, tmp_path: Path
) -> None:
    """Issue 20: a repo the catalog bundles no config for: the store's synced config, else the Hub's
    (asked once per process); the tiny catalog bundles no configs."""
    from modelatlas.live.hub_configs import hub_config

    hub_config.cache_clear()
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    cache = tmp_path / "cache"
    settings = Settings(db=url, catalog=tiny_catalog, hf_endpoint=replay.hf, cache_dir=cache)
    repo = "meta-llama/Llama-2-7b-chat-hf"
    with TestClient(create_app(settings)) as served:
        for _ in range(2):
            (size,) = served.get("/api/v1/memory", params={"model": repo}).json()["sizes"]
            assert size["subject"]["parameters"] == 6_738_415_616 and size["subject"]["exact"]
            assert size["subject"]["origin"] == f"{repo} (config.json, the Hub)"
        asked = [path.rstrip("?") for path in replay.hits(f"/hf/{repo}/resolve/")]
        assert asked == [f"/hf/{repo}/resolve/main/config.json"]
    # a later run (another process: the memory is gone) reads the copy kept on disk, not the Hub
    (kept,) = cache.glob("hub-configs/*/meta-llama/llama-2-7b-chat-hf.json")
    assert json.loads(kept.read_text(encoding="utf-8"))["num_hidden_layers"] == 32
    hub_config.cache_clear()
    with TestClient(create_app(settings)) as served:
        again = served.get("/api/v1/memory", params={"model": repo.upper()}).json()["sizes"]
        assert again[0]["subject"]["parameters"] == 6_738_415_616
        assert len(replay.hits(f"/hf/{repo}/resolve/")) == 1
        missing = served.get("/api/v1/memory", params={"model": "someone/nothing"})
        assert missing.status_code == 404
        assert "the catalog bundles none and the store has none, and the Hub has none" in missing.text
    engine = make_engine(url)
    config = json.loads(LLAMA_2_7B.read_text(encoding="utf-8"))
    with engine.begin() as conn:
        conn.execute(
            T.observations.insert().values(
                source="hf",
                ref="someone/Synced",
                field="config",
                value=json.dumps(config),
                observed_at="2026-12-04T00:00:00Z",
            )
        )
    engine.dispose()
    with TestClient(create_app(settings)) as served:
        (size,) = served.get("/api/v1/memory", params={"model": "https://hf.co/someone/synced"}).json()[
            "sizes"
        ]
    assert size["subject"]["origin"] == "someone/synced (config.json, synced from the Hub)"
    assert size["subject"]["parameters"] == 6_738_415_616
    hub_config.cache_clear()


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"model": "gpt-99"}, 404, "gpt-99"),
        (
            {"model": "someone/unknown-7b"},
            404,
            "no config.json for 'someone/unknown-7b': the catalog bundles none and the store has none, "
            "and the Hub could not be asked",
        ),
        ({"model": "/etc/hostname"}, 404, "not a catalog model"),
        ({"model": "../gpus.yaml"}, 404, "not a catalog model"),
        ({"model": "5"}, 404, "'5'"),  # no size: a million parameters at least
        ({"model": "chatglm-6b", "precision": "int3"}, 422, "precision: 'int3' is not one of fp32"),
        ({"model": "chatglm-6b", "gpu": "RTX 4900"}, 422, "did you mean GeForce RTX 4090"),
        ({"model": "chatglm-6b", "context": 0}, 422, "context"),
        ({"model": "chatglm-6b", "batch": "many"}, 422, "batch"),
        ({"model": "chatglm-6b", "train": "rlhf"}, 422, "train"),
        ({"model": "glm-130b", "train": "lora"}, 422, "needs the model's config.json"),
        ({}, 422, "model"),
    ],
)
def test_bad_memory_queries_are_json_errors(
    client: TestClient, params: dict[str, Any], status: int, needle: str
) -> None:
    answer = client.get("/api/v1/memory", params=params)
    assert answer.status_code == status, answer.text
    assert needle in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[1, 2]", "body"),
        ('{"model_type": "llama",', "body"),
        ('{"model_type": "llama"}', "hidden_size: missing"),
        (
            '{"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 0}',
            "counted",
        ),
        ('{"model_type": "mamba"}', "not an architecture modelatlas counts"),
        (  # issue 19: counted layer by layer, this kept a worker busy for hours
            '{"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1000000000000, '
            '"num_attention_heads": 1, "intermediate_size": 8, "vocab_size": 8}',
            "num_hidden_layers: 1,000,000,000,000 is beyond any model",
        ),
    ],
)
def test_a_bad_pasted_config_is_a_422(client: TestClient, body: str, needle: str) -> None:
    answer = client.post("/api/v1/memory", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert needle in answer.json()["error"]["message"]


def test_openapi_documents_memory(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/memory"])
    params = {p["name"] for p in paths["/api/v1/memory"]["get"]["parameters"]}
    assert {"model", "context", "batch", "precision", "train", "gpu", "gpus"} <= params
    assert {"gpu", "precision"} <= {p["name"] for p in paths["/api/v1/models"]["get"]["parameters"]}


def _cells(page: str, label: str) -> list[str]:
    row = re.search(rf'<tr data-label="{re.escape(label)}">(.*?)</tr>', page, re.S)
    assert row, label
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", ["Hardware calculator", "KV cache", "Fits"]), ("zh", ["硬件计算器", "KV 缓存", "放得下"])],
)
def test_hardware_page_in_both_languages(client: TestClient, lang: str, words: list[str]) -> None:
    params = [("model", "Llama-2-7B"), ("gpu", "RTX 3060 12GB"), ("precision", "fp16"), ("precision", "int4")]
    page = client.get("/hardware", params=[*params, ("lang", lang)])
    assert page.status_code == 200
    assert all(word in page.text for word in words)
    assert '<option value="rtx-3060-12gb" selected>' in page.text
    assert 'value="Llama-2-7B"' in page.text and '<option value="chatglm-6b">' in page.text
    api = client.get("/api/v1/memory", params=params).json()
    rows = {row["label"]: row for row in api["sizes"][0]["rows"]}
    fp16, int4 = _cells(page.text, "fp16"), _cells(page.text, "int4")
    # the answer first (issue 21: on a phone the total and the fit were off-screen), the breakdown after
    assert fp16[1] == f"{rows['fp16']['total_gib']:.2f}" and fp16[2] == "✗"
    assert int4[1] == f"{rows['int4']['total_gib']:.2f}" and int4[2] == "✓"
    assert fp16[6] == f"{rows['fp16']['breakdown_gib']['weights']:.2f}"
    assert 'href="/api/v1/memory?model=Llama-2-7B&amp;gpu=RTX+3060+12GB' in page.text
    empty = client.get("/hardware", params={"lang": lang})  # just the form
    assert empty.status_code == 200 and 'id="memory"' not in empty.text


def test_hardware_page_takes_empty_fields_and_shows_problems_inline(client: TestClient) -> None:
    page = client.get("/hardware?model=chatglm-6b&gpu=&gpus=&context=&batch=&train=&lang=en")
    assert page.status_code == 200 and "6,173,286,400 parameters" in page.text
    missing = client.get("/hardware", params={"model": "gpt-99", "lang": "en"})
    assert missing.status_code == 404
    assert 'class="error-message"' in missing.text and 'id="calculator"' in missing.text
    several = client.get("/hardware", params={"model": "llama-2"})
    assert (
        several.status_code == 200 and 'id="hw-subject-3"' in several.text and "Llama-2-70B" in several.text
    )
    training = client.get("/hardware", params={"model": "Llama-2-7B", "train": "qlora", "lang": "en"}).text
    assert 'data-label="qlora + checkpointing"' in training and "LoRA weights" in training


def test_context_presets_kv_format_and_the_largest_context(
    capsys: pytest.CaptureFixture[str], client: TestClient
) -> None:
    """Issue 20: contexts as people type them (32k, max), an 8-bit KV cache, and the largest context a
    card holds; the same from the API, the page and the CLI."""
    params = {"model": "Llama-3.1-8B", "precision": "fp16", "gpu": "RTX 4090", "context": "32k", "kv": "fp8"}
    (size,) = client.get("/api/v1/memory", params=params).json()["sizes"]
    assert size["workload"] == {"context": 32768, "batch": 1, "gpus": 1, "kv_bits": 8}
    (row,) = size["rows"]
    assert row["breakdown"]["kv_cache"] == 32 * 2 * 8 * 128 * 32768  # layers × K,V × kv heads × dim, 1 byte
    plain = client.get("/api/v1/memory", params={**params, "kv": ""}).json()["sizes"][0]["rows"][0]
    assert plain["breakdown"]["kv_cache"] == 2 * row["breakdown"]["kv_cache"]
    assert row["max_context"] == 51_207 and plain["max_context"] == 36_034
    _assert_same(
        client.get("/api/v1/memory", params=params).json(),
        _cli_memory(
            capsys, "Llama-3.1-8B", "-p", "fp16", "--gpu", "RTX 4090", "--context", "32k", "--kv", "fp8"
        ),
    )
    longest = client.get("/api/v1/memory", params={**params, "context": "max"}).json()["sizes"][0]
    assert longest["workload"]["context"] == 131_072
    page = client.get("/hardware", params={**params, "lang": "zh"}).text
    assert "最长可用上下文" in page and _cells(page, "fp16")[5] == "51,207"
    for bad, needle in (({"context": "9q"}, "context: '9q'"), ({"kv": "fp4"}, "kv: 'fp4' is not one of")):
        answer = client.get("/api/v1/memory", params={**params, **bad})
        assert answer.status_code == 422 and needle in answer.json()["error"]["message"]
    (beyond,) = client.get("/api/v1/memory", params={"model": "Llama-2-7B", "context": "8k"}).json()["sizes"]
    assert "context 8,192 is longer than the 4,096 tokens Llama-2-7B takes" in beyond["notes"]
    (within,) = client.get("/api/v1/memory", params={"model": "Llama-2-7B", "context": "4k"}).json()["sizes"]
    assert not any("longer than" in note for note in within["notes"])
    stated = client.get("/api/v1/memory", params={"model": "70B", "context": "max"})
    assert stated.status_code == 422 and "longest context of 70B is not known" in stated.text


def test_hardware_page_estimates_a_pasted_config(client: TestClient) -> None:
    body = LLAMA_2_7B.read_text(encoding="utf-8")
    page = client.post(
        "/hardware", params={"precision": "int4", "gpu": "rtx-4090", "lang": "en"}, content=body
    )
    assert page.status_code == 200
    assert "6,738,415,616 parameters" in page.text and "pasted config.json" in page.text
    cells = _cells(page.text, "int4")
    assert cells[2] == "✓" and cells[5] == "4,096"  # the largest context is the model's limit
    bad = client.post(
        "/hardware", params={"lang": "en"}, content='{"model_type": "llama",\n "hidden_size": }'
    )
    assert bad.status_code == 422 and "pasted config.json:2: not JSON" in bad.text
    assert 'id="result"' in bad.text
    deep = client.post("/hardware", params={"lang": "en"}, content="[" * 100_000 + "]" * 100_000)
    assert deep.status_code == 422 and "nested too deeply to be a config.json" in deep.text  # was a 500


def test_model_page_shows_its_hardware_table(client: TestClient, store: str) -> None:
    page = client.get("/models/chatglm-6b", params={"lang": "en"}).text
    assert 'id="hardware-table"' in page
    for card in ("GeForce RTX 3060 12GB", "GeForce RTX 4090", "A100 SXM4 80GB"):
        assert f"<th>{card}</th>" in page
    int4 = client.get("/api/v1/memory", params={"model": "chatglm-6b", "precision": "int4"}).json()["sizes"][
        0
    ]["rows"][0]
    cells = _row(page, "ChatGLM-6B", "int4")
    assert cells[1] == f"{int4['total'] / 1024**3:.2f}" and cells[2:5] == ["✓", "✓", "✓"]  # the answer first
    assert cells[5] == f"{int4['breakdown']['weights'] / 1024**3:.2f}"
    assert _row(page, "ChatGLM-6B", "fp16")[2:5] == ["✗", "✓", "✓"]
    assert "Stated by sources" in page  # the README's 6 GB at int4
    several = client.get("/models/llama-2").text
    assert several.count('rowspan="3"') == 3  # 7B, 13B and 70B at fp16, int8 and int4
    stated = client.get("/models/glm-130b", params={"lang": "en"}).text
    assert 'id="hardware-table"' in stated and "no config.json in the catalog" in stated
    nothing = next(m.id for m in load_models(store) if not model_subjects(m, CATALOG / "configs"))
    assert 'id="hardware-table"' not in client.get(f"/models/{nothing}").text


def _row(page: str, size: str, label: str) -> list[str]:
    row = re.search(
        rf'<tr data-size="{re.escape(size)}" data-label="{re.escape(label)}">(.*?)</tr>', page, re.S
    )
    assert row, (size, label)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells][-9:]


def test_gpu_facet_keeps_what_fit_keeps(capsys: pytest.CaptureFixture[str], client: TestClient) -> None:
    """`fit` and the "fits on my GPU" facet keep the same models: those whose weights can be downloaded
    (issue 20: the facet counted API-only ones) and that fit, each shown with its memory."""
    code, out, err = run(capsys, "fit", "--gpu", "RTX 3060 12GB", "-p", "int4", "-f", "json")
    assert code == 0, err
    fitting = json.loads(out)["models"]
    expected = {m["model"] for m in fitting if m["int4_fits"]}
    code, out, _ = run(capsys, "fit", "--gpu", "RTX 3060 12GB", "-p", "int4", "--all", "-f", "json")
    everything_that_fits = {m["model"] for m in json.loads(out)["models"] if m["int4_fits"]}
    assert "gato" in everything_that_fits - expected  # closed weights: 1.2B parameters fit, but to no use
    listed = client.get(
        "/api/v1/models", params={"gpu": "RTX 3060 12GB", "fields": "id", "limit": 500}
    ).json()
    assert {item["id"] for item in listed["items"]} == expected and listed["total"] == len(expected)
    fp16 = client.get("/api/v1/models", params={"gpu": "rtx-3060-12gb", "precision": "fp16", "limit": 500})
    code, out, _ = run(capsys, "fit", "--gpu", "RTX 3060 12GB", "-p", "fp16", "-f", "json")
    at_fp16 = {m["model"] for m in json.loads(out)["models"] if m["fp16_fits"]}
    assert {i["id"] for i in fp16.json()["items"]} == at_fp16
    # a language model that fits in 16 bits fits in 4; a pipeline's weights are counted in float formats only
    assert at_fp16 - expected == {"stable-diffusion", "stable-diffusion-xl"}
    everything = client.get("/api/v1/models").json()["total"]
    assert 0 < len(expected) < everything
    page = client.get("/models", params={"gpu": "rtx-3060-12gb", "precision": "int4", "lang": "en"}).text
    assert f"{len(expected)} models" in page and '<option value="rtx-3060-12gb" selected>' in page
    assert "gpu=rtx-3060-12gb" in page  # kept by the facet links and exports
    assert "GiB at int4" in page
    shown = dict(
        re.findall(r'<a href="/models/([^"]+)">.*?<td class="num fit-memory">([^<]*)</td>', page, re.S)
    )
    largest = {}
    for m in fitting:  # the largest size that fits, as the facet shows it
        if m["int4_fits"] and m["parameters"] >= largest.get(m["model"], (0, 0))[0]:
            largest[m["model"]] = (m["parameters"], m["int4"])
    assert shown and all(shown[mid] == f"{largest[mid][1] / 2**30:.1f}" for mid in shown)
    for params in ({"gpu": "RTX 3900"}, {"gpu": "4090", "precision": "int3"}):
        bad = client.get("/api/v1/models", params=params)
        assert bad.status_code == 422, params


def test_a_catalog_without_gpus_yaml(tiny_catalog: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as served:
        page = served.get("/hardware", params={"model": "LLaMA-7B", "lang": "en"})
        assert page.status_code == 200 and "6,700,000,000 parameters (estimate)" in page.text
        assert "no gpus.yaml in this catalog" in page.text
        llama = served.get("/models/llama").text
        assert 'id="hardware-table"' in llama and llama.count("rowspan=") == 2  # LLaMA-7B and -65B
        assert "<th>GeForce RTX 4090</th>" not in llama
        asked = served.get("/api/v1/memory", params={"model": "llama", "gpu": "4090"})
        assert asked.status_code == 422 and "gpus.yaml" in asked.json()["error"]["message"]
        assert 'id="gpu"' not in served.get("/models").text


def test_the_calculators_notes_are_said_in_the_readers_language(
    capsys: pytest.CaptureFixture[str], client: TestClient
) -> None:
    """Issue 20: the notes under an estimate were English on Chinese pages and in `memory --lang zh`."""
    zh = client.get("/hardware", params={"model": "8x7B", "lang": "zh"}).text
    en = client.get("/hardware", params={"model": "8x7B", "lang": "en"}).text
    assert (
        "估算：按输入的规格「8x7B」计 56,000,000,000 个参数" in zh
        and "8 个 7B 专家按 8 × 7B 计，是上限" in zh
    )
    assert "配置：输入的规格" in zh and "estimate:" not in zh and "a size typed" not in zh
    assert "estimate: a size typed as &#39;8x7B&#39;, 56,000,000,000 parameters" in en and "估算" not in en
    beyond = client.get("/hardware", params={"model": "Llama-2-7B", "context": "8k", "lang": "zh"}).text
    assert "上下文 8,192 超过了 Llama-2-7B 支持的 4,096 个 token" in beyond
    # the API keeps English, whatever the browser prefers
    api = client.get("/api/v1/memory", params={"model": "8x7B"}, headers={"accept-language": "zh"}).json()
    assert api["sizes"][0]["notes"][0].startswith("estimate: a size typed as '8x7B'")
    assert api["sizes"][0]["subject"]["origin"] == "size"
    code, out, _ = run(capsys, "memory", "8x7B", "--lang", "zh")
    assert code == 0 and "配置: 输入的规格" in out and "估算：按输入的规格「8x7B」计" in out
    code, out, _ = run(capsys, "memory", "8x7B")
    assert code == 0 and "config: a size typed" in out and "estimate: a size typed as '8x7B'" in out


def test_every_note_says_the_same_values_in_both_languages() -> None:
    import string

    from modelatlas.analysis.hardware.wording import NOTES

    for key, (english, chinese) in NOTES.items():
        names = [{f[1] for f in string.Formatter().parse(text) if f[1]} for text in (english, chinese)]
        assert names[0] == names[1], key
        assert chinese != english and any(ord(c) > 0x2FFF for c in chinese), key


def test_the_card_in_the_answer_says_whether_its_fp16_figure_is_the_makers(client: TestClient) -> None:
    """Issue 20: every card has an FP16 figure; the API says which are NVIDIA's and which are estimates."""
    for gpu, tflops, kind in (("RTX 3070", 81.5, "stated"), ("M3 Ultra", 28.67, "estimated")):
        answer = client.get("/api/v1/memory", params={"model": "Llama-2-7B", "gpu": gpu, "precision": "fp16"})
        assert answer.status_code == 200, answer.text
        size = answer.json()["sizes"][0]
        assert (size["gpu"]["fp16_tflops"], size["gpu"]["fp16_kind"]) == (tflops, kind)
        assert all(row["first_token_seconds"] is not None for row in size["rows"])


SDXL_COMPONENTS = {
    "text_encoder": 123_060_480,
    "text_encoder_2": 694_659_840,
    "unet": 2_567_463_684,
    "vae": 83_653_863,
}


def _result(page: str) -> str:
    """The answer part of the calculator page (the form above it names the context field)."""
    found = re.search(r'<section id="result".*?</section>', page, re.S)
    assert found
    return found.group(0)


def test_the_api_breaks_a_pipeline_down_per_network(client: TestClient) -> None:
    (size,) = client.get("/api/v1/memory", params={"model": "SDXL", "gpu": "RTX 4090"}).json()["sizes"]
    subject = size["subject"]
    assert subject["parameters"] == 3_468_837_867 and subject["exact"] is True
    assert subject["model_class"] == "StableDiffusionXLPipeline" and subject["groups"] == SDXL_COMPONENTS
    assert [(c["name"], c["model_class"]) for c in subject["components"]] == [
        ("text_encoder", "CLIPTextModel"),
        ("text_encoder_2", "CLIPTextModelWithProjection"),
        ("unet", "UNet2DConditionModel"),
        ("vae", "AutoencoderKL"),
    ]
    assert size["workload"]["context"] is None
    rows = {r["label"]: r for r in size["rows"]}
    assert list(rows) == ["fp32", "fp16", "bf16"]
    fp16 = rows["fp16"]
    weights = {k: 2 * v for k, v in SDXL_COMPONENTS.items()} | {"vae": 4 * 83_653_863}  # decoded in fp32
    assert {k: v for k, v in fp16["breakdown"].items() if k != "overhead"} == weights
    assert fp16["fits"] is True and fp16["max_context"] is None and fp16["decode_tokens_per_second"] is None
    assert any("vae counted in fp32" in n for n in size["notes"])
    llama = client.get("/api/v1/memory", params={"model": "Llama-2-7B"}).json()["sizes"][0]
    assert llama["subject"]["components"] is None and llama["workload"]["context"] == 4096
    for bad, needle in (
        (
            {"precision": "int4"},
            "int4: a StableDiffusionXLPipeline's weights are counted in fp32, fp16 or bf16",
        ),
        ({"context": "8k"}, "which makes images from a prompt; it has no context length"),
        ({"train": "lora"}, "fine-tuning memory is modelled for language models"),
    ):
        answer = client.get("/api/v1/memory", params={"model": "SDXL", **bad})
        assert answer.status_code == 422 and needle in answer.json()["error"]["message"]


def test_a_pasted_model_index_says_where_its_components_are(client: TestClient) -> None:
    body = (CATALOG / "configs" / "runwayml" / "stable-diffusion-v1-5.json").read_text(encoding="utf-8")
    answer = client.post("/api/v1/memory", json=json.loads(body))
    assert answer.status_code == 422
    assert "a StableDiffusionPipeline's model_index.json only names its components" in answer.text
    page = client.post("/hardware", params={"lang": "en"}, content=body)
    assert page.status_code == 422 and "ask for the Hub repo" in page.text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["UNet", "Text encoder", "Text encoder 2", "VAE", "unknown", "in 4 networks"]),
        ("zh", ["UNet", "文本编码器", "文本编码器 2", "VAE 自编码器", "未知", "分属 4 个网络"]),
    ],
)
def test_the_page_shows_a_pipeline_per_network_and_no_context(
    client: TestClient, lang: str, words: list[str]
) -> None:
    page = client.get("/hardware", params={"model": "SDXL", "gpu": "RTX 4090", "lang": lang})
    assert page.status_code == 200
    result = _result(page.text)
    assert all(word in result for word in words)
    assert "context" not in result.lower() and "上下文" not in result and "token" not in result
    rows = {
        r["label"]: r
        for r in client.get("/api/v1/memory", params={"model": "SDXL"}).json()["sizes"][0]["rows"]
    }
    cells = _cells(page.text, "fp16")
    assert cells[:3] == [
        "fp16",
        f"≥ {rows['fp16']['total_gib']:.2f}",
        "✓",
    ]  # a lower bound: activations unknown
    assert cells[3:] == [
        *(f"{rows['fp16']['breakdown_gib'][k]:.2f}" for k in SDXL_COMPONENTS),
        "未知" if lang == "zh" else "unknown",
        f"{rows['fp16']['breakdown_gib']['overhead']:.2f}",
    ]
    named = (
        "unet（UNet2DConditionModel）：参数量 2,567,463,684"
        if lang == "zh"
        else "unet (UNet2DConditionModel): 2,567,463,684"
    )
    assert named in result
    # a language model's page still gives its context
    llama = _result(client.get("/hardware", params={"model": "Llama-2-7B", "lang": lang}).text)
    assert ("context 4096" in llama) if lang == "en" else ("上下文 4096" in llama)


def test_model_page_of_a_pipeline_has_no_kv_cache_and_no_quantised_rows(client: TestClient) -> None:
    page = client.get("/models/stable-diffusion", params={"lang": "en"}).text
    assert 'id="hardware-table"' in page and page.count('data-size="Stable Diffusion"') == 1  # fp16 only
    cells = _row(page, "Stable Diffusion", "fp16")
    assert cells[1] == "≥ 3.18" and cells[5:9] == ["2.55", "—", "unknown", "0.63"]
