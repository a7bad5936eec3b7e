"""The public datasets bundled with the catalog (catalog/snapshots): read, checked, credited and merged
into the default build; `build --curated-only` leaves them out; a changed copy is refused."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli_runner import run
from modelatlas.catalog.loader import load_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import InputError
from modelatlas.sources.snapshots import load_manifest, read_snapshots
from modelatlas.store import tables as T
from modelatlas.store.engine import make_engine

#: Licences that allow us to redistribute a copy.
REDISTRIBUTABLE = {"CC-BY-4.0", "CC0-1.0", "Apache-2.0", "MIT"}
#: Epoch AI, "Training compute of frontier AI models grows by 4-5x per year" (May 2024): notable models,
#: 2010 to May 2024, 4.1x a year, 90% CI 3.7x to 4.6x.
EPOCH_PUBLISHED_CI = (3.7, 4.6)
#: Epoch AI, "The training compute of notable AI models has been doubling roughly every six months" (data
#: insight, 2024-06-19): notable models since 2010, 4.7x a year, 90% CI 4.3x to 5.2x.
EPOCH_INSIGHT_CI = (4.3, 5.2)


def test_the_manifest_lists_each_bundled_file_with_its_licence_and_date() -> None:
    snapshots = load_manifest(bundled_catalog())
    assert [s.file for s in snapshots] == [
        "epoch/notable_ai_models.csv",
        "epoch/frontier_ai_models.csv",
        "epoch/large_scale_ai_models.csv",
        "epoch/all_ai_models.csv",
        "lists/eugeneyan_open-llms_README.md",
        "lists/Hannibal046_Awesome-LLM_README.md",
        "lists/wgwang_awesome-LLMs-In-China_README.md",
    ]
    assert {s.licence for s in snapshots} <= REDISTRIBUTABLE
    assert str(max(s.snapshot for s in snapshots)) == "2026-07-19"
    for snapshot in snapshots:
        path = bundled_catalog() / "snapshots" / snapshot.file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == snapshot.sha256, snapshot.file


def test_each_snapshot_reads_as_many_rows_as_its_manifest_says() -> None:
    snapshots = load_manifest(bundled_catalog())
    imported = read_snapshots(bundled_catalog())
    assert [len(i.rows) for i in imported] == [s.rows for s in snapshots]
    assert [i.key for i in imported] == [f"bundled:{s.file}" for s in snapshots]
    # every row's source credits the dataset and is dated by the snapshot, not by today
    first = json.loads(imported[0].rows[0].payload)["model"]["sources"][0]
    assert first["citation"] == (
        "Epoch AI, 'Data on AI Models', epoch.ai (CC BY 4.0), snapshot of 2026-07-19, "
        f"line {imported[0].rows[0].line}"
    )
    assert first["accessed"] == "2026-07-19"


@pytest.fixture
def copied_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(bundled_catalog(), target)
    return target


def test_a_changed_copy_is_refused_and_the_store_is_untouched(
    copied_catalog: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "build", "--curated-only", "--db", sqlite_url, "--catalog", str(copied_catalog))[0] == 0
    )
    store = Path(sqlite_url.removeprefix("sqlite:///"))
    before = store.read_bytes()
    changed = copied_catalog / "snapshots" / "lists" / "eugeneyan_open-llms_README.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "| extra |\n", encoding="utf-8")
    code, _, err = run(capsys, "build", "--db", sqlite_url, "--catalog", str(copied_catalog))
    assert code != 0
    assert "eugeneyan_open-llms_README.md" in err and "the copy was changed" in err
    assert store.read_bytes() == before
    with pytest.raises(InputError, match="the copy was changed"):
        read_snapshots(copied_catalog)


def test_a_manifest_entry_with_a_wrong_field_names_it(copied_catalog: Path) -> None:
    manifest = copied_catalog / "snapshots" / "manifest.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("format: epoch", "format: excel", 1), encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"snapshot 1: format 'excel' has no importer"):
        load_manifest(copied_catalog)


def test_a_catalog_without_a_manifest_has_no_snapshots(tiny_catalog: Path) -> None:
    assert load_manifest(tiny_catalog) == [] and read_snapshots(tiny_catalog) == []
    assert load_catalog(tiny_catalog).problems == []


@pytest.fixture(scope="module")
def default_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The store `make run` builds: the bundled catalog and its datasets."""
    from modelatlas.cli.app import main

    url = f"sqlite:///{tmp_path_factory.mktemp('default') / 'store.db'}"
    with pytest.raises(SystemExit) as info:
        main(["build", "--db", url])
    assert info.value.code in (0, None)
    return url


def _count(url: str, query: object) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]
    finally:
        engine.dispose()


