"""modelatlas export: the seed documents (seed-sections, paper-table) and data (json, jsonl, csv, parquet)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli_runner import run
from modelatlas.catalog.schema import Model
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import StoreMissing
from modelatlas.report.paper_table import paper_table
from modelatlas.report.plain import csv_text, markdown_table
from modelatlas.report.tabular import COLUMNS
from modelatlas.store.build import build_store
from modelatlas.store.records import load_models, load_organizations

#: How many models the bundled catalog curates (it grows; the tests count relative to it).
CURATED = len(list((bundled_catalog() / "models").glob("*.yaml")))
HEADER = "| Year | Model Name | Title | Venue | Paper | Code |"
LLAMA_ROW = (
    "| 2023 | LLaMA | LLaMA: Open and Efficient Foundation Language Models | arxiv "
    "| [link](https://arxiv.org/abs/2302.13971) | - |"
)


@pytest.fixture
def built(sqlite_url: str, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The tiny catalog built into a fresh SQLite store, which the CLI uses by default."""
    build_store(load_valid_catalog(tiny_catalog), sqlite_url)
    monkeypatch.setenv("MODELATLAS_DB", sqlite_url)
    monkeypatch.delenv("MODELATLAS_LANG", raising=False)
    return sqlite_url


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled catalog (its CURATED models) built once for this module; tests only read it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('real') / 'store.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    return url


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``heading``, as lists of cells."""
    section = markdown.split(heading + "\n", 1)[1].split("\n\n", 1)[0]
    lines = section.splitlines()[2:]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


# paper-table


def test_paper_table_sections_rows_and_order(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, err = run(capsys, "export", "paper-table")
    assert code == 0, err
    assert out.startswith("# Huge Model Paper\n\n## Papers\n\n### Huge Models for NLP\n" + HEADER + "\n")
    assert "|------|------------|-------|-------|-------|------|" in out
    headings = re.findall(r"^### .*$", out, flags=re.M)
    assert headings == ["### Huge Models for NLP", "### Huge Models for CV", "### Huge Models for Multimodal"]
    assert LLAMA_ROW in out.splitlines()
    nlp = table_rows(out, "### Huge Models for NLP")
    assert [r[1] for r in nlp] == ["Alpaca", "FreedomGPT", "LLaMA", "Vicuna"]
    assert nlp[0] == ["2023", "Alpaca", "-", "-", "-", "[link](https://github.com/tatsu-lab/stanford_alpaca)"]
    assert table_rows(out, "### Huge Models for Multimodal") == [
        ["2021", "Zidong Taichu", "-", "-", "-", "-"]
    ]


def test_paper_table_in_chinese(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, _ = run(capsys, "export", "paper-table", "--lang", "zh")
    assert code == 0
    assert out.startswith(
        "# 大模型论文\n\n## 论文\n\n### 自然语言处理大模型\n| 年份 | 模型 | 论文标题 | 发表 | 论文 | 代码 |\n"
    )
    assert "### 计算机视觉大模型" in out and "### 多模态大模型" in out


def test_paper_table_of_the_real_catalog(capsys: pytest.CaptureFixture[str], real_store: str) -> None:
    code, out, _ = run(capsys, "export", "paper-table", "--db", real_store)
    assert code == 0
    lines = out.splitlines()
    assert (
        "| 2023 | GPT-4 | GPT-4 Technical Report | arxiv | [link](https://arxiv.org/abs/2303.08774) | - |"
        in lines
    )
    chatglm = next(line for line in lines if line.startswith("| 2023 | ChatGLM-6B |"))
    assert (
        "| ACL 2022 | [link](https://arxiv.org/abs/2103.10360) "
        "| [link](https://github.com/THUDM/ChatGLM-6B) |" in chatglm
    )
    headings = [line.removeprefix("### Huge Models for ") for line in lines if line.startswith("### Huge")]
    assert headings[:3] == ["NLP", "CV", "Multimodal"] and "Biology and medicine" in headings
    rows = [r for h in headings for r in table_rows(out, f"### Huge Models for {h}")]
    assert len(rows) == CURATED and len({r[1] for r in rows}) == CURATED
    for heading in headings:
        years = [r[0] for r in table_rows(out, f"### Huge Models for {heading}")]
        known = [int(y) for y in years if y != "-"]
        assert known == sorted(known, reverse=True) and years[: len(known)] == [str(y) for y in known]


def test_paper_table_escapes_pipes_and_newlines() -> None:
    model = Model.model_validate(
        {
            "id": "odd",
            "name": "Odd | Model",
            "domains": ["speech", "nlp"],
            "papers": [{"title": "A | B\nC", "url": "https://example.org/p.pdf", "year": 2020}],
            "weights": {"huggingface": ["org/odd"]},
            "sources": [{"id": "s", "citation": "x", "accessed": "2024-01-01"}],
        }
    )
    text = paper_table([model])
    assert "### Huge Models for Speech and audio" in text
    assert (
        "| 2020 | Odd \\| Model | A \\| B C | - | [link](https://example.org/p.pdf) "
        "| [link](https://huggingface.co/org/odd) |" in text
    )


# seed-sections


def test_seed_sections_in_chinese(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, _ = run(capsys, "export", "seed-sections", "--lang", "zh")
    assert code == 0
    headings = re.findall(r"^## .*$", out, flags=re.M)
    assert headings == [
        "## 文档介绍",
        "## 一.自然语言处理领域",
        "## 二.计算机视觉领域",
        "## 三.多模态模型领域",
    ]
    nlp = out.split("## 一.自然语言处理领域\n", 1)[1].split("## 二.", 1)[0]
    assert re.findall(r"^\d+\..*$", nlp, flags=re.M) == ["1.FreedomGPT", "2.Vicuna", "3.Alpaca", "4.LLaMA"]
    alpaca = nlp.split("3.Alpaca\n```\n", 1)[1].split("\n```\n", 1)[0]
    assert alpaca.splitlines() == [
        "# (1)模型简介：",
        "斯坦福基于 LLaMA 7B 指令微调的模型。",
        "团队：斯坦福大学",
        "参数量：70亿",
        "",
        "# (2)github:",
        "https://github.com/tatsu-lab/stanford_alpaca",
        "",
        "# (3)相关介绍：",
        "(1) Alpaca: A Strong, Replicable Instruction-Following Model. "
        "https://crfm.stanford.edu/2023/03/13/alpaca.html Accessed 11/23/2026.",
        "(2) seeds/001 Accessed 4/24/2023.",
    ]
    assert (
        "4.LLaMA\n```\n# (1)模型简介：\n" in out and "# (2)paper\nhttps://arxiv.org/abs/2302.13971\n" in out
    )
    assert "推理最低 4 GB 显存" in out
    assert "团队：中国科学院自动化研究所" in out


def test_seed_sections_in_english(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, _ = run(capsys, "export", "seed-sections", "--lang", "en", "--domain", "cv")
    assert code == 0
    assert re.findall(r"^## .*$", out, flags=re.M) == ["## About", "## 1. Computer vision"]
    assert "1.Stable Diffusion\n```\n# (1) Introduction:\nOpen latent text-to-image diffusion model.\n" in out
    assert (
        "Team: Stability AI\nParameters: 983M\n\n# (2) Hardware:\ninference: at least 4 GB of GPU memory\n"
        in out
    )
    assert "# (3) References:\n(1) seeds/000 Accessed 3/22/2023.\n```" in out


def test_seed_sections_of_the_real_catalog(capsys: pytest.CaptureFixture[str], real_store: str) -> None:
    code, out, _ = run(capsys, "export", "seed-sections", "--lang", "zh", "--db", real_store)
    assert code == 0
    block = out.split(".ChatGLM-6B\n```\n", 1)[1].split("\n```\n", 1)[0]
    assert "团队：清华大学、智谱AI" in block
    assert "# (2)github:\nhttps://github.com/THUDM/ChatGLM-6B\n" in block
    assert "INT4 推理最低 6 GB 显存（RTX 2080）" in block
    assert "# (4)硬件支持：\n" in block and "# (5)备注信息：\n备注：截止2023-03-22，open-sourced" in block
    assert "(1) ChatGLM-6B README. https://github.com/THUDM/ChatGLM-6B Accessed 11/23/2026." in block
    assert out.count("\n```\n") % 2 == 0
    _, out, _ = run(capsys, "export", "seed-sections", "--lang", "en", "--db", real_store)
    block = out.split(".ChatGLM-6B\n```\n", 1)[1].split("\n```\n", 1)[0]
    assert "# (3) Paper:\nhttps://arxiv.org/abs/2103.10360\nhttps://arxiv.org/abs/2210.02414\n" in block
    assert "INT4 inference: at least 6 GB of GPU memory (RTX 2080)" in block
    assert "# (5) Notes:\nNote: as of 2023-03-22, open-sourced as ChatGLM-6B" in block
    assert "Team: Tsinghua University" in block


# json, jsonl, csv, parquet


def test_json_and_jsonl_read_back_as_the_catalog(
    capsys: pytest.CaptureFixture[str], store_url: str, tiny_catalog: Path
) -> None:
    catalog = load_valid_catalog(tiny_catalog)
    build_store(catalog, store_url)
    expected = {e.record.id: e.record for e in catalog.models}
    code, out, _ = run(capsys, "export", "json", "--db", store_url)
    assert code == 0
    records = [Model.model_validate(r) for r in json.loads(out)]
    assert {r.id: r for r in records} == expected
    code, out, _ = run(capsys, "export", "jsonl", "--db", store_url)
    lines = out.splitlines()
    assert len(lines) == 6
    assert {(m := Model.model_validate_json(line)).id: m for line in lines} == expected
    assert load_organizations(store_url)["casia"].name_zh == "中国科学院自动化研究所"


def test_csv_columns_and_values(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, _ = run(capsys, "export", "csv")
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == list(COLUMNS)
    rows = {r["id"]: r for r in reader}
    assert len(rows) == 6
    llama = rows["llama"]
    assert llama["parameters"] == "65200000000" and llama["training_tokens"] == "1400000000000"
    assert llama["organizations"] == "meta" and llama["organization_names"] == "Meta AI"
    assert llama["variants"] == "LLaMA-7B=6.7B; LLaMA-65B=65.2B"
    assert llama["arxiv_ids"] == "2302.13971" and llama["released"] == "2023-02-24"
    assert llama["architecture"] == "decoder-only" and llama["moe"] == "false"
    assert llama["training_gpu_hours"] == "1022362.0"
    assert rows["alpaca"]["aliases"] == "Stanford Alpaca; Alpaca-7B"
    assert rows["alpaca"]["base_models"] == "llama"
    assert rows["zidong-taichu"]["modalities_input"] == "text; image; audio"
    assert rows["freedomgpt"]["parameters"] == "" and rows["freedomgpt"]["released"] == "2023-04"
    assert rows["vicuna"]["source_urls"] == "https://lmsys.org/blog/2023-03-30-vicuna/"
    _, out, _ = run(capsys, "export", "csv", "--domain", "multimodal", "--lang", "zh")
    (only,) = csv.DictReader(io.StringIO(out))
    assert only["id"] == "zidong-taichu" and only["organization_names"] == "中国科学院自动化研究所"


def test_csv_keeps_estimates_out_of_the_fact_columns(
    capsys: pytest.CaptureFixture[str], real_store: str
) -> None:
    """GPT-3's CO2e is Patterson et al.'s estimate: empty in training_co2e_t, labelled in estimates."""
    code, out, _ = run(capsys, "export", "csv", "--db", real_store)
    assert code == 0
    gpt3 = next(r for r in csv.DictReader(io.StringIO(out)) if r["id"] == "gpt-3")
    assert gpt3["training_co2e_t"] == "" and gpt3["parameters_estimated"] == ""
    assert gpt3["estimates"] == (
        "training.co2e_t=552.1 by Patterson et al. (Google and UC Berkeley, 2021) "
        "(1,287 MWh (V100-hours × power × PUE) × grid carbon intensity, likely)"
    )
    assert gpt3["parameters"] == "175000000000" and gpt3["version_of"] == ""


def test_parquet_types_and_rows(capsys: pytest.CaptureFixture[str], built: str, tmp_path: Path) -> None:
    target = tmp_path / "models.parquet"
    code, out, err = run(capsys, "export", "parquet", "-o", str(target))
    assert code == 0 and out == ""
    assert err.strip() == f"exported 6 models to {target}"
    table = pq.read_table(target)
    assert table.num_rows == 6 and table.column_names == list(COLUMNS)
    schema = table.schema
    assert schema.field("parameters").type == pa.int64()
    assert schema.field("training_tokens").type == pa.int64()
    assert schema.field("training_gpu_hours").type == pa.float64()
    assert schema.field("moe").type == pa.bool_()
    assert schema.field("name").type == pa.string()
    rows = {r["id"]: r for r in table.to_pylist()}
    assert rows["llama"]["parameters"] == 65_200_000_000
    assert rows["freedomgpt"]["parameters"] is None and rows["vicuna"]["training_cost_usd"] == 300.0


# output, errors


def test_output_file_is_written_and_stdout_stays_empty(
    capsys: pytest.CaptureFixture[str], built: str, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "papers.md"
    target.parent.mkdir()
    code, out, err = run(capsys, "export", "paper-table", "--output", str(target))
    assert code == 0 and out == ""
    assert err.strip() == f"exported 6 models to {target}"
    assert LLAMA_ROW in target.read_text(encoding="utf-8").splitlines()
    assert [p.name for p in target.parent.iterdir()] == ["papers.md"]
    code, out, _ = run(capsys, "export", "jsonl", "-o", "-")
    assert code == 0 and len(out.splitlines()) == 6


def test_default_language_from_settings(
    capsys: pytest.CaptureFixture[str], built: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELATLAS_LANG", "zh")
    _, out, _ = run(capsys, "export", "paper-table")
    assert out.startswith("# 大模型论文")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["export", "xml"], "Invalid value for 'FORMAT'"),
        (["export", "parquet"], "parquet is a binary format: give --output FILE.parquet"),
        (["export", "csv", "--domain", "audio"], "--domain: 'audio' is not one of nlp, cv, multimodal"),
        (["export", "csv", "--lang", "fr"], "'fr' is not a language"),
        (["export", "csv", "-o", "/nonexistent-dir/x.csv"], "the directory /nonexistent-dir does not exist"),
    ],
)
def test_bad_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], built: str, argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1 and needle in err


def test_missing_format_lists_the_choices(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, err = run(capsys, "export")
    assert code == 2 and out == ""
    assert err.startswith("Error: Missing argument 'FORMAT'") and "paper-table" in err


def test_no_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    code, out, err = run(capsys, "export", "json", "--db", url)
    assert code == 1 and out == ""
    assert "run `modelatlas build` first" in err
    with pytest.raises(StoreMissing):
        load_models(url)


def test_output_to_a_fifo_or_a_device_is_refused(
    capsys: pytest.CaptureFixture[str], built: str, tmp_path: Path
) -> None:
    """Issue 19: the temporary file was renamed over whatever ``-o`` named (as root, /dev/full)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, kind in ((fifo, "a FIFO (named pipe)"), (Path("/dev/null"), "a character device")):
        code, _, err = run(capsys, "export", "csv", "-o", str(target))
        assert code == 1 and f"it is {kind}, not a regular file" in err, err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_through_a_link_writes_the_file_and_keeps_the_link(
    capsys: pytest.CaptureFixture[str], built: str, tmp_path: Path
) -> None:
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old\n")
    link.symlink_to(real)
    code, _, err = run(capsys, "export", "csv", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and real.read_text().startswith("id,")


def test_csv_cells_are_never_formulas_and_markdown_cells_never_html_or_links() -> None:
    """Issue 19: exports carried ``=HYPERLINK(…)`` formulas, raw HTML and ``javascript:`` links."""
    rows = [
        ['=HYPERLINK("http://x.invalid")', -5, "@SUM(A1)"],
        [["+cmd", "b"], 2.5, "-x"],
        ["Fine", 0, "a-b"],
    ]
    assert csv_text(["a", "b", "c"], rows).splitlines() == [
        "a,b,c",
        '"\'=HYPERLINK(""http://x.invalid"")",-5,\'@SUM(A1)',
        "'+cmd; b,2.5,'-x",
        "Fine,0,a-b",
    ]
    cells = [["<img src=x onerror=alert(1)>"], ["[x](javascript:alert(1))"], ["a|b\nc"], ["Flux.1 [dev]"]]
    assert markdown_table(["name"], cells).splitlines()[2:] == [
        "| &lt;img src=x onerror=alert(1)&gt; |",
        "| \\[x\\](javascript:alert(1)) |",
        "| a\\|b c |",
        "| Flux.1 \\[dev\\] |",
    ]


def test_plain_cells_tables_and_lines_exactly() -> None:
    """mutmut on ``report.plain``: empty cells, yes/no, the markdown rule line and the CSV line ends."""
    rows = [[None, True, ["a", None]], ["x", False, 3]]
    assert markdown_table(["h1", "h2", "h3"], rows) == (
        "| h1 | h2 | h3 |\n|---|---|---|\n|  | yes | a;  |\n| x | no | 3 |\n"
    )
    assert csv_text(["h1", "h2", "h3"], rows) == "h1,h2,h3\n,yes,a; \nx,no,3\n"
