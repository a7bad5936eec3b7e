"""modelatlas.sources.importers.ecosystem: Stanford CRFM Ecosystem Graphs asset files to rows.

The fixtures under ``fixtures/ecosystem/assets/`` are verbatim copies of upstream files (stanford-crfm/
ecosystem-graphs @ 576655a); ``fixtures/ecosystem/bad/`` holds hand-written broken inputs;
``fixtures/ecosystem/family/`` holds verbatim assets (whole entries) of six upstream files whose models
share a paper with another model of their family.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from modelatlas.catalog.schema import PartialDate
from modelatlas.catalog.validate import validate_catalog
from modelatlas.errors import InputError
from modelatlas.sources.importers.ecosystem import read
from modelatlas.sources.merge import Merger
from modelatlas.sources.rows import ImportedRow, OrgRef

FIXTURES = Path(__file__).parent / "fixtures" / "ecosystem"
ASSETS = FIXTURES / "assets"
BAD = FIXTURES / "bad"
FAMILY = FIXTURES / "family"
CATALOG = Path(__file__).resolve().parents[1] / "catalog"
REAL = Path("/work/shared/data/ecosystem-graphs")


def _by_name(rows: list[ImportedRow]) -> dict[str, ImportedRow]:
    return {row.name: row for row in rows if row.model is not None}


def _model_count(files: list[Path]) -> int:
    return sum(
        1
        for f in files
        for asset in yaml.safe_load(f.read_text(encoding="utf-8"))
        if asset["type"] == "model"
    )


@pytest.fixture(scope="module")
def openai_rows() -> list[ImportedRow]:
    return list(read(ASSETS / "openai.yaml"))


@pytest.fixture(scope="module")
def all_rows() -> list[ImportedRow]:
    return list(read(FIXTURES))


def test_gpt3_mapped_from_openai_file(openai_rows: list[ImportedRow]) -> None:
    row = _by_name(openai_rows)["GPT-3"]
    model = row.model
    assert model is not None
    assert row.line == 410
    assert model.id == "gpt-3"
    assert model.released == PartialDate.model_validate("2020-06-11")
    assert model.parameters is not None and model.parameters.total == 175_000_000_000
    assert model.parameters.note is None
    assert model.architecture is None
    assert [p.arxiv for p in model.papers] == ["2005.14165"]
    assert model.homepage is None
    assert model.openness == "api-only"  # access: limited
    assert model.license is None  # upstream: unknown
    assert model.domains == ["nlp"]
    assert model.modalities is not None
    assert (model.modalities.input, model.modalities.output) == (["text"], ["text"])
    assert model.training is not None
    assert model.training.co2e_t == pytest.approx(552.1)
    assert model.training.hardware == "Azure"
    assert model.training.gpu_hours is None  # "3640 petaflop/s-days" is not GPU hours
    assert model.training.note == "training time: 3640 petaflop/s-days"
    assert model.summary is not None and model.summary.en == "GPT-3 is an autoregressive language model."
    assert row.organizations == [OrgRef(name="OpenAI", country="US")]
    assert row.base_models == ["GPT-3 dataset"]
    assert row.base_relation == "component"
    assert row.repairs == []


def test_source_cites_file_and_line(openai_rows: list[ImportedRow]) -> None:
    model = _by_name(openai_rows)["GPT-3"].model
    assert model is not None
    [source] = model.sources
    assert source.id == "ecosystem-graphs"
    assert source.citation == "Stanford CRFM Ecosystem Graphs, assets/openai.yaml:410"
    assert source.url == "https://arxiv.org/pdf/2005.14165.pdf"
    assert source.title == "GPT-3"
    mtime = (ASSETS / "openai.yaml").stat().st_mtime
    assert source.accessed == dt.datetime.fromtimestamp(mtime, tz=dt.UTC).date()
    assert source.note is not None and source.note.startswith("ecosystem-graphs asset; explanations: ")
    assert "created_date: The date that GPT-3 was announced" in source.note
    assert {"parameters", "released", "papers", "openness", "training.co2e_t"} <= set(source.fields)


def test_non_arxiv_url_is_homepage_and_audio_model_is_multimodal(openai_rows: list[ImportedRow]) -> None:
    model = _by_name(openai_rows)["Whisper"].model
    assert model is not None
    assert model.papers == []
    assert model.homepage == "https://cdn.openai.com/papers/whisper.pdf"
    assert model.openness == "open-weights"
    assert model.license == "MIT"
    assert model.parameters is not None and model.parameters.total == 1_500_000_000
    assert model.domains == ["multimodal"]
    assert model.modalities is not None
    assert (model.modalities.input, model.modalities.output) == (["audio"], ["text"])


def test_text_to_image_reads_input_then_output(openai_rows: list[ImportedRow]) -> None:
    model = _by_name(openai_rows)["DALL·E 2"].model
    assert model is not None
    assert model.modalities is not None
    assert (model.modalities.input, model.modalities.output) == (["text"], ["image"])
    assert model.domains == ["multimodal"]
    assert model.parameters is None  # size: unknown, never guessed


def test_only_model_assets_become_rows() -> None:
    rows = list(read(ASSETS / "openai.yaml"))
    assert len(rows) == _model_count([ASSETS / "openai.yaml"]) == 22
    names = {row.name for row in rows}
    assert "Dragonfly API" not in names  # an application
    assert "GPT-3 dataset" not in names  # a dataset


def test_meta_values(all_rows: list[ImportedRow]) -> None:
    rows = _by_name(all_rows)
    llama = rows["LLaMA"]
    assert llama.line == 360 and llama.model is not None
    assert llama.model.released == PartialDate.model_validate("2023-02-24")
    assert llama.model.parameters is not None and llama.model.parameters.total == 65_000_000_000
    assert [p.arxiv for p in llama.model.papers] == ["2302.13971"]
    assert llama.base_models == [
        "CommonCrawl",
        "C4",
        "Github",
        "Wikipedia",
        "BooksCorpus",
        "arXiv",
        "StackExchange",
    ]
    code_llama = rows["Code LLaMA"].model
    assert code_llama is not None and code_llama.training is not None
    assert code_llama.training.gpu_hours == 400_000  # "400K GPU hours"
    assert code_llama.training.co2e_t == pytest.approx(65.3)
    assert code_llama.modalities is not None and code_llama.modalities.output == ["code", "text"]
    esm = rows["ESM-2"].model
    assert esm is not None and esm.domains == ["biology"] and esm.modalities is None  # protein sequences


def test_sparse_size_keeps_total_and_active(all_rows: list[ImportedRow]) -> None:
    model = _by_name(all_rows)["Qwen 1.5 MoE"].model
    assert model is not None and model.parameters is not None
    assert model.parameters.total == 14_000_000_000
    assert model.parameters.active == 2_700_000_000
    assert model.parameters.note == "sparse (mixture of experts)"
    assert model.architecture is None


def test_fine_tune_relation_from_description(all_rows: list[ImportedRow]) -> None:
    row = _by_name(all_rows)["Llama-2-7B-32K-Instruct"]
    assert row.base_relation == "fine-tune"
    assert "LLaMA 2" in row.base_models
    assert row.organizations == [OrgRef(name="Together", country="US")]


def test_directory_reads_assets_in_order_and_skips_duplicates(all_rows: list[ImportedRow]) -> None:
    files = sorted(ASSETS.glob("*.yaml"))
    assert len(all_rows) == _model_count(files) == 57
    skipped = [row for row in all_rows if row.skipped]
    assert [(row.line, row.name, row.skipped) for row in skipped] == [
        (255, "Dragonfly", "duplicate of openai.yaml:1458")
    ]
    first = all_rows[0].model  # alibaba.yaml sorts first; its first asset is a dataset
    assert first is not None and first.name == "Composer"
    assert first.sources[0].citation == "Stanford CRFM Ecosystem Graphs, assets/alibaba.yaml:25"


def test_lines_point_at_the_asset(all_rows: list[ImportedRow]) -> None:
    """Each row's line starts a list item whose mapping holds that name, in the file its source cites."""
    texts = {f.name: f.read_text(encoding="utf-8").splitlines() for f in ASSETS.glob("*.yaml")}
    for row in all_rows:
        if row.model is None:
            continue
        citation = row.model.sources[0].citation
        assert citation is not None and citation.endswith(f":{row.line}")
        lines = texts[citation.removeprefix("Stanford CRFM Ecosystem Graphs, assets/").split(":")[0]]
        assert lines[row.line - 1].startswith("- ")
        end = next((i for i in range(row.line, len(lines)) if lines[i].startswith("- ")), len(lines))
        [asset] = yaml.safe_load("\n".join(lines[row.line - 1 : end]))
        assert asset["name"] == row.name


