"""modelatlas.sources.importers.paper_table: seed 004 and 003, awesome-list excerpts, and broken tables.

``fixtures/seeds/`` holds byte-for-byte copies of seeds 003 and 004; ``fixtures/lists/`` excerpts of four
awesome-list READMEs (a header and a few rows or entries, with the headings above them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from modelatlas.catalog.schema import PartialDate
from modelatlas.errors import InputError
from modelatlas.sources.importers.paper_table import read
from modelatlas.sources.rows import ImportedRow, OrgRef

FIXTURES = Path(__file__).parent / "fixtures"
SEED_003 = FIXTURES / "seeds" / "003_e7c861412d09de26.txt"
SEED_004 = FIXTURES / "seeds" / "004_9af41147fb1b55ff.txt"
LISTS = FIXTURES / "lists"
OPEN_LLMS = LISTS / "eugeneyan_open-llms_README.md"
LLMS_IN_CHINA = LISTS / "wgwang_awesome-LLMs-In-China_README.md"
HUGE_MODELS = LISTS / "zhengzangw_awesome-huge-models_README.md"
CHINESE_LLM = LISTS / "HqWu-HITCS_Awesome-Chinese-LLM_README.md"


def by_name(path: Path) -> dict[str, ImportedRow]:
    return {row.name: row for row in read(path)}


def write(tmp_path: Path, text: str, name: str = "list.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seed_004() -> list[ImportedRow]:
    return list(read(SEED_004))


@pytest.fixture(scope="module")
def seed_004_rows(seed_004: list[ImportedRow]) -> dict[str, ImportedRow]:
    return {row.name: row for row in seed_004}


# --- seed 004 --------------------------------------------------------------------------------------


def test_seed_004_gives_62_rows_each_with_a_model(seed_004: list[ImportedRow]) -> None:
    assert len(seed_004) == 62
    assert all(row.model is not None and row.skipped is None for row in seed_004)
    assert (seed_004[0].line, seed_004[0].name) == (13, "Dolly 2.0")
    assert (seed_004[-1].line, seed_004[-1].name) == (85, "Chinese CLIP")
    assert len({row.line for row in seed_004}) == 62


def test_seed_004_lines_are_the_rows_of_the_file(seed_004: list[ImportedRow]) -> None:
    lines = SEED_004.read_text(encoding="utf-8").splitlines()
    for row in seed_004:
        assert lines[row.line - 1].lstrip().startswith("|"), row.line


def test_seed_004_domains_come_from_the_headings(seed_004: list[ImportedRow]) -> None:
    domains = Counter(d for row in seed_004 if row.model for d in row.model.domains)
    assert domains == {"nlp": 41, "cv": 12, "multimodal": 9}
    rows = {row.name: row.model for row in seed_004}
    assert rows["BERT"] is not None and rows["BERT"].domains == ["nlp"]
    assert rows["DINOv2"] is not None and rows["DINOv2"].domains == ["cv"]
    assert rows["Gato"] is not None and rows["Gato"].domains == ["multimodal"]


@pytest.mark.parametrize(
    ("line", "raw", "fixed"),
    [
        (83, "Á¥´‰∏úÂ§™Âàù", "紫东太初"),
        (84, "ÁõòÂè§", "盘古"),
        (65, "‰π¶Áîü", "书生"),
        (82, "Â≠üÂ≠ê", "孟子"),
        (38, "PanGu-Œ±", "PanGu-α"),
        (77, "DALL¬∑E2", "DALL·E2"),
    ],
)
def test_seed_004_mojibake_names_are_repaired_and_reported(
    seed_004: list[ImportedRow], line: int, raw: str, fixed: str
) -> None:
    [row] = [r for r in seed_004 if r.line == line]
    assert row.name == fixed
    assert row.model is not None and row.model.name == fixed
    assert f"repaired mis-encoded text {raw!r} → {fixed!r}" in row.repairs


def test_seed_004_mojibake_in_a_title_is_repaired_too(seed_004_rows: dict[str, ImportedRow]) -> None:
    row = seed_004_rows["PanGu-α"]
    assert row.model is not None
    assert row.model.papers[0].title == (
        "PanGu-α: Large-scale Autoregressive Pretrained Chinese Language Models "
        "with Auto-parallel Computation"
    )
    assert len(row.repairs) == 2


def test_seed_004_rows_without_mojibake_report_no_repair(seed_004_rows: dict[str, ImportedRow]) -> None:
    for name in ("LLaMa", "GLM-130B", "AlphaCode", "GPT-3", "Gato", "Imagen"):
        assert seed_004_rows[name].repairs == [], name


def test_seed_004_llama(seed_004_rows: dict[str, ImportedRow]) -> None:
    row = seed_004_rows["LLaMa"]
    model = row.model
    assert model is not None
    assert (row.line, model.id, model.domains) == (16, "llama", ["nlp"])
    assert model.released == PartialDate.model_validate("2023")
    [paper] = model.papers
    assert paper.model_dump(exclude_none=True) == {
        "title": "Open and Efficient Foundation Language Models",
        "arxiv": "2302.13971",  # from .../2302.13971v1.pdf
        "venue": "arxiv",
        "year": 2023,
    }
    assert model.code == ["https://github.com/facebookresearch/llama"]
    assert row.organizations == [] and row.base_models == []


def test_seed_004_source_is_the_row(seed_004_rows: dict[str, ImportedRow]) -> None:
    model = seed_004_rows["LLaMa"].model
    assert model is not None
    [source] = model.sources
    assert (source.id, source.url) == ("paper-table", None)
    assert source.citation == "004_9af41147fb1b55ff.txt, line 16"
    assert source.title is not None and source.title.startswith("Huge Models for NLP")
    assert source.accessed == dt.date.fromtimestamp(SEED_004.stat().st_mtime)
    assert source.fields == ["code", "papers", "released"]


def test_seed_004_instructgpt_paper_link_in_the_venue_column(seed_004_rows: dict[str, ImportedRow]) -> None:
    model = seed_004_rows["InstructGPT"].model
    assert model is not None
    [paper] = model.papers
    assert paper.arxiv == "2203.02155"
    assert paper.title == "Training language models to follow instructions with human feedback"
    assert paper.venue is None  # the venue cell is a link, not a venue


def test_seed_004_stray_pipes_are_reported(seed_004_rows: dict[str, ImportedRow]) -> None:
    assert seed_004_rows["BLOOM"].repairs == ["dropped 1 empty extra cell(s) (stray pipes)"]
    assert seed_004_rows["PaLM"].repairs == ["dropped 2 empty extra cell(s) (stray pipes)"]
    assert seed_004_rows["PICASSO"].repairs == ["dropped 1 extra cell(s): \\"]
    bloom = seed_004_rows["BLOOM"].model
    assert bloom is not None and bloom.weights is not None
    assert bloom.weights.huggingface == ["bigscience/bloom"]
    assert [p.arxiv for p in bloom.papers] == ["2211.05100"]


def test_seed_004_dolly_code_link_to_the_list_is_noted(seed_004_rows: dict[str, ImportedRow]) -> None:
    """The importer reads what the row says; `check` reports it and the merge leaves it out."""
    row = seed_004_rows["Dolly 2.0"]
    url = "https://github.com/zhengzangw/awesome-huge-models/tree/main"
    assert row.model is not None and row.model.code == [url] and row.model.papers == []
    assert row.repairs == [f"code link {url} points at a model list, not the model"]


def test_seed_004_coatnet_keeps_its_year_as_read(seed_004_rows: dict[str, ImportedRow]) -> None:
    """The seed says 2012 (CoAtNet is from 2021); the importer reads, the catalog corrects."""
    model = seed_004_rows["CoAtNet"].model
    assert model is not None
    assert model.released == PartialDate.model_validate("2012")
    assert [(p.arxiv, p.year) for p in model.papers] == [("2106.04803", 2012)]


def test_seed_004_links_by_what_they_point_at(seed_004_rows: dict[str, ImportedRow]) -> None:
    galactica = seed_004_rows["Galactica"].model
    assert galactica is not None and galactica.weights is not None
    assert galactica.weights.huggingface == ["facebook/galactica-1.3b"]
    assert galactica.code == []
    gpt3 = seed_004_rows["GPT-3"].model
    assert gpt3 is not None
    assert gpt3.papers[0].arxiv is None
    assert gpt3.papers[0].url == (
        "https://papers.nips.cc/paper/2020/file/1457c0d6bfcb4967418bfb8ac142f64a-Paper.pdf"
    )
    # the importer does not know the catalog: seed 004's wrong link for GPT is read as it stands
    gpt = seed_004_rows["GPT"].model
    assert gpt is not None and gpt.code == ["https://github.com/google-research/vmoe"]
    eva = seed_004_rows["EVA 2.0"].model
    assert eva is not None and eva.code == ["https://openi.pcl.ac.cn/BAAI/WuDao-Model/src/branch/master"]


def test_seed_004_unreadable_date_is_reported(seed_004_rows: dict[str, ImportedRow]) -> None:
    row = seed_004_rows["Chinese CLIP"]
    assert row.model is not None and row.model.released is None
    assert row.repairs == ["date '2021-2022' not understood; left empty"]
    assert row.model.papers[0].arxiv == "2103.00020"  # the first of its two links


def test_seed_004_non_latin_names_get_a_hashed_id(seed_004_rows: dict[str, ImportedRow]) -> None:
    ids = {name: seed_004_rows[name].model.id for name in ("紫东太初", "盘古", "书生")}  # type: ignore[union-attr]
    assert all(i.startswith("m-") and len(i) == 12 for i in ids.values())
    assert len(set(ids.values())) == 3
    pangu = seed_004_rows["PanGu-α"].model
    assert pangu is not None and pangu.id == "pangu-alpha"


# --- seed 003: a table without a header ------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_003() -> dict[str, ImportedRow]:
    return by_name(SEED_003)


def test_seed_003_headerless_table(seed_003: dict[str, ImportedRow]) -> None:
    assert list(seed_003) == [
        "M6",
        "Stable Diffusion-1.0",
        "Whisper",
        "ERNIE-ViLG 2.0",
        "Stable Diffusion-2.0",
        "Whisper V2",
        "MOSS",
        "PaLM-E",
        "Visual ChatGPT",
        "GPT-4",
        "HuggingGPT",
        "LVDM",
        "Whisper JAX",
    ]
    assert [row.line for row in seed_003.values()] == list(range(83, 96))
    assert all(row.model is not None for row in seed_003.values())


def test_seed_003_m6(seed_003: dict[str, ImportedRow]) -> None:
    row = seed_003["M6"]
    model = row.model
    assert model is not None
    assert model.parameters is not None and model.parameters.total == 100_000_000_000  # 1000 亿个参数
    assert model.released == PartialDate.model_validate("2021-03-01")
    assert model.released.precision == "day"
    assert model.domains == ["other"]  # no heading names a domain
    assert row.repairs == []


@pytest.mark.parametrize(
    ("name", "total", "released"),
    [
        ("Whisper", 1_550_000_000, "2022-09-21"),
        ("Whisper V2", 1_550_000_000, "2022-12-09"),
        ("ERNIE-ViLG 2.0", 24_000_000_000, "2022-10-27"),
        ("PaLM-E", 562_000_000_000, "2023-03-06"),
        ("GPT-4", 175_000_000_000, "2023-03-14"),
        ("Stable Diffusion-2.0", 983_000_000, "2022-11-24"),
    ],
)
def test_seed_003_values(seed_003: dict[str, ImportedRow], name: str, total: int, released: str) -> None:
    model = seed_003[name].model
    assert model is not None and model.parameters is not None
    assert (model.parameters.total, str(model.released)) == (total, released)


def test_seed_003_day_zero_keeps_the_month(seed_003: dict[str, ImportedRow]) -> None:
    model = seed_003["Stable Diffusion-1.0"].model
    assert model is not None
    assert model.released == PartialDate.model_validate("2022-08")  # "2022-08-00"


@pytest.mark.parametrize("name", ["HuggingGPT", "LVDM"])
def test_seed_003_zero_parameters_are_unknown(seed_003: dict[str, ImportedRow], name: str) -> None:
    row = seed_003[name]
    assert row.model is not None and row.model.parameters is None
    assert row.repairs == ["params '0 亿个参数' is zero: read as unknown; left empty"]


# --- eugeneyan/open-llms ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_llms() -> dict[str, ImportedRow]:
    return by_name(OPEN_LLMS)


def test_open_llms_params_column_is_in_billions(open_llms: dict[str, ImportedRow]) -> None:
    sizes = {
        name: row.model.parameters.total
        for name, row in open_llms.items()
        if row.model is not None and row.model.parameters is not None
    }
    assert sizes == {
        "GPT-NeoX-20B": 20_000_000_000,
        "YaLM-100B": 100_000_000_000,
        "UL2": 20_000_000_000,
        "Bloom": 176_000_000_000,
        "ChatGLM": 6_000_000_000,
        "SantaCoder": 1_100_000_000,
    }


def test_open_llms_gpt_neox(open_llms: dict[str, ImportedRow]) -> None:
    row = open_llms["GPT-NeoX-20B"]
    model = row.model
    assert model is not None and model.weights is not None
    assert (row.line, model.id) == (9, "gpt-neox-20b")
    assert model.released == PartialDate.model_validate("2022-04")
    assert model.context_length == 2048
    assert model.license == "Apache 2.0"
    assert model.weights.huggingface == ["EleutherAI/gpt-neox-20b"]
    assert [(p.title, p.arxiv) for p in model.papers] == [
        ("GPT-NeoX-20B: An Open-Source Autoregressive Language Model", "2204.06745")
    ]
    assert row.repairs == []


@pytest.mark.parametrize(
    ("name", "cell"), [("T5", "0.06 - 11"), ("RWKV 4", "0.1 - 14"), ("CodeGen2", "1 - 16")]
)
def test_open_llms_ranges_are_left_empty(open_llms: dict[str, ImportedRow], name: str, cell: str) -> None:
    row = open_llms[name]
    assert row.model is not None and row.model.parameters is None
    assert f"params {cell!r} is not one number (a range or a list?); left empty" in row.repairs


def test_open_llms_dataset_sections_are_skipped(open_llms: dict[str, ImportedRow]) -> None:
    skipped = {name: row for name, row in open_llms.items() if row.model is None}
    assert list(skipped) == ["OIG (Open Instruction Generalist)", "databricks-dolly-15k"]
    assert {row.skipped for row in skipped.values()} == {
        "section 'Open LLM datasets for instruction-tuning' lists no models"
    }
    assert [row.line for row in skipped.values()] == [27, 28]
    assert all(row.not_a_model for row in skipped.values())  # `check` lists them as info, not faults


def test_open_llms_code_section_rows_are_models(open_llms: dict[str, ImportedRow]) -> None:
    model = open_llms["SantaCoder"].model
    assert model is not None and model.weights is not None
    assert model.domains == ["nlp"]
    assert model.weights.huggingface == ["bigcode/santacoder"]
    assert [p.arxiv for p in model.papers] == ["2301.03988"]


def test_open_llms_a_list_of_context_lengths_is_not_one_number(open_llms: dict[str, ImportedRow]) -> None:
    model = open_llms["UL2"].model
    assert model is not None and model.context_length is None


# --- wgwang/awesome-LLMs-In-China ------------------------------------------------------------------


@pytest.fixture(scope="module")
def llms_in_china() -> dict[str, ImportedRow]:
    return by_name(LLMS_IN_CHINA)


def test_llms_in_china_name_link_is_the_homepage_and_company_the_org(
    llms_in_china: dict[str, ImportedRow],
) -> None:
    row = llms_in_china["文心一言"]
    model = row.model
    assert model is not None
    assert (row.line, model.homepage, model.domains) == (8, "https://yiyan.baidu.com", ["nlp"])
    assert row.organizations == [OrgRef(name="百度")]
    assert model.code == [] and model.papers == []


def test_llms_in_china_every_row(llms_in_china: dict[str, ImportedRow]) -> None:
    assert {name: [o.name for o in row.organizations] for name, row in llms_in_china.items()} == {
        "文心一言": ["百度"],
        "清言": ["智谱华章"],
        "百川": ["百川智能"],
        "通义千问": ["阿里云"],
        "书生": ["上海人工智能实验室"],
        "曹植": ["达观数据"],
        "商量": ["商汤科技"],
        "ChatGPT": ["OpenAI"],
        "Bing Chat": ["微软"],
    }
    chatgpt = llms_in_china["ChatGPT"].model
    assert chatgpt is not None and chatgpt.homepage == "https://chat.openai.com/chat"
    # the 说明 column's links are not this model's code
    qingyan = llms_in_china["清言"].model
    assert qingyan is not None and qingyan.code == [] and qingyan.homepage == "https://chatglm.cn/"


# --- zhengzangw/awesome-huge-models ----------------------------------------------------------------


@pytest.fixture(scope="module")
def huge_models() -> dict[str, ImportedRow]:
    return by_name(HUGE_MODELS)


def test_huge_models_gato(huge_models: dict[str, ImportedRow]) -> None:
    row = huge_models["Gato"]
    model = row.model
    assert model is not None and model.parameters is not None
    assert row.line == 54
    assert model.parameters.total == 1_200_000_000
    assert [(p.title, p.arxiv) for p in model.papers] == [("A Generalist Agent", "2205.06175")]
    assert row.organizations == [OrgRef(name="DeepMind")]
    assert model.released == PartialDate.model_validate("2022-05")
    assert model.domains == ["games"]  # Field: Reinforcement Learning
    assert model.training is not None and model.training.dataset == "(604 Tasks)"


def test_huge_models_yaml_block(huge_models: dict[str, ImportedRow]) -> None:
    model = huge_models["Baichuan"].model
    assert model is not None and model.parameters is not None and model.training is not None
    assert model.parameters.total == 7_000_000_000
    assert model.context_length == 4096
    assert model.license == "Apache 2.0"
    assert model.training.dataset == "1.2T tokens (English, Chinese, Private)"
    assert model.code == ["https://github.com/baichuan-inc/baichuan-7B"]
    assert model.released == PartialDate.model_validate("2023-06")
    assert huge_models["Baichuan"].organizations == [OrgRef(name="Baichuan")]


def test_huge_models_llama(huge_models: dict[str, ImportedRow]) -> None:
    row = huge_models["LLaMa"]
    assert row.model is not None
    assert [p.arxiv for p in row.model.papers] == ["2302.13971"]
    assert row.model.code == ["https://github.com/facebookresearch/llama"]
    assert row.model.parameters is None
    assert row.repairs == ["params '65B, 33B, 13B, 7B' is not one number (a range or a list?); left empty"]


def test_huge_models_framework_sections_are_skipped(huge_models: dict[str, ImportedRow]) -> None:
    skipped = {name: row.skipped for name, row in huge_models.items() if row.model is None}
    why = "section 'Distributed Training Framework' lists no models"
    assert skipped == {"Accelerate": why, "FairScale": why, "DeepSpeed": why}
    assert "Hivemind" not in huge_models  # no [[org]], no block: prose, not an entry
    assert [name for name, row in huge_models.items() if row.model] == [
        "Baichuan",
        "Falcon",
        "LLaMa",
        "PaLM-E",
        "Gato",
    ]


def test_huge_models_full_month_names(huge_models: dict[str, ImportedRow]) -> None:
    model = huge_models["PaLM-E"].model
    assert model is not None and model.released == PartialDate.model_validate("2023-03")


def test_huge_models_context_length_key(huge_models: dict[str, ImportedRow]) -> None:
    model = huge_models["Falcon"].model
    assert model is not None and model.context_length == 2048


# --- HqWu-HITCS/Awesome-Chinese-LLM ----------------------------------------------------------------


def test_chinese_llm_overview_table() -> None:
    rows = by_name(CHINESE_LLM)
    assert len(rows) == 10 and all(r.model is not None for r in rows.values())
    chatglm = rows["ChatGLM"]
    assert chatglm.model is not None and chatglm.model.parameters is not None
    assert chatglm.model.parameters.total == 6_000_000_000
    assert chatglm.model.license == "可商用"
    assert chatglm.model.domains == ["nlp"]  # from the file name: Awesome-Chinese-LLM
    assert chatglm.repairs == [
        "context '2K/32K' is not one number (a range or a list?); left empty",
        "tokens '1T/1.4' is not one number (a range or a list?); left empty",
    ]
    llama = rows["LLaMA"]
    assert llama.model is not None and llama.model.parameters is None
    assert "params '7B/13B/33B/65B' is not one number (a range or a list?); left empty" in llama.repairs
    yi = rows["Yi"].model
    assert yi is not None and yi.training is not None
    assert (yi.training.tokens, yi.context_length) == (3_000_000_000_000, 200 * 1024)


# --- broken input ----------------------------------------------------------------------------------


HEADER = "## Models for NLP\n\n| Year | Model Name | Params | Paper | Code |\n|---|---|---|---|---|\n"


def test_row_with_fewer_cells_is_padded_and_reported(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "| 2023 | Tiny-LM | 7B |\n")
    [row] = read(path)
    assert row.model is not None and row.model.parameters is not None
    assert (row.line, row.name, row.model.parameters.total) == (5, "Tiny-LM", 7_000_000_000)
    assert row.model.papers == [] and row.model.code == []
    assert row.repairs == ["row has 3 cells, the header 5: the missing ones are empty"]


def test_row_with_extra_cells_is_cut_and_reported(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "| 2023 | Tiny-LM | 7B | - | - | stray | text |\n")
    [row] = read(path)
    assert row.model is not None
    assert row.repairs == ["dropped 2 extra cell(s): stray | text"]


def test_duplicate_rows_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "| 2023 | Tiny-LM | 7B | | |\n| 2022 | tiny lm | 6B | | |\n")
    first, second = read(path)
    assert first.model is not None and first.skipped is None
    assert (second.line, second.name, second.model) == (6, "tiny lm", None)
    assert second.skipped == "duplicate of line 5"


def test_row_without_a_name_is_skipped(tmp_path: Path) -> None:
    [row] = read(write(tmp_path, HEADER + "| 2023 | - | 7B | | |\n"))
    assert (row.line, row.name, row.skipped) == (5, "", "no model name")


def test_table_without_a_name_column_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "| Year | Venue |\n|---|---|\n| 2023 | ACL |\n")
    [row] = read(path)
    assert (row.line, row.model) == (3, None)
    assert row.skipped == "table at line 1 has no model-name column"


def test_non_utf8_line_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "gbk.md"
    path.write_bytes(HEADER.encode() + "| 2023 | 盘古 | 200B | | |\n".encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8 text") as raised:
        list(read(path))
    assert (raised.value.path, raised.value.line) == (path, 5)
    assert str(raised.value).startswith(f"{path}:5:")


def test_mojibake_in_a_written_file_is_repaired(tmp_path: Path) -> None:
    mojibake = "紫东太初".encode().decode("mac_roman")
    [row] = read(write(tmp_path, HEADER + f"| 2021 | {mojibake} | 100B | | |\n"))
    assert row.name == "紫东太初"
    assert row.repairs == [f"repaired mis-encoded text {mojibake!r} → '紫东太初'"]


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        list(read(tmp_path / "absent.md"))


def test_domain_falls_back_to_other(tmp_path: Path) -> None:
    path = write(tmp_path, "| Model | Params |\n|---|---|\n| Tiny | 1B |\n", name="plain.md")
    [row] = read(path)
    assert row.model is not None and row.model.domains == ["other"]


@pytest.mark.parametrize("cell", ["1, 7", "7B/13B", "0.06 - 11", "2K/32K", "7、13"])
def test_lists_and_ranges_are_not_one_count(cell: str) -> None:
    from modelatlas.errors import BadArgument
    from modelatlas.sources.importers._text import size

    with pytest.raises(BadArgument):
        size(cell, 10**9)


def test_thousands_separator_is_one_count() -> None:
    from modelatlas.sources.importers._text import size

    assert size("1,024", 1) == 1024 and size("9.83亿") == 983_000_000