def test_the_default_build_knows_the_present(default_store: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Curated records first, then the datasets: thousands of models, the newest from 2026; the curated
    count alone is what --curated-only builds."""
    curated = len(load_catalog(bundled_catalog()).models)
    models = _count(default_store, select(func.count()).select_from(T.models))
    assert models > curated + 2000 and models > 2800
    newest = _count(default_store, select(func.max(func.substr(T.models.c.released, 1, 4))))
    assert newest == 2026
    code, out, _ = run(capsys, "show", "deepseek-v4-pro", "--db", default_store, "--format", "json")
    assert code == 0
    sources = json.loads(out)["sources"]
    assert sources[0]["citation"].startswith(
        "Epoch AI, 'Data on AI Models', epoch.ai (CC BY 4.0), snapshot of"
    )
    code, out, _ = run(capsys, "list", "--db", default_store, "--org", "deepseek", "--format", "csv")
    assert code == 0 and "DeepSeek-V4-Pro" in out
    code, out, _ = run(capsys, "export", "csv", "--db", default_store)
    assert code == 0
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["id"] == "deepseek-v4-pro")
    assert row["source_credits"].startswith("Epoch AI, 'Data on AI Models', epoch.ai (CC BY 4.0)")


def _fit(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> dict[str, object]:
    argv = ("trends", "-m", "compute", "--since", "2010", "--db", url, "--format", "json", *args)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return dict(json.loads(out))


def test_compute_growth_on_the_default_store_agrees_with_epoch(
    default_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`trends --metric compute --since 2010` fits the notable models, as Epoch's headline does, and lands
    inside Epoch's published interval: to 2026 inside the June 2024 data insight's, over the May 2024
    article's period inside that one's. Every model with a compute figure (--population all: many
    small recent models besides) grows slower, and is not what Epoch's headline counts."""
    notable = _fit(capsys, default_store)
    assert notable["selection"] == {
        "since": "2010-01-01",  # the trends' own word, kept beside the filter it stands for
        "released_after": "2010-01-01",
        "estimates": "include",
        "population": "notable",
    }
    assert EPOCH_INSIGHT_CI[0] < notable["growth_per_year"] < EPOCH_INSIGHT_CI[1]  # type: ignore[operator]
    assert notable["n"] > 550  # type: ignore[operator]
    to_may_2024 = _fit(capsys, default_store, "--until", "2024-05-31")
    assert EPOCH_PUBLISHED_CI[0] < to_may_2024["growth_per_year"] < EPOCH_PUBLISHED_CI[1]  # type: ignore[operator]
    everything = _fit(capsys, default_store, "--population", "all")
    assert everything["n"] > notable["n"] + 400  # type: ignore[operator]
    assert 2.5 < everything["growth_per_year"] < EPOCH_INSIGHT_CI[0]  # type: ignore[operator]


def test_overview_says_how_current_the_store_is(
    default_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The curated catalog's size and newest release, and each dataset's snapshot date and rows."""
    curated = load_catalog(bundled_catalog())
    newest = max(str(e.record.released) for e in curated.models if e.record.released is not None)
    code, out, _ = run(capsys, "overview", "--db", default_store, "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert (result["curated_models"], result["newest_curated"]) == (len(curated.models), newest)
    assert [(s["source"], s["date"], s["rows"]) for s in result["sources"]] == [
        (f"bundled:{s.file}", str(s.snapshot), s.rows) for s in load_manifest(bundled_catalog())
    ]
    code, out, _ = run(capsys, "overview", "--db", default_store, "--lang", "zh")
    assert f"人工整理目录：{len(curated.models)} 个模型，最新发布于 {newest}" in out
    assert "bundled:epoch/notable_ai_models.csv：2026-07-19 的快照，1036 行" in out


#: The families issue 17 names, by the names people search for them, English and Chinese: the model
#: expected among the first three hits of the default store. Within a kind of match the newest comes
#: first (issue 21): a maker's name finds its newest models first.
FAMILIES = {
    "Llama 3": "llama-3",
    "Qwen2.5": "qwen2.5",
    "Qwen 3": "qwen3",
    "通义千问": "qwen",
    "DeepSeek-V3": "deepseek-v3",
    "DeepSeek R1": "deepseek-r1",
    "深度求索": "deepseek-v3.2",
    "Mixtral 8x22B": "mixtral-8x22b",
    "Gemma 2": "gemma-2",
    "Gemma 3": "gemma-3",
    "Phi-4": "phi-4",
    "GLM-4.5": "glm-4.5",
    "智谱": "glm-5",
    "Kimi K2": "kimi-k2",
    "月之暗面": "kimi-k2",
    "MiniMax": "minimax-m2.1",
    "GPT-4o": "gpt-4o",
    "o1": "o1",
    "GPT-5": "gpt-5",
    "Claude 3": "claude-3",
    "Gemini 2.5": "gemini-2.5-deep-think",
    "Sora": "sora",
    "FLUX": "flux.1",
    "Veo": "veo",
    "baichuan": "baichuan-2",
    "混元": "hunyuan",
    "文心": "ernie-4.5",
    "豆包": "m-0e00b819cb",
    "阶跃": "step-3",
    "星火": "spark",
    "日日新": "sensenova-5",
    "可灵": "kling",
    "通义万相": "wan-2.1",
    "InternVL": "internvl",
    "零一万物": "yi",
    "小米": "mimo-7b",
    "HunyuanVideo": "hunyuanvideo",
    "CogVideoX": "cogvideox",
    "Whisper large-v3": "whisper-large-v3",
    "Stable Diffusion 3.5": "stable-diffusion-3.5",
    "OLMo 2": "olmo-2",
    "Falcon 3": "falcon-3",
    "Command R": "command-r",
}


def test_search_finds_every_named_family_in_english_and_chinese(
    default_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missed = {}
    for query, expected in FAMILIES.items():
        code, out, err = run(
            capsys, "search", query, "--db", default_store, "--format", "csv", "--limit", "3"
        )
        assert code == 0, err
        found = [row["id"] for row in csv.DictReader(io.StringIO(out))]
        if expected not in found:
            missed[query] = found
    assert missed == {}