def test_schemas_file_is_skipped_in_a_flat_directory(tmp_path: Path) -> None:
    shutil.copy(ASSETS / "alibaba.yaml", tmp_path)
    shutil.copy(FIXTURES / "schemas.yaml", tmp_path)
    rows = list(read(tmp_path))
    assets = yaml.safe_load((ASSETS / "alibaba.yaml").read_text(encoding="utf-8"))
    assert [row.name for row in rows] == [a["name"] for a in assets if a["type"] == "model"]


def test_progress_counts_bytes_of_all_files() -> None:
    seen: list[int] = []
    list(read(FIXTURES, seen.append))
    total = sum(f.stat().st_size for f in ASSETS.glob("*.yaml"))
    assert seen == sorted(seen)
    assert seen[-1] == total


@pytest.mark.parametrize(
    ("size", "total", "active", "note", "repaired"),
    [
        ("175B parameters (dense)", 175_000_000_000, None, None, False),
        ("7B parameters", 7_000_000_000, None, None, False),
        ("98B parameters (Dense)", 98_000_000_000, None, None, False),
        ("306M", 306_000_000, None, None, False),
        ("175 billion parameters", 175_000_000_000, None, None, False),
        ("1.2T parameters (sparse)", 1_200_000_000_000, None, "sparse (mixture of experts)", False),
        (
            "61B parameters (sparse); 6.6B active parameters",
            61_000_000_000,
            6_600_000_000,
            "sparse (mixture of experts)",
            False,
        ),
        ("unknown", None, None, None, False),
        ("''", None, None, None, False),
        ("5.5B (text, image) pairs", None, None, None, True),
        ("2024-05-29", None, None, None, True),
    ],
)
def test_size(
    tmp_path: Path, size: str, total: int | None, active: int | None, note: str | None, repaired: bool
) -> None:
    file = tmp_path / "lab.yaml"
    file.write_text(f"- type: model\n  name: Sized\n  size: {size}\n", encoding="utf-8")
    [row] = read(file)
    assert row.model is not None
    params = row.model.parameters
    got = (params.total, params.active, params.note) if params else (None, None, None)
    assert got == (total, active, note)
    assert bool(row.repairs) is repaired


