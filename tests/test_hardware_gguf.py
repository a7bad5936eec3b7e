"""Issue 20: a GGUF file's header, read with the gguf package: the count, the bytes as stored, and
llama.cpp's -ngl split between a card and system RAM; the same from the CLI, the API and the page."""

from __future__ import annotations

import json
import struct
import time
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli_runner import run
from gguf_support import LAYERS, llama2_7b_header
from modelatlas.analysis.hardware.gguf_file import offload, read_gguf
from modelatlas.analysis.hardware.memory import OVERHEAD_PER_GPU, Workload
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import Settings
from modelatlas.errors import ConfigError
from modelatlas.store.build import build_store
from modelatlas.web import create_app

CATALOG = Path(__file__).parents[1] / "catalog"


@pytest.fixture
def header(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "llama-2-7b.Q4_K_M.gguf"
    return path, llama2_7b_header(path)


def test_the_header_gives_the_count_and_the_bytes(header: tuple[Path, dict[str, int]]) -> None:
    path, sizes = header
    model = read_gguf(path)
    assert model.count.total == 6_738_415_616  # as Llama-2-7b-hf's config.json counts it
    assert model.weights == sizes["all"] and model.embedding == sizes["embedding"]
    assert model.output == sizes["output"] and model.per_layer == (sizes["layer"],) * LAYERS
    assert (model.file_type, model.name) == ("Q4_K_M", "Llama 2 7B (test header)")
    assert model.shape.max_context == 4096 and model.shape.vocab == 32000 and model.shape.gated
    assert model.shape.kv_per_token == 32 * 2 * 32 * 128
    # the page sends the file's first bytes: the same reading
    assert read_gguf(path.read_bytes(), origin="GGUF header") == replace(model, origin="GGUF header")
    precision = model.precision()
    assert round(model.count.total * precision.bits / 8) == sizes["all"]


def test_what_is_not_a_gguf_header(header: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    path, _ = header
    with pytest.raises(ConfigError, match="not a GGUF file"):
        read_gguf(b'{"model_type": "llama"}')
    with pytest.raises(ConfigError, match=r"runs past the header|is cut short"):
        read_gguf(path.read_bytes()[:3000])  # cut inside the tensor list
    with pytest.raises(ConfigError, match="missing.gguf: cannot be read"):
        read_gguf(tmp_path / "missing.gguf")


def test_offload_puts_the_most_layers_that_fit(header: tuple[Path, dict[str, int]]) -> None:
    """-ngl: both edges of the rule, and nothing counted twice or lost between card and RAM."""
    model, work = read_gguf(header[0]), Workload(context=4096)
    everything = offload(model, work, 2**50)
    assert everything.layers == LAYERS + 1 and everything.total_layers == LAYERS
    assert everything.ram == model.embedding  # the token embedding stays in RAM
    for memory in (3 * 2**30, 4 * 2**30, 6 * 2**30):
        split = offload(model, work, memory)
        assert 0 < split.layers <= LAYERS and split.gpu <= memory
        assert offload(model, work, split.gpu).layers == split.layers
        assert offload(model, work, split.gpu - 1).layers == split.layers - 1
        kv = 2 * 32 * 128 * 4096 * 2  # one layer's KV cache at 4096 tokens in 16 bits
        on_card = split.layers * (model.per_layer[0] + kv)
        assert split.ram == model.weights + LAYERS * kv - on_card
        assert split.gpu - on_card - OVERHEAD_PER_GPU > 0  # the compute buffer
    assert offload(model, work, 2**20).layers == 0


def test_the_cli_api_and_page_answer_alike(
    capsys: pytest.CaptureFixture[str],
    header: tuple[Path, dict[str, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, sizes = header
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(load_valid_catalog(CATALOG), url)
    monkeypatch.setenv("MODELATLAS_DB", url)
    monkeypatch.setenv("MODELATLAS_CATALOG", str(CATALOG))
    code, out, err = run(capsys, "memory", str(path), "--gpu", "GTX 1060 3GB", "-f", "json")
    assert code == 0, err
    (cli,) = json.loads(out)["sizes"]
    row = cli["precisions"]["Q4_K_M (file)"]
    assert list(cli["precisions"]) == ["Q4_K_M (file)"] and row["breakdown"]["weights"] == sizes["all"]
    assert 0 < row["offload"]["layers"] < LAYERS and row["fits"] is False
    with TestClient(create_app(Settings(db=url, catalog=CATALOG))) as client:
        params = {"gpu": "GTX 1060 3GB"}
        answer = client.post("/api/v1/memory/gguf", params=params, content=path.read_bytes())
        assert answer.status_code == 200, answer.text
        (api,) = answer.json()["sizes"]
        (api_row,) = api["rows"]
        assert api_row["label"] == "Q4_K_M (file)" and api_row["breakdown"] == row["breakdown"]
        assert api_row["offload"] == row["offload"] and api["subject"]["origin"] == "GGUF header"
        page = client.post("/hardware", params={**params, "lang": "en"}, content=path.read_bytes())
        layers = row["offload"]["layers"]
        assert page.status_code == 200 and f"llama.cpp -ngl {layers} of 32 layers on the card" in page.text
        zh = client.post("/hardware", params={**params, "lang": "zh"}, content=path.read_bytes()).text
        assert f"llama.cpp -ngl {layers}（共 32 层）" in zh
        bad = client.post("/api/v1/memory/gguf", content=b"PK\x03\x04 not gguf")
        assert bad.status_code == 422 and "not a GGUF file" in bad.json()["error"]["message"]


def _crafted(*parts: bytes) -> bytes:
    return b"GGUF" + struct.pack("<I", 3) + b"".join(parts)


def _key(name: str) -> bytes:
    return struct.pack("<Q", len(name)) + name.encode()


@pytest.mark.parametrize(
    ("head", "needle"),
    [  # each kept the reader busy for hours or allocating gigabytes in the sparse copy's zeros
        (_crafted(struct.pack("<QQ", 0, 1), _key("a"), struct.pack("<IIQ", 9, 8, 10**12)), "is not GGUF"),
        (
            _crafted(struct.pack("<QQ", 0, 1), _key("a"), struct.pack("<IQ", 8, 10**11)),
            "runs past the header",
        ),
        (_crafted(struct.pack("<QQ", 2**40, 0)), "are not a model's header"),
        (_crafted(struct.pack("<QQ", 1, 0), _key("t"), struct.pack("<I", 9)), "9 dimensions is not GGUF"),
        (_crafted(struct.pack("<QQ", 0, 1), _key("a"), struct.pack("<I", 42)), "value type 42"),
    ],
    ids=["strings-array", "string-length", "tensor-count", "dimensions", "value-type"],
)
def test_a_crafted_header_is_refused_at_once(head: bytes, needle: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=needle):
        read_gguf(head)
    assert time.perf_counter() - started < 1


def test_the_page_reads_no_more_than_a_header_of_the_body(header: tuple[Path, dict[str, int]]) -> None:
    """A client sending a whole model gets its header read and the rest left unread."""
    from modelatlas.analysis.hardware.gguf_file import MAX_HEADER

    url = f"sqlite:///{header[0].parent / 'store.db'}"
    build_store(load_valid_catalog(CATALOG), url)
    padded = header[0].read_bytes() + b"\\0" * (MAX_HEADER + 4096)  # the weights' zeros after the header
    with TestClient(create_app(Settings(db=url, catalog=CATALOG))) as client:
        answer = client.post("/api/v1/memory/gguf", content=padded)
        assert (
            answer.status_code == 200 and answer.json()["sizes"][0]["subject"]["parameters"] == 6_738_415_616
        )
        page = client.post("/hardware", params={"lang": "en"}, content=padded)
        assert page.status_code == 200 and "6,738,415,616" in page.text
        big = client.post("/hardware", params={"lang": "en"}, content=b"{" + b" " * (2 * 1024**2) + b"}")
        assert big.status_code == 422 and "too large" in big.text
