"""modelatlas.sources.importers.seed_sections: seed 000's per-model sections, and hand-written variants.

``fixtures/seeds/000_16e93d9b45c0ff17.txt`` is a byte-for-byte copy of seed 000.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from modelatlas.catalog.schema import HardwareNeed, PartialDate, StatusNote
from modelatlas.errors import InputError
from modelatlas.sources.importers.seed_sections import read
from modelatlas.sources.rows import ImportedRow, OrgRef

SEED_000 = Path(__file__).parent / "fixtures" / "seeds" / "000_16e93d9b45c0ff17.txt"
ACCESSED = dt.date(2023, 3, 22)  # "Accessed 3/22/2023" on every reference


@pytest.fixture(scope="module")
def seed_000() -> list[ImportedRow]:
    return list(read(SEED_000))


@pytest.fixture(scope="module")
def rows(seed_000: list[ImportedRow]) -> dict[str, ImportedRow]:
    return {row.name: row for row in seed_000}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seed.md"
    path.write_text(text, encoding="utf-8")
    return path


# --- seed 000 --------------------------------------------------------------------------------------


def test_seed_000_has_seven_sections(seed_000: list[ImportedRow]) -> None:
    assert [(row.line, row.name) for row in seed_000] == [
        (16, "ChatGLM"),
        (47, "LLaMA"),
        (81, "GPT-2"),
        (103, "MOSS"),
        (128, "Stable Diffusion"),
        (155, "UniDiffuser"),
        (179, "PaLM-E"),
    ]
    assert all(row.model is not None and row.skipped is None for row in seed_000)
    assert all(row.repairs == [] for row in seed_000)


def test_seed_000_domains_come_from_the_part_headings(seed_000: list[ImportedRow]) -> None:
    domains = [row.model.domains for row in seed_000 if row.model]
    assert domains == [["nlp"]] * 4 + [["cv"]] + [["multimodal"]] * 2


def test_seed_000_chatglm(rows: dict[str, ImportedRow]) -> None:
    row = rows["ChatGLM"]
    model = row.model
    assert model is not None and model.parameters is not None and model.training is not None
    assert model.id == "chatglm"
    assert model.parameters.total == 6_200_000_000  # 62亿参数
    assert model.training.tokens == 1_000_000_000_000  # 约1T标识符
    assert model.techniques == ["sft", "rlhf", "feedback-bootstrap", "quantization"]
    assert model.demo == "https://chatglm.cn/login"
    assert model.code == ["https://github.com/THUDM/ChatGLM-6B"]
    assert row.organizations == [OrgRef(name="清华大学")]
    assert model.summary is not None and model.summary.zh is not None
    assert model.summary.zh.startswith("ChatGLM由清华大学唐杰团队开发。")
    assert len(model.summary.zh) == 400


def test_seed_000_chatglm_hardware(rows: dict[str, ImportedRow]) -> None:
    model = rows["ChatGLM"].model
    assert model is not None
    assert model.hardware == [
        HardwareNeed(
            purpose="inference",
            precision="int4",  # INT4量化级别下最低只需6GB显存
            gpu_memory_gb=6,
            note="最低6GB显存，推荐2080及以上的显卡；",
            source="seed",
        )
    ]


def test_seed_000_references_become_sources(rows: dict[str, ImportedRow]) -> None:
    model = rows["ChatGLM"].model
    assert model is not None
    first, *references = model.sources
    assert (first.id, first.url, first.accessed) == ("seed", None, ACCESSED)
    assert first.citation == "000_16e93d9b45c0ff17.txt, line 16: ChatGLM"
    assert first.fields == ["code", "demo", "parameters", "techniques", "training.tokens"]
    assert [s.id for s in references] == [f"ref-{n}" for n in range(1, 7)]
    assert all(s.accessed == ACCESSED and s.fields == [] for s in references)
    assert references[0].url == "https://blog.csdn.net/qq_41667743/article/details/129539808"
    assert references[0].title == (
        "中文ChatGPT平替——ChatGLM：全新对话模型内测，手把手调教开源单卡版本_Chaos_Wang_的博客-CSDN博客"
    )
    assert references[3].url == "https://github.com/THUDM/ChatGLM-6B"


def test_seed_000_references_without_a_date_take_the_sections_date(rows: dict[str, ImportedRow]) -> None:
    """LLaMA's references 7 to 9 give no access date; the section's latest one (2023-03-22) is used."""
    model = rows["LLaMA"].model
    assert model is not None
    assert len(model.sources) == 1 + 9
    assert [s.accessed for s in model.sources] == [ACCESSED] * 10
    assert model.sources[7].url == (
        "https://soulteary.com/2023/03/09/quick-start-llama-model-created-by-meta-research.html"
    )
    assert model.parameters is None  # "7B、13B、30B和65B四个版本" is no parameter statement


def test_seed_000_moss_name_comes_from_the_introduction(rows: dict[str, ImportedRow]) -> None:
    """Section 4 is headed 复旦大学, an organization; the model's name is the introduction's first word."""
    row = rows["MOSS"]
    model = row.model
    assert model is not None
    assert (row.line, model.id, model.domains) == (103, "moss", ["nlp"])
    assert row.organizations == [OrgRef(name="复旦大学")]
    assert model.sources[0].citation == "000_16e93d9b45c0ff17.txt, line 103: 复旦大学"
    assert model.demo == "https://moss.fastnlp.top/"
    assert model.code == ["https://github.com/TXSUN1997/MOSS"]


def test_seed_000_moss_dated_status_note(rows: dict[str, ImportedRow]) -> None:
    model = rows["MOSS"].model
    assert model is not None
    assert model.status_notes == [
        StatusNote(
            date=PartialDate.model_validate("2023-03-22"),
            note="截止目前2023-03-22没有公开相关代码及模型，披露未来会开源；",
            source="seed",
        )
    ]


def test_seed_000_palm_e(rows: dict[str, ImportedRow]) -> None:
    row = rows["PaLM-E"]
    model = row.model
    assert model is not None
    assert [p.url for p in model.papers] == ["https://palm-e.github.io/"]
    assert [(str(n.date), n.note) for n in model.status_notes] == [
        ("2023-03-22", "项目代码及预训练模型截止2023-03-22没有开源；")
    ]
    assert model.code == [] and model.hardware == []
    assert len(model.sources) == 1 + 4


def test_seed_000_stable_diffusion(rows: dict[str, ImportedRow]) -> None:
    model = rows["Stable Diffusion"].model
    assert model is not None
    assert model.domains == ["cv"]
    assert model.homepage == "https://stablediffusionweb.com/"
    assert model.code == [
        "https://github.com/Stability-AI/stablediffusion",
        "https://github.com/CompVis/stable-diffusion",
    ]
    [need] = model.hardware
    assert (need.gpu_memory_gb, need.gpu, need.precision) == (6, "RTX 2060", None)
    assert rows["Stable Diffusion"].organizations == []


def test_seed_000_gpt_2_and_unidiffuser(rows: dict[str, ImportedRow]) -> None:
    gpt2 = rows["GPT-2"].model
    assert gpt2 is not None and gpt2.parameters is not None
    assert gpt2.parameters.total == 1_500_000_000  # 15亿个参数
    assert gpt2.code == ["https://github.com/openai/gpt-2"]
    unidiffuser = rows["UniDiffuser"]
    assert unidiffuser.model is not None
    assert [p.url for p in unidiffuser.model.papers] == [
        "https://ml.cs.tsinghua.edu.cn/diffusion/unidiffuser.pdf"
    ]
    assert unidiffuser.organizations == [OrgRef(name="清华大学")]
    [need] = unidiffuser.model.hardware
    assert (need.gpu_memory_gb, need.gpu) == (10, "RTX 1080Ti")


def test_seed_000_document_block_is_not_a_model(seed_000: list[ImportedRow]) -> None:
    """The ``## 文档介绍`` fenced block has no numbered heading: it is not read as a section."""
    assert all(row.line > 12 for row in seed_000)