def test_bad_rows_are_skipped_or_repaired() -> None:
    rows = list(read(BAD / "assets.yaml"))
    assert [(row.line, row.name, row.skipped is None) for row in rows] == [
        (1, "", False),
        (5, "Vague-LM", True),
        (26, "", False),
        (27, "", False),
        (31, "Upside-Down-MoE", False),
        (36, "vague-lm", False),
    ]
    nameless, vague, string, bad_date, upside_down, duplicate = rows
    assert nameless.skipped == "no name"
    assert string.skipped == "asset is not a mapping"
    assert bad_date.skipped is not None and bad_date.skipped.startswith("invalid: ")
    assert upside_down.skipped is not None and upside_down.skipped.startswith("invalid: parameters")
    assert duplicate.skipped == "duplicate of assets.yaml:5"

    model = vague.model
    assert model is not None
    assert vague.repairs == [
        "size: 'a lot of parameters' not a parameter count; left empty",
        "training_emissions: 'quite a lot' not in tCO2e; left empty",
    ]
    assert model.parameters is None and model.training is None
    assert vague.organizations == [OrgRef(name="Runway AI, Inc."), OrgRef(name="Example University")]
    assert model.released == PartialDate.model_validate("2023-05")
    assert model.homepage == "https://example.org/vague-lm"
    assert model.openness == "open-weights"  # access: Open
    assert model.license is None  # license: none
    assert model.domains == ["other"] and model.modalities is None  # modality: unknown
    assert vague.base_models == []
    note = model.sources[0].note
    assert note is not None and "organization: The press release names both labs." in note


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(InputError) as info:
        list(read(BAD / "invalid.yaml"))
    assert info.value.path == BAD / "invalid.yaml"
    assert info.value.line == 5
    assert "not valid YAML" in info.value.message


