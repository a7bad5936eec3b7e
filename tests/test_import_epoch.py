"""The Epoch AI CSV importer, on excerpts of the five real exports and on hand-made broken files."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from modelatlas.catalog.names import task_slug
from modelatlas.catalog.schema import Model
from modelatlas.errors import InputError
from modelatlas.sources.importers import epoch
from modelatlas.sources.importers.epoch import read
from modelatlas.sources.rows import ImportedRow, OrgRef

FIXTURES = Path(__file__).parent / "fixtures" / "epoch"
CATALOG_MODELS = Path(__file__).resolve().parents[1] / "catalog" / "models"
REAL = Path("/work/shared/data/epoch")
EXPORTS = [
    "notable_ai_models.csv",
    "all_ai_models.csv",
    "frontier_ai_models.csv",
    "large_scale_ai_models.csv",
    "pcd_all_ml_systems_2023.csv",
]


def rows(name: str) -> dict[str, ImportedRow]:
    """The rows of a fixture that made a model, by name."""
    return {row.name: row for row in read(FIXTURES / name) if row.model is not None}


def write(tmp_path: Path, header: list[str], *records: list[str]) -> Path:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *records])
    return path


def file_date(path: Path) -> dt.date:
    return dt.date.fromtimestamp(path.stat().st_mtime)


# --- the real exports, excerpted -------------------------------------------------------------------


def estimate(model: Model, field: str) -> tuple[float, str, str | None]:
    """The one estimate of ``field`` on ``model``: value, estimator, confidence."""
    (found,) = [e for e in model.estimates if e.field == field]
    return found.value, found.by, found.confidence


def test_gpt3_from_all_ai_models() -> None:
    row = rows("all_ai_models.csv")["GPT-3 175B (davinci)"]
    model = row.model
    assert model is not None
    assert (row.line, model.id, model.domains) == (36, "gpt-3-175b-davinci", ["nlp"])
    assert model.parameters is not None and model.parameters.total == 175_000_000_000
    assert model.released is not None and model.released.precision == "day"
    assert str(model.released) == "2020-05-28"
    assert model.openness == "api-only"
    assert row.organizations == [OrgRef(name="OpenAI", kind="company", country="US")]
    assert model.training is not None
    assert model.training.tokens == 374_000_000_000
    # compute is Epoch's own calculation: an estimate by Epoch AI, never the training field
    assert model.training.compute_flop is None
    assert estimate(model, "training.compute_flop") == (3.14e23, "Epoch AI", "confident")
    assert model.training.hardware == "NVIDIA Tesla V100 DGXS 32 GB × 10000"
    assert model.training.dataset == "Common Crawl,WebText2,Wikipedia,Books1,Books2"
    assert [p.model_dump(exclude_none=True) for p in model.papers] == [
        {
            "title": "Language Models are Few-Shot Learners",
            "arxiv": "2005.14165",
            "url": "https://arxiv.org/abs/2005.14165",
        }
    ]
    source = model.sources[0]
    assert (source.id, source.url, source.citation) == ("epoch", "https://arxiv.org/abs/2005.14165", None)
    assert source.accessed == dt.date(2025, 2, 3)  # the row's "Last modified"
    assert source.note == "Epoch AI 'Data on AI Models' (CC BY 4.0); confidence: Confident"
    assert "parameters" in source.fields and "training.tokens" in source.fields
    assert (row.base_models, row.repairs) == ([], [])


def test_llama_7b_fine_tune_from_all_ai_models() -> None:
    row = rows("all_ai_models.csv")["LLaMA-7B (protein-oriented instruction-tuned)"]
    model = row.model
    assert model is not None and model.training is not None
    assert model.domains == ["nlp", "biology"]
    assert model.parameters is not None and model.parameters.total == 7_000_000_000
    assert model.training.tokens is None  # datapoints are tokens only for language-only rows
    assert model.openness == "open-weights"
    assert row.base_models == ["LLaMA-7B"]
    assert row.organizations == [OrgRef(name="Zhejiang University", kind="university", country="CN")]
    assert model.sources[0].accessed == dt.date(2025, 1, 30)


def test_base_models_are_a_comma_list() -> None:
    assert rows("all_ai_models.csv")["Janus-Pro-7B"].base_models == ["DeepSeek LLM 7B", "SigLIP"]


def test_a_row_without_a_name_is_skipped() -> None:
    last = list(read(FIXTURES / "all_ai_models.csv"))[-1]
    assert (last.line, last.name, last.model, last.skipped) == (52, "", None, "no model name")


@pytest.mark.parametrize("export", EXPORTS)
def test_line_is_where_the_record_starts(export: str) -> None:
    lines = (FIXTURES / export).read_text(encoding="utf-8").splitlines()
    for row in read(FIXTURES / export):
        assert lines[row.line - 1].lstrip('"').startswith(row.name), (row.line, row.name)


def test_records_spanning_several_lines() -> None:
    starts = [row.line for row in read(FIXTURES / "notable_ai_models.csv")]
    assert starts == [2, 4, 5, 41, 42, 56, 66, 78, 93, 98, 111, 127, 154, 173, 180, 191]


def test_llama_65b_from_notable_ai_models() -> None:
    path = FIXTURES / "notable_ai_models.csv"
    model = rows("notable_ai_models.csv")["LLaMA-65B"].model
    assert model is not None and model.training is not None and model.parameters is not None
    assert model.parameters.total == 65_200_000_000
    assert model.parameters.note and model.parameters.note.startswith("Model card, table 1")
    assert model.tasks == ["language-modeling", "code-generation"]
    assert (model.training.tokens, model.training.compute_flop) == (1_400_000_000_000, None)
    assert estimate(model, "training.compute_flop")[0] == 5.5e23
    assert model.training.hardware == "NVIDIA A100 × 2048"
    assert model.training.cost_usd is None
    assert estimate(model, "training.cost_usd")[0] == 578026.3043
    assert model.openness == "research-only"
    assert model.papers[0].arxiv == "2302.13971"
    assert model.sources[0].accessed == file_date(path)  # no "Last modified" column in this export


def test_tasks_are_spelt_as_the_catalog_spells_them() -> None:
    """Epoch writes 'Question answering', 'Speech recognition (ASR)'; the catalog question-answering."""
    notable = rows("notable_ai_models.csv")
    qwen_vl, whisper = notable["Qwen-VL"].model, notable["Whisper"].model
    assert qwen_vl is not None and whisper is not None
    assert qwen_vl.tasks == ["image-captioning", "chat", "question-answering", "visual-question-answering"]
    assert whisper.tasks == ["speech-recognition"]
    catalog = {
        t
        for f in CATALOG_MODELS.glob("*.yaml")
        for t in yaml.safe_load(f.read_text(encoding="utf-8")).get("tasks") or []
    }
    assert {
        "image-captioning",
        "question-answering",
        "visual-question-answering",
        "speech-recognition",
    } <= catalog
    for export in ("notable_ai_models.csv", "all_ai_models.csv", "pcd_all_ml_systems_2023.csv"):
        for row in read(FIXTURES / export):
            for task in row.model.tasks if row.model else []:
                assert task == task_slug(task) and " " not in task, (export, row.line, task)


def test_links_that_are_not_urls_become_a_citation() -> None:
    found = rows("notable_ai_models.csv")
    eagle, exaone = found["Eagle 2"].model, found["EXAONE 4.5"].model
    assert eagle is not None and exaone is not None
    # "arxiv.org/abs/2501.14818" without a scheme: the arXiv id is kept, the URL is not
    assert eagle.sources[0].url is None
    assert eagle.sources[0].citation == "Epoch AI, notable_ai_models.csv, line 5"
    assert (eagle.papers[0].arxiv, eagle.papers[0].url) == ("2501.14818", None)
    # the Link cell holds the author list
    assert exaone.sources[0].url is None
    assert exaone.papers[0].model_dump(exclude_none=True) == {"title": "EXAONE 4.5 Technical Report"}


def test_organizations_kinds_and_countries() -> None:
    found = rows("notable_ai_models.csv")
    assert found["XLNet"].organizations == [
        OrgRef(name="Carnegie Mellon University (CMU)", kind="university"),
        OrgRef(name="Google Brain", kind="company"),
    ]
    # two organizations, three countries: no country is guessed
    assert [(o.kind, o.country) for o in found["ESM1b"].organizations] == [
        ("company", None),
        ("university", None),
    ]
    assert found["GLM-130B"].organizations == [
        OrgRef(name="Tsinghua University", kind="university", country="CN")
    ]


def test_missing_values_stay_empty() -> None:
    found = rows("notable_ai_models.csv")
    gpt5, kaiju, qwen = (found[n].model for n in ("GPT-5.2", "Kaiju Small", "Qwen-VL"))
    assert gpt5 is not None and kaiju is not None and qwen is not None
    assert (gpt5.domains, gpt5.parameters, gpt5.papers) == (["other"], None, [])
    assert kaiju.released is None
    assert qwen.domains == ["multimodal", "nlp", "cv"]
    assert qwen.openness == "open-weights-restricted"
    assert found["Qwen-VL"].base_models == ["Qwen-7B"]


def test_frontier_export_columns() -> None:
    model = rows("frontier_ai_models.csv")["GPT-3 175B (davinci)"].model
    assert model is not None and model.training is not None
    assert model.training.tokens == 374_000_000_000  # "(DEPRECATED) Training dataset size (datapoints)"
    assert model.training.cost_usd is None
    assert estimate(model, "training.cost_usd")[0] == pytest.approx(2277557.456)
    assert model.sources[0].accessed == dt.date(2025, 11, 1)


def test_large_scale_export_has_no_categorization() -> None:
    row = rows("large_scale_ai_models.csv")["LLaMA-33B"]
    assert row.model is not None and row.model.parameters is not None
    assert row.model.parameters.total == 32_500_000_000
    assert row.organizations == [OrgRef(name="Meta AI", kind=None, country="US")]


def test_legacy_pcd_export() -> None:
    result = list(read(FIXTURES / "pcd_all_ml_systems_2023.csv"))
    by_line = {row.line: row for row in result}
    gpt3 = by_line[6].model
    assert gpt3 is not None and gpt3.parameters is not None and gpt3.training is not None
    assert gpt3.name == "GPT-3 175B (davinci)"
    assert str(gpt3.released) == "2020-05-28"  # written 28/05/2020
    assert gpt3.parameters.total == 175_000_000_000  # written 1.75E+11
    # the legacy export has no dataset-size notes, so its datapoints are not taken for tokens
    assert gpt3.training is None or (gpt3.training.compute_flop, gpt3.training.tokens) == (None, None)
    assert estimate(gpt3, "training.compute_flop")[0] == 3.14e23
    assert gpt3.tasks == ["text-autocompletion"]
    assert by_line[6].organizations == [OrgRef(name="OpenAI", kind="company")]
    assert by_line[3].skipped == "duplicate of line 2"  # FLAN twice
    assert (by_line[5].skipped, by_line[5].name) == ("no model name", "")
    assert {o.kind for o in by_line[4].organizations} == {None}  # "Industry - Academia Collaboration"
    assert by_line[9].repairs == ["Training cost (2020 USD): 'N/A' is not a number; left empty"]
    assert by_line[9].model is not None


# --- hand-made inputs ------------------------------------------------------------------------------


def test_truncated_file_skips_the_cut_record() -> None:
    result = [(row.line, row.name, row.skipped) for row in read(FIXTURES / "truncated.csv")]
    assert result == [
        (2, "EXAONE 4.5", None),
        (4, "GPT-5.2", None),
        (5, "Eagle 2", "9 cells where the header has 47: the record is cut short or malformed"),
    ]


@pytest.mark.parametrize("fixture", ["bad_encoding_latin1.csv", "bad_encoding_gbk.csv"])
def test_wrong_encoding_names_the_line(fixture: str) -> None:
    reader = read(FIXTURES / fixture)
    first = next(reader)
    assert (first.line, first.name, first.skipped) == (2, "LLaMA-65B", None)
    with pytest.raises(InputError, match="not UTF-8 text") as raised:
        next(reader)
    assert raised.value.line == 3


def test_missing_columns() -> None:
    with pytest.raises(InputError) as raised:
        list(read(FIXTURES / "missing_columns.csv"))
    assert raised.value.line == 1
    assert raised.value.message.startswith(
        "missing column(s) 'Model', 'Publication date': this is not an Epoch AI export; expected columns"
    )


def test_missing_publication_date_alone(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing column\(s\) 'Publication date':"):
        list(read(write(tmp_path, ["Model", "Domain"], ["GPT-3", "Language"])))


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(InputError, match="empty file"):
        list(read(path))
    with pytest.raises(InputError, match="empty file"):
        list(read(FIXTURES / "empty.csv"))


def test_non_numeric_numbers_are_dropped_and_reported() -> None:
    result = list(read(FIXTURES / "non_numeric.csv"))
    assert [row.skipped for row in result] == [None] * 4
    falcon7, falcon40, falcon180, mystery = result
    assert falcon7.repairs == [
        "Parameters: 'about 7B' is not a number; left empty",
        "Hardware quantity: 'lots' is not a number; left empty",
        "Training compute (FLOP): 'n/a' is not a number; left empty",
    ]
    assert falcon7.model is not None and falcon7.model.training is not None
    assert falcon7.model.parameters is None
    assert falcon7.model.training.tokens is None  # no dataset-size note says the datapoints are tokens
    assert falcon7.model.training.hardware == "NVIDIA A100 SXM4 40 GB"
    assert falcon40.model is not None and falcon40.model.parameters is not None
    assert falcon40.model.parameters.total == 40_000_000_000  # "40B" is a count as people write it
    assert falcon40.repairs == []  # its dataset size is not read as tokens (no note says tokens)
    assert falcon180.repairs == [
        "Training compute (FLOP): '~7.5e23' is not a number; left empty",
        "Model accessibility: 'By request' is not a known value; left empty",
    ]
    assert falcon180.model is not None and falcon180.model.openness is None
    assert mystery.repairs == [
        "Parameters: 'NaN' is not a number; left empty",
        "Publication date: '2023-13-45' is not a date; left empty",
    ]
    assert mystery.model is not None and mystery.model.released is None
    assert mystery.model.training is None  # a Vision row: its datapoints are not tokens


def test_duplicates_stray_lines_and_invalid_rows() -> None:
    result = [(row.line, row.name, row.skipped) for row in read(FIXTURES / "duplicates.csv")]
    assert result == [
        (2, "LLaMA-65B", None),
        (3, "LLaMA 65B", "duplicate of line 2 ('LLaMA-65B', the same name once normalised)"),
        (4, "a stray line", "1 cell where the header has 7: the record is cut short or malformed"),
        (5, "Ancient model", "invalid: released: '0000' is not a real date"),
        (6, "Ancient model", None),  # the invalid row above made no model, so this one is no duplicate
        (7, "LLaMA-65B", "duplicate of line 2"),
        (8, "", "no model name"),
    ]


def test_a_duplicate_is_skipped_before_its_record_is_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    """``read`` looks a name up before converting its record (a file of many duplicates paid for each):
    the converted lines are the ones that are no duplicate, the invalid row's twin among them (the
    invalid row made no model); the rows are the same (the test above)."""
    converted: list[int] = []
    convert = epoch._imported

    def counted(layout: Any, line: int, name: str, row: Any) -> ImportedRow:
        converted.append(line)
        return convert(layout, line, name, row)

    monkeypatch.setattr(epoch, "_imported", counted)
    skipped = {row.line: row.skipped for row in read(FIXTURES / "duplicates.csv")}
    assert converted == [2, 5, 6]
    assert skipped[3] is not None and skipped[7] == "duplicate of line 2"


def test_unparsable_record_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    runaway = "\n".join(["x" * 1000] * 150)  # an unclosed quote swallows lines past csv's field limit
    path = tmp_path / "runaway.csv"
    path.write_text(f'Model,Publication date\nA,2020-01-01\nB,"{runaway}\nC,2021-01-01\n')
    result = list(read(path))
    assert (result[1].line, result[1].skipped) == (
        3,
        "not a CSV record: field larger than field limit (131072)",
    )
    assert (result[-1].line, result[-1].name, result[-1].skipped) == (153, "C", None)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("Language", ["nlp"]),
        ("VIsion,Drawing,Text-to-Video", ["cv"]),
        ("Audio,Speech", ["speech"]),
        ("Medicine,Earth science,Search,Driving", ["biology", "science", "recommendation", "robotics"]),
        ("Reading", ["other"]),
        ("", ["other"]),
    ],
)
def test_domains(tmp_path: Path, domain: str, expected: list[str]) -> None:
    (row,) = read(write(tmp_path, ["Model", "Domain", "Publication date"], ["M", domain, "2020-01-01"]))
    assert row.model is not None and row.model.domains == expected


def test_cells_written_by_hand(tmp_path: Path) -> None:
    header = ["Model", "Organization", "Organization categorization", "Publication date", "Link"]
    header += ["Parameters", "Parameters notes"]
    orgs = "Stanford University,SambaNova Systems, Inc,Peking University"
    link = "https://falconllm.tii.ae/falcon-180b.html; https://arxiv.org/abs/2311.16867"
    (row,) = read(write(tmp_path, header, ["M", orgs, "Academia", "2023-09-06", link, "1e9", "n" * 900]))
    assert [o.name for o in row.organizations] == [
        "Stanford University",
        "SambaNova Systems, Inc",
        "Peking University",
    ]
    assert {o.kind for o in row.organizations} == {None}  # one kind for three organizations
    assert row.model is not None and row.model.parameters is not None
    assert row.model.sources[0].url == "https://falconllm.tii.ae/falcon-180b.html"
    assert row.model.papers[0].arxiv == "2311.16867"
    note = row.model.parameters.note or ""
    assert len(note) == 500 and note.endswith("…")


def test_header_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffModel,Publication date\nGPT-2,2019-02-14\n".encode())
    (row,) = read(path)
    assert row.model is not None and str(row.model.released) == "2019-02-14"


def test_streams_and_reports_progress(tmp_path: Path) -> None:
    assert inspect.isgenerator(read(tmp_path / "absent.csv"))  # nothing is opened before iteration
    with pytest.raises(InputError, match="cannot read"):
        next(read(tmp_path / "absent.csv"))
    path = FIXTURES / "all_ai_models.csv"
    seen: list[int] = []
    assert len(list(read(path, seen.append))) == 4
    assert seen and seen[-1] == path.stat().st_size


# --- the real exports, whole -----------------------------------------------------------------------


@pytest.mark.skipif(not REAL.exists(), reason="the Epoch AI exports are in /work/shared/data/epoch")
@pytest.mark.parametrize(
    ("export", "records"),
    [
        ("notable_ai_models.csv", 1036),
        ("all_ai_models.csv", 2228),
        ("frontier_ai_models.csv", 131),
        ("large_scale_ai_models.csv", 485),
        ("pcd_all_ml_systems_2023.csv", 534),
    ],
)
def test_real_exports(export: str, records: int) -> None:
    result = list(read(REAL / export))
    assert len(result) == records
    skipped = [row.skipped or "" for row in result if row.model is None]
    assert all(why == "no model name" or why.startswith("duplicate of line") for why in skipped)
    named = sum(1 for row in result if row.name)
    assert len(result) - len(skipped) >= 0.98 * named  # the rest are repeated names


def test_notability_criteria_are_epochs_judgement() -> None:
    """The ``Notability criteria`` cell, split on commas, is Epoch AI's judgement; an empty cell (most of
    the all-models export) and an export without the column (large-scale) judge nothing."""
    notable = rows("notable_ai_models.csv")
    (palm,) = notable["PaLM (540B)"].model.notability  # type: ignore[union-attr]
    assert (palm.by, palm.criteria, palm.source) == (
        "Epoch AI",
        ["Highly cited", "SOTA improvement", "Training cost"],
        "epoch",
    )
    every = rows("all_ai_models.csv")
    assert [n.criteria for n in every["GPT-3 175B (davinci)"].model.notability] == [  # type: ignore[union-attr]
        ["Highly cited", "Training cost"]
    ]
    assert every["Janus-Pro-7B"].model.notability == []  # type: ignore[union-attr]
    assert all(r.model.notability == [] for r in rows("large_scale_ai_models.csv").values())  # type: ignore[union-attr]


def test_columns_are_found_whatever_their_case_row_after_row(tmp_path: Path) -> None:
    """The reader remembers where each column is after the first row (``_Row.find``): the header's case
    does not matter, a column the header lacks stays empty, and the value is still read from each row,
    falling back to the next name when the first column is empty in that row only."""
    header = ["MODEL", "publication DATE", "Training compute (FLOP)", "training COMPUTE (flops)"]
    path = write(tmp_path, header, ["A", "2020-01-01", "1e20", ""], ["B", "2021-02-03", "", "3e21"])
    path.write_text(path.read_text() + "C,2022-03-04,,\n")
    a, b, c = read(path)
    computes = [
        [(e.field, e.value) for e in row.model.estimates] if row.model is not None else None
        for row in (a, b, c)
    ]
    assert computes == [[("training.compute_flop", 1e20)], [("training.compute_flop", 3e21)], []]
    assert [str(row.model.released) if row.model else None for row in (a, b, c)] == [
        "2020-01-01",
        "2021-02-03",
        "2022-03-04",
    ]
    assert [row.model.parameters if row.model else 0 for row in (a, b, c)] == [None, None, None]


def test_the_source_names_exactly_the_fields_the_row_fills(tmp_path: Path) -> None:
    """``build_model`` validates a row once and names the fields its one source backs on that record:
    stated facts only (estimates and notes are not fields), each ``training`` sub-field on its own."""
    header = ["Model", "Domain", "Publication date", "Parameters", "Training compute (FLOP)"]
    header += [
        "Training dataset",
        "Training dataset size (total)",
        "Dataset size notes",
        "Model accessibility",
    ]
    cells = ["M 7B", "Language", "2023-05-09", "7e9", "1e23", "The Pile", "3e11", "300B tokens", "API access"]
    (row,) = read(write(tmp_path, header, cells))
    assert row.model is not None
    (source,) = row.model.sources
    assert source.fields == ["openness", "parameters", "released", "training.dataset", "training.tokens"]
    assert "fields" in source.model_fields_set
    assert row.model == Model.model_validate(row.model.model_dump())  # the record is a valid one as it is


# --- the notes' words ------------------------------------------------------------------------------

#: The regexes the notes were searched with before ``_Words``: its answers must be theirs.
RUMOUR = re.compile(r"rumou?r|leak|hearsay|unconfirmed", re.IGNORECASE)
GUESS = re.compile(r"speculat|guess|assum|estimat|reportedly|extrapolat", re.IGNORECASE)
#: Pieces of notes: the words in several cases and cut short, letters that fold to ASCII ones under
#: IGNORECASE (the long s, the Kelvin sign, the dotted and dotless i), other characters.
NOTE_PIECES = ["RumOur", "rumor", "rumo", "LEAK", "Leak", "hear", "say", "unconfirmed", "Unconfirmed",
               "speculat", "GUESS", "assum", "Estimat", "reportedly", "extrapolat", "ſ", "K", "İ", "ı",
               "é", "传闻", " ", "6", "a", "r", "u", "o", "s", "k", "e", "l"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(NOTE_PIECES), max_size=12).map("".join))
def test_notes_words_are_found_as_the_regex_finds_them(note: str) -> None:
    assert epoch._RUMOUR.search(note) == bool(RUMOUR.search(note))
    assert epoch._GUESS.search(note) == bool(GUESS.search(note))


def test_notes_words_in_plain_and_other_text() -> None:
    assert epoch._RUMOUR.search("Rumoured to be 1.8T") and epoch._RUMOUR.search("per a LEAKED memo")
    assert not epoch._RUMOUR.search("stated in the paper") and not epoch._RUMOUR.search("")
    assert epoch._GUESS.search("Our ESTIMATE") and not epoch._GUESS.search("6ND with 2T tokens")
    assert epoch._RUMOUR.search("据报道 unconfirmed") and not epoch._RUMOUR.search("据报道 confirmed")
    assert epoch._GUESS.search("aſſumed") == bool(GUESS.search("aſſumed"))  # the regex decides


@pytest.mark.parametrize(
    ("notes", "method"),
    [
        ("6ND = 6 * 7e9 * 2e12", "6ND"),
        ("6 x 70B params x 1.4T tokens", "6ND"),
        ("6 FLOPs / parameter / token", "6ND"),
        ("Rumoured: 6ND with 13T tokens", "rumour"),
        ("from the hardware: 2048 A100s for 21 days", "Epoch AI's calculation"),
        ("16ND", "Epoch AI's calculation"),  # not a 6 on its own
        ("", "Epoch AI's calculation"),
    ],
)
def test_a_compute_estimates_method_is_what_its_notes_show(tmp_path: Path, notes: str, method: str) -> None:
    header = ["Model", "Publication date", "Training compute (FLOP)", "Training compute notes"]
    (row,) = read(write(tmp_path, header, ["M", "2023-01-01", "8.4e22", notes]))
    assert row.model is not None
    assert [(e.field, e.method) for e in row.model.estimates] == [("training.compute_flop", method)]