# --- hand-written sections -------------------------------------------------------------------------


ENGLISH = """## Natural language
3. Tiny-LM
```
# (1) Introduction:
Tiny-LM has 7B parameters and was trained on 2T tokens.
# (2) Demo:
https://tiny.example.org/demo
# (3) GitHub:
https://github.com/example/tiny-lm
# (4) Paper:
https://arxiv.org/abs/2401.01234
# (5) Homepage:
https://tiny.example.org
# (6) Hardware:
16 GB GPU memory
# (7) Notes:
Note: as of 2024-01-05 the weights are not public.
# (8) References:
(1) Tiny-LM announcement. https://tiny.example.org/blog Accessed 1/5/2024.
```
"""


def test_english_subsection_titles(tmp_path: Path) -> None:
    [row] = read(write(tmp_path, ENGLISH))
    model = row.model
    assert model is not None and model.parameters is not None and model.training is not None
    assert (row.line, model.id, model.domains) == (2, "tiny-lm", ["nlp"])
    assert model.parameters.total == 7_000_000_000
    assert model.training.tokens == 2_000_000_000_000
    assert (model.demo, model.homepage) == ("https://tiny.example.org/demo", "https://tiny.example.org")
    assert model.code == ["https://github.com/example/tiny-lm"]
    assert [p.arxiv for p in model.papers] == ["2401.01234"]
    assert [(h.gpu_memory_gb, h.note, h.source) for h in model.hardware] == [(16, "16 GB GPU memory", "seed")]
    assert [(str(n.date), n.note) for n in model.status_notes] == [
        ("2024-01-05", "as of 2024-01-05 the weights are not public.")
    ]
    assert model.summary is not None and model.summary.en is not None and model.summary.zh is None
    assert [(s.id, s.accessed) for s in model.sources] == [
        ("seed", dt.date(2024, 1, 5)),
        ("ref-1", dt.date(2024, 1, 5)),
    ]
    assert model.sources[1].title == "Tiny-LM announcement"