def test_top_level_mapping_is_rejected() -> None:
    with pytest.raises(InputError) as info:
        list(read(BAD / "mapping.yaml"))
    assert info.value.line == 1
    assert "not a list of assets" in info.value.message


def test_not_utf8_empty_and_missing_inputs(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"- type: model\n  name: Caf\xe9\n")
    with pytest.raises(InputError) as info:
        list(read(latin))
    assert info.value.line == 2 and "not UTF-8" in info.value.message

    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(InputError, match="top level is empty"):
        list(read(empty))

    with pytest.raises(InputError, match="cannot read"):
        list(read(tmp_path / "missing.yaml"))

    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(InputError, match="no asset files"):
        list(read(tmp_path / "empty-dir"))


@pytest.mark.skipif(not (REAL / "assets").is_dir(), reason="needs /work/shared/data/ecosystem-graphs")
def test_whole_real_directory() -> None:
    files = sorted((REAL / "assets").glob("*.yaml"))
    names = [
        asset["name"]
        for f in files
        for asset in yaml.safe_load(f.read_text(encoding="utf-8"))
        if asset["type"] == "model"
    ]
    rows = list(read(REAL))
    assert len(rows) == len(names)
    imported = [row for row in rows if row.model is not None]
    assert len(imported) == len({name.casefold() for name in names})
    assert all(row.skipped and row.skipped.startswith("duplicate of ") for row in rows if row.model is None)


# --- merged into the bundled catalog: family members that share a paper -------------------------------


def test_family_members_citing_one_paper_stay_apart() -> None:
    """Falcon-180B cites the Falcon Series paper as Falcon-40B does, Code Tulu 2 the Tulu 2 paper, Flan-UL2
    the UL2 paper and mT0 the T0 paper: each is a model of its own, not a conflict on its namesake."""
    catalog = validate_catalog(CATALOG)
    merger = Merger(catalog)
    outcomes = {o.name: o for o in merger.apply("ecosystem-graphs:family", FAMILY, read(FAMILY))}
    assert {name: (o.action, o.model_id) for name, o in outcomes.items()} == {
        "Tulu 2": ("new", "tulu-2"),
        "Code Tulu 2": ("new", "code-tulu-2"),
        "ERNIE-ViLG 2.0": ("conflict", "ernie-vilg-2"),
        "T0++": ("new", "t0-plus-plus"),  # not "t0": that is T0's name
        "mT0": ("new", "mt0"),
        "UL2": ("merged", "ul2"),
        "Flan-UL2": ("new", "flan-ul2"),
        "Megatron-LM": ("conflict", "megatron-lm"),
        "Falcon-40B": ("new", "falcon-40b"),
        "Falcon-180B": ("conflict", "falcon-180b"),  # the curated record; not Falcon-40B
    }
    # ecosystem-graphs calls Falcon-180B open; TII's licence restricts hosting: a real disagreement
    falcon = [(c.field, c.kept, c.other) for c in outcomes["Falcon-180B"].conflicts]
    assert falcon == [("openness", "open-weights-restricted", "open-weights")]
    # what stays a conflict is a real disagreement about the model named: ecosystem-graphs gives
    # ERNIE-ViLG 2.0 the 10B of ERNIE-ViLG (its paper says 24B), and with no 1T model in the catalog,
    # Megatron-LM's 1T (of the 2021 paper) is set against the 2019 model's 8.3B
    ernie = [(c.field, c.kept, c.other) for c in outcomes["ERNIE-ViLG 2.0"].conflicts]
    assert ("parameters", "24B", "10B") in ernie
    megatron = [(c.field, c.kept, c.other) for c in outcomes["Megatron-LM"].conflicts]
    assert ("parameters", "8.3B", "1T") in megatron
    assert all(d.note != "Flan-UL2" for d in merger.model("ul2").disputes)