def test_file_cut_inside_a_section(tmp_path: Path) -> None:
    text = ENGLISH + "\n4.Cut-LM\n```\n# (1)模型简介：\nCut-LM 是一个\n"
    first, cut = read(write(tmp_path, text))
    assert first.model is not None
    assert (cut.line, cut.name, cut.model) == (22, "Cut-LM", None)
    assert cut.skipped == "section not closed (no closing ```); is the file cut short?"


def test_seed_000_cut_in_the_middle(tmp_path: Path) -> None:
    lines = SEED_000.read_text(encoding="utf-8").splitlines(keepends=True)
    path = write(tmp_path, "".join(lines[:110]))  # inside MOSS's block
    found = list(read(path))
    assert [row.name for row in found] == ["ChatGLM", "LLaMA", "GPT-2", "复旦大学"]
    assert found[-1].line == 103
    assert found[-1].skipped == "section not closed (no closing ```); is the file cut short?"


def test_heading_naming_an_organization_without_a_model_name(tmp_path: Path) -> None:
    text = "## 一.自然语言处理领域\n- 2.清华大学\n```\n# (1)模型简介：\n清华大学开发的模型。\n```\n"
    [row] = read(write(tmp_path, text))
    assert (row.line, row.name, row.model) == (2, "清华大学", None)
    assert row.skipped == "the heading names an organization, not a model"


def test_mojibake_heading_is_repaired(tmp_path: Path) -> None:
    mojibake = "紫东太初".encode().decode("mac_roman")
    text = f"## 三.多模态模型领域\n- 1.{mojibake}\n```\n# (1)模型简介：\n{mojibake}拥有1000亿参数。\n```\n"
    [row] = read(write(tmp_path, text))
    assert row.name == "紫东太初"
    assert row.model is not None and row.model.domains == ["multimodal"]
    assert row.model.parameters is not None and row.model.parameters.total == 100_000_000_000
    assert row.model.summary is not None and row.model.summary.zh == "紫东太初拥有1000亿参数。"


def test_mojibake_repair_is_reported(tmp_path: Path) -> None:
    mojibake = "紫东太初".encode().decode("mac_roman")
    text = f"## 三.多模态模型领域\n- 1.{mojibake}\n```\n# (1)模型简介：\n一个模型。\n```\n"
    [row] = read(write(tmp_path, text))
    assert row.repairs != []


def test_developer_after_shi(tmp_path: Path) -> None:
    intro = "紫东太初是中国科学院自动化研究所开发的模型。"
    text = f"## 三.多模态模型领域\n- 1.紫东太初\n```\n# (1)模型简介：\n{intro}\n```\n"
    [row] = read(write(tmp_path, text))
    assert row.organizations == [OrgRef(name="中国科学院自动化研究所")]


def test_section_without_a_model_fact_still_makes_a_model(tmp_path: Path) -> None:
    text = "## 二.计算机视觉领域\n1.Plain\n```\n# (1)模型简介：\nA model.\n```\n"
    [row] = read(write(tmp_path, text))
    assert row.model is not None
    assert (row.model.id, row.model.domains, row.model.parameters) == ("plain", ["cv"], None)
    assert row.model.sources[0].accessed == dt.date.fromtimestamp((tmp_path / "seed.md").stat().st_mtime)


def test_non_utf8_line_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.md"
    path.write_bytes(b"## \xe4\xb8\x80.NLP\n1.ChatGLM\n```\n" + "清华大学开发。\n".encode("gbk") + b"```\n")
    with pytest.raises(InputError, match="not UTF-8 text") as raised:
        list(read(path))
    assert raised.value.line == 4


def test_empty_file_has_no_rows(tmp_path: Path) -> None:
    assert list(read(write(tmp_path, ""))) == []
