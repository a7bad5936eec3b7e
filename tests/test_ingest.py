"""`modelatlas import` end to end: merge into the bundled catalog, reports, conflicts, round trip, bad input.

Every import here rebuilds a real store; the failure cases check that nothing already stored is lost.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli_runner import run
from modelatlas.catalog.validate import validate_catalog
from modelatlas.files import write_atomic
from modelatlas.store import tables as T
from modelatlas.store.engine import make_engine, sqlite_path

FIXTURES = Path(__file__).parent / "fixtures"
SEED_004 = FIXTURES / "seeds" / "004_9af41147fb1b55ff.txt"
SEED_000 = FIXTURES / "seeds" / "000_16e93d9b45c0ff17.txt"
CATALOG = Path(__file__).resolve().parents[1] / "catalog"
#: How many models the bundled catalog curates (it grows; the tests count relative to it).
CURATED = len(list((CATALOG / "models").glob("*.yaml")))


def report(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.execute(select(func.count()).select_from(T.metadata.tables[table])).scalar_one()
    engine.dispose()
    return int(value)


def digest(url: str) -> str:
    path = sqlite_path(url)
    assert path is not None
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(capsys: pytest.CaptureFixture[str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store built from the bundled catalog alone (its CURATED models, without its bundled datasets)."""
    monkeypatch.setenv("MODELATLAS_DB", sqlite_url)
    monkeypatch.delenv("MODELATLAS_CATALOG", raising=False)
    code, _, err = run(capsys, "build", "--curated-only")
    assert code == 0, err
    return sqlite_url


@pytest.fixture
def own_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled catalog that the commands use: ``--write-catalog`` writes into it."""
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    monkeypatch.setenv("MODELATLAS_CATALOG", str(catalog))
    return catalog


def test_a_long_report_table_is_cut_and_says_so_while_csv_gives_every_row(
    capsys: pytest.CaptureFixture[str], store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelatlas.cli import import_cmds

    monkeypatch.setattr(import_cmds, "REPORT_ROWS", 5)
    code, out, err = run(capsys, "import", "paper-table", str(SEED_004))
    assert code == 0, err
    assert "the first 5 of 62 rows shown; --format csv or json gives them all" in err
    shown = [line for line in out.splitlines() if re.match(r"│ \d+ ", line)]  # a row's first line
    assert len(shown) == 5
    code, out, _ = run(capsys, "import", "paper-table", str(SEED_004), "--format", "csv")
    assert len(report(out)) == 62
    monkeypatch.setattr(import_cmds, "REPORT_ROWS", 62)
    code, out, err = run(capsys, "import", "paper-table", str(SEED_004))
    assert "rows shown" not in err


def test_the_report_as_json_has_every_row_and_changes_only_drops_the_unchanged(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """The report's rows are made as they are printed (issue 18): the same rows, keys and values in
    every format, and ``--changes-only`` leaves out exactly the rows that brought nothing new."""
    code, out, err = run(capsys, "import", "paper-table", str(SEED_004), "--format", "csv")
    assert code == 0, err
    rows = report(out)
    code, out, _ = run(capsys, "import", "paper-table", str(SEED_004), "--format", "json")
    every = json.loads(out)
    assert len(every) == 62
    assert list(every[0]) == ["line", "name", "action", "model_id", "matched_by", "detail"]
    assert [(str(r["line"]), r["action"], r["model_id"]) for r in every] == [
        (r["line"], r["action"], r["model_id"])
        for r in rows  # csv quotes a detail starting "+"
    ]
    code, out, _ = run(capsys, "import", "paper-table", str(SEED_004), "--format", "json", "--changes-only")
    changed = json.loads(out)
    unchanged = [r for r in every if r["detail"] == "nothing new" or r["action"] == "skipped"]
    assert unchanged and changed == [r for r in every if r not in unchanged]


def test_seed_004_every_model_matched_exactly_once(capsys: pytest.CaptureFixture[str], store: str) -> None:
    models_before = count(store, "models")
    code, out, err = run(capsys, "import", "paper-table", str(SEED_004), "--format", "csv")
    assert code == 0, err
    rows = report(out)
    assert len(rows) == 62
    assert {r["action"] for r in rows} <= {"merged", "conflict"}  # every row found its catalog model
    assert count(store, "models") == models_before  # no duplicates
    by_name = {r["name"]: r for r in rows}
    assert by_name["紫东太初"]["model_id"] == "zidong-taichu"
    assert "repaired mis-encoded text 'Á¥´‰∏úÂ§™Âàù' → '紫东太初'" in by_name["紫东太初"]["detail"]
    assert by_name["盘古"]["model_id"] == by_name["PanGu-α"]["model_id"] == "pangu-alpha"
    assert by_name["LLaMa"]["model_id"] == "llama"
    assert by_name["GPT-NeoX"]["model_id"] == "gpt-neox-20b"
    assert by_name["CoAtNet"]["action"] == "merged"  # its wrong year is a dispute the catalog records
    assert "released 2012 is already disputed in the catalog" in by_name["CoAtNet"]["detail"]
    assert by_name["LaMDA"]["action"] == "conflict"  # the seed's 2022 is the paper's year
    assert "released (2022 vs 2021-05-18)" in by_name["LaMDA"]["detail"]
    assert "is V-MoE's; left out" in by_name["GPT"]["detail"]
    assert "62 rows: 0 new" in err


def test_conflicts_are_listed_with_their_source(capsys: pytest.CaptureFixture[str], store: str) -> None:
    run(capsys, "import", "paper-table", str(SEED_004), "--format", "csv")
    code, out, _ = run(capsys, "conflicts", "--model", "lamda", "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert [(c["field"], c["kept"], c["other"]) for c in found] == [("released", "2021-05-18", "2022")]
    assert found[0]["origin"] == "paper-table:004_9af41147fb1b55ff.txt:28"
    code, out, _ = run(capsys, "conflicts", "--origin", "catalog", "--model", "coatnet", "--format", "json")
    assert [(c["field"], c["other"]) for c in json.loads(out)] == [("released", "2012")]
    code, out, _ = run(capsys, "show", "lamda", "--format", "json")
    disputes = json.loads(out)["disputes"]
    assert {"field": "released", "value": "2022"}.items() <= disputes[-1].items()


def test_build_keeps_earlier_imports(capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path) -> None:
    listing = tmp_path / "new-models.md"
    listing.write_text(
        "# Models for NLP\n\n| Year | Model Name | Paper |\n|---|---|---|\n"
        "| 2024 | Zephyr-Test-7B | [link](https://arxiv.org/abs/2310.16944) |\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import", "paper-table", str(listing), "--format", "csv")
    assert code == 0, err
    assert report(out)[0]["action"] == "new"
    assert count(store, "models") == CURATED + 1
    code, _, err = run(capsys, "build", "--curated-only")
    assert code == 0, err
    assert f"{CURATED + 1} models" in err and "1 of the models from earlier imports" in err
    code, out, _ = run(capsys, "show", "Zephyr-Test-7B", "--format", "json")
    assert code == 0
    assert json.loads(out)["papers"][0]["arxiv"] == "2310.16944"
    code, out, err = run(capsys, "import", "paper-table", str(listing), "--format", "csv")
    assert report(out)[0]["action"] == "new"  # importing the same file again replaces it
    assert count(store, "models") == CURATED + 1 and count(store, "imports") == 1


def test_round_trip_paper_table(capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path) -> None:
    run(capsys, "import", "paper-table", str(SEED_004), "--format", "csv")
    code, first, _ = run(capsys, "export", "jsonl")
    assert code == 0
    exported = tmp_path / "papers.md"
    code, _, err = run(capsys, "export", "paper-table", "-o", str(exported))
    assert code == 0, err
    code, out, err = run(capsys, "import", "paper-table", str(exported), "--format", "csv")
    assert code == 0, err
    rows = report(out)
    assert len(rows) == CURATED and {r["action"] for r in rows} == {"merged"}
    assert {r["detail"] for r in rows} == {"nothing new"}
    code, second, _ = run(capsys, "export", "jsonl")
    assert second == first  # the same store


def test_dry_run_writes_nothing_and_prints_the_diff(capsys: pytest.CaptureFixture[str], store: str) -> None:
    before = digest(store)
    code, out, err = run(capsys, "import", "seed-sections", str(SEED_000), "--dry-run", "--format", "csv")
    assert code == 0, err
    assert digest(store) == before
    assert "nothing written (dry run)" in err
    assert "+++ b/models/moss.yaml" in out
    assert "+  - {date: '2023-03-22'" in out  # MOSS's dated note from seed 000


def test_write_catalog_writes_valid_yaml(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path, own_catalog: Path
) -> None:
    catalog = own_catalog
    listing = tmp_path / "list.md"
    listing.write_text(
        "## Huge Models for CV\n\n| Year | Model | Institute | Code |\n|---|---|---|---|\n"
        "| 2024 | Imaginary-ViT-2B | Tsinghua University, New Lab | [link](https://github.com/x/img) |\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import", "paper-table", str(listing), "--write-catalog", "--format", "csv")
    assert code == 0, err
    written = catalog / "models" / "imaginary-vit-2b.yaml"
    text = written.read_text(encoding="utf-8")
    assert "organizations: [tsinghua, new-lab]" in text and "domains: [cv]" in text
    assert "- {id: new-lab, name: New Lab}" in (catalog / "organizations.yaml").read_text(encoding="utf-8")
    result = validate_catalog(catalog)
    assert result.problems == []
    assert len(result.models) == CURATED + 1


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        ("epoch", "missing_columns.csv", "missing column"),
        ("epoch", "bad_encoding_gbk.csv", "not UTF-8"),
        ("epoch", "empty.csv", "empty"),
    ],
)
def test_bad_file_changes_nothing(
    capsys: pytest.CaptureFixture[str], store: str, fmt: str, name: str, message: str
) -> None:
    run(capsys, "import", "paper-table", str(SEED_004), "--format", "csv")
    before = digest(store)
    code, out, err = run(capsys, "import", fmt, str(FIXTURES / "epoch" / name))
    assert code == 1
    assert err.startswith(f"Error: {FIXTURES / 'epoch' / name}:") and message in err
    assert len(err.strip().splitlines()) == 1
    assert digest(store) == before


def test_bad_rows_are_reported_and_the_rest_imports(capsys: pytest.CaptureFixture[str], store: str) -> None:
    for name, expected in (
        ("truncated.csv", "skipped"),
        ("duplicates.csv", "skipped"),
        ("non_numeric.csv", ""),
    ):
        code, out, err = run(capsys, "import", "epoch", str(FIXTURES / "epoch" / name), "--format", "csv")
        assert code == 0, err
        rows = report(out)
        assert any(r["action"] != "skipped" for r in rows)
        if expected:
            assert any(r["action"] == expected for r in rows)
    assert count(store, "imports") == 3


def test_fifty_megabyte_file(capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path) -> None:
    """A 50 MB CSV whose one record is a giant cell: skipped with a reason, the other rows imported."""
    columns = "Model,Organization,Publication date,Domain,Parameters"
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write(columns + "\nGPT-2,OpenAI,2019-02-14,Language,1500000000\n")
        handle.write('"Huge model",OpenAI,2020-01-01,Language,"' + "9" * (50 * 1024 * 1024) + '"\n')
        handle.write("Tiny-Test-LM,Nowhere Lab,2024-05-01,Language,1000000\n")
    assert big.stat().st_size > 50 * 1024 * 1024
    code, out, err = run(capsys, "import", "epoch", str(big), "--format", "csv", "--db", store)
    assert code == 0, err
    rows = report(out)
    assert [(r["line"], r["action"]) for r in rows] == [("2", "merged"), ("3", "skipped"), ("4", "new")]
    assert rows[1]["detail"]


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str], store: str) -> None:
    code, _, err = run(capsys, "import", "docx", str(SEED_004))
    assert code == 2
    assert err.startswith("Error: Invalid value for 'FORMAT'") and len(err.strip().splitlines()) == 1


def test_import_on_every_backend(
    capsys: pytest.CaptureFixture[str], store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELATLAS_DB", store_url)
    monkeypatch.delenv("MODELATLAS_CATALOG", raising=False)
    assert run(capsys, "build", "--curated-only")[0] == 0
    code, _, err = run(capsys, "import", "paper-table", str(SEED_004))
    assert code == 0, err
    assert count(store_url, "import_rows") == 62
    assert count(store_url, "conflicts") >= 3
    assert run(capsys, "build", "--curated-only")[0] == 0  # the rebuild carries the import over
    assert count(store_url, "import_rows") == 62 and count(store_url, "models") == CURATED


def test_family_members_are_not_conflicts_of_their_namesakes(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """Rows that cite a family's shared paper (Falcon-180B, Code Tulu 2, Flan-UL2, mT0) become models of
    their own; only the genuine disagreements are listed by `conflicts`."""
    family = FIXTURES / "ecosystem" / "family"
    code, out, err = run(capsys, "import", "ecosystem-graphs", str(family), "--format", "csv")
    assert code == 0, err
    by_name = {r["name"]: r for r in report(out)}
    assert by_name["Falcon-180B"]["model_id"] == "falcon-180b"
    assert by_name["Flan-UL2"]["model_id"] == "flan-ul2"
    code, out, _ = run(capsys, "conflicts", "--origin", "ecosystem", "--format", "json")
    assert code == 0
    found = {(c["model_id"], c["field"], c["kept"], c["other"]) for c in json.loads(out)}
    sizes_and_dates = {c for c in found if c[1] in ("parameters", "released")}
    assert sizes_and_dates == {
        ("ernie-vilg-2", "parameters", "24B", "10B"),
        ("megatron-lm", "parameters", "8.3B", "1T"),
        ("megatron-lm", "released", "2019-08-13", "2021-04-09"),
    }
    code, out, _ = run(capsys, "show", "falcon-180b", "--format", "json")
    assert json.loads(out)["parameters"]["total"] == 180_000_000_000


def test_a_file_with_nothing_to_import_keeps_its_earlier_import(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    """Issue 19: an Epoch file cut to its header replaced its earlier import (217 → 106 models), exit 0."""
    full = FIXTURES / "epoch" / "merge_notable.csv"
    cut = tmp_path / full.name
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    code, _, err = run(capsys, "import", "epoch", str(full), "--format", "csv")
    assert code == 0, err
    before = digest(store)
    header, first = lines[0], lines[1]
    for content, needle in (
        (header, "no epoch rows in it (a header alone, or a file in another format)"),
        (header + first.split(",")[0] + "\n", "none of its 1 rows can be imported (line 2: "),
    ):
        cut.write_text(content, encoding="utf-8")
        code, out, err = run(capsys, "import", "epoch", str(cut))
        assert code == 1, out
        assert err.startswith(f"Error: {cut}:") and needle in err and "the store is unchanged" in err
        assert digest(store) == before
    cut.write_text(header + first, encoding="utf-8")  # one good row: imported, and it replaces the file
    code, out, err = run(capsys, "import", "epoch", str(cut), "--format", "csv")
    assert code == 0 and len(report(out)) == 1, err
    assert digest(store) != before


def test_a_file_in_another_format_changes_nothing(capsys: pytest.CaptureFixture[str], store: str) -> None:
    before = digest(store)
    code, _, err = run(capsys, "import", "paper-table", str(FIXTURES / "epoch" / "merge_notable.csv"))
    assert code == 1 and "no paper-table rows in it" in err
    assert digest(store) == before


def test_names_in_square_brackets_print_as_written(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    """Issue 19: Rich read names as markup: "Flux.1 [dev]" printed as "Flux.1", "[/bold]" crashed."""
    with (FIXTURES / "epoch" / "merge_notable.csv").open(encoding="utf-8", newline="") as handle:
        header, first, *_ = list(csv.reader(handle))
    names = ["Flux.1 [dev]", "Evil [/bold] model", "Linked [link=https://x.invalid]here[/link]"]
    rows = [[name if column == "Model" else value for column, value in zip(header, first, strict=True)]
            for name in names]  # fmt: skip
    source = tmp_path / "brackets.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    code, out, err = run(capsys, "import", "epoch", str(source))
    assert code == 0, err
    assert "[dev]" in out and "[/bold]" in out and "[link=https://x.invalid]" in out


def test_endless_or_huge_input_is_refused_without_reading_it_all(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    """Issue 19: /dev/zero or a 200 MB cell grew memory without bound."""
    before = digest(store)
    code, _, err = run(capsys, "import", "epoch", "/dev/zero")
    assert code == 1 and "Error: /dev/zero: is not a regular file" in err
    huge = tmp_path / "huge.csv"
    header = (FIXTURES / "epoch" / "merge_notable.csv").read_text(encoding="utf-8").splitlines()[0]
    huge.write_text(header + "\n" + "x" * (65 << 20) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "epoch", str(huge))
    assert code == 1 and f"Error: {huge}:2: a line longer than 67,108,864 bytes" in err
    assert digest(store) == before


@pytest.mark.parametrize("stop_after", [1, 2])  # of the 3 files: organizations, parent, child
def test_write_catalog_stopped_midway_leaves_a_valid_catalog(
    capsys: pytest.CaptureFixture[str],
    store: str,
    tmp_path: Path,
    own_catalog: Path,
    monkeypatch: pytest.MonkeyPatch,
    stop_after: int,
) -> None:
    """Issue 19: killed midway, --write-catalog left hundreds of problems (models naming organizations
    and bases not written yet). Organizations come first, then each model after those it names."""
    catalog = own_catalog
    source = tmp_path / "lab.csv"
    source.write_text(
        "Model,Organization,Publication date,Domain,Parameters,Base model\n"
        "Qux-Child-LM,Nowhere Lab Seven,2024-06-01,Language,7000000000,Qux-Parent-LM\n"
        "Qux-Parent-LM,Nowhere Lab Seven,2024-01-01,Language,7000000000,\n",
        encoding="utf-8",
    )
    import modelatlas.cli.import_cmds as commands

    done: list[Path] = []

    def killed_after(path: Path, data: bytes) -> None:
        if len(done) == stop_after:
            raise KeyboardInterrupt  # as a kill would stop it
        write_atomic(path, data)
        done.append(path)

    monkeypatch.setattr(commands, "write_atomic", killed_after)
    code, _, err = run(capsys, "import", "epoch", str(source), "--write-catalog", "--format", "csv")
    assert code != 0 and len(done) == stop_after, err
    assert done[0].name == "organizations.yaml"
    assert validate_catalog(catalog).problems == []


def test_write_catalog_leaves_out_a_model_whose_name_is_taken(
    capsys: pytest.CaptureFixture[str], store: str, own_catalog: Path
) -> None:
    """Issue 19: --write-catalog wrote a catalog validate rejects: the 2024 biology DDPM the merge keeps
    apart from the 2020 one, under the same name. It stays in the store; its file is not written."""
    catalog = own_catalog
    source = FIXTURES / "epoch" / "strangers_all.csv"
    code, out, err = run(capsys, "import", "epoch", str(source), "--write-catalog", "--format", "csv")
    assert code == 0, err
    assert {r["name"]: r["model_id"] for r in report(out)}["DDPM"] == "ddpm-2"
    assert "left out of the catalog: ddpm-2: its name 'DDPM' is ddpm's ('DDPM')" in err
    assert not (catalog / "models" / "ddpm-2.yaml").exists()
    assert validate_catalog(catalog).problems == []
    assert "ddpm-2" in {r[0] for r in _store_ids(store)}


def _store_ids(url: str) -> list[tuple[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(select(T.models.c.id))]
    engine.dispose()
    return found


def test_import_file_refuses_before_reading_with_exact_messages(sqlite_url: str, tmp_path: Path) -> None:
    """mutmut on sources.ingest: the library's own refusals (the CLI's typer checks come first there)."""
    from modelatlas.catalog.validate import load_valid_catalog
    from modelatlas.config import bundled_catalog
    from modelatlas.errors import BadArgument, InputError
    from modelatlas.sources.ingest import FORMAT_NAMES, import_file

    catalog = load_valid_catalog(bundled_catalog())
    with pytest.raises(BadArgument) as bad:
        import_file(catalog, sqlite_url, "docx", SEED_004)
    assert str(bad.value) == f"unknown import format 'docx': use one of {', '.join(FORMAT_NAMES)}"
    missing = tmp_path / "missing.csv"
    with pytest.raises(InputError) as gone:
        import_file(catalog, sqlite_url, "epoch", missing)
    assert str(gone.value) == f"{missing}: no such file or directory" and gone.value.line == 0
    with pytest.raises(InputError, match=r"is a directory; epoch imports one file$"):
        import_file(catalog, sqlite_url, "epoch", tmp_path)
    result = import_file(catalog, sqlite_url, "paper-table", SEED_004)  # not a dry run unless asked
    assert result is not None and count(sqlite_url, "import_rows") == 62


def test_import_file_reports_each_stage_with_its_steps(sqlite_url: str) -> None:
    """Issue 18: the merge (rows of every import, merged again) and the build (models) report progress,
    and the build's steps after the models (``STAGES``) are told as stages of no steps."""
    from modelatlas.catalog.validate import load_valid_catalog
    from modelatlas.config import bundled_catalog
    from modelatlas.sources.ingest import import_file

    catalog = load_valid_catalog(bundled_catalog())
    seen: dict[str, list[int]] = {}

    def stage(name: str, steps: int) -> Callable[[int], None]:
        seen[name] = [steps]
        return seen[name].append

    read: list[int] = []
    import_file(catalog, sqlite_url, "paper-table", SEED_000.with_name("003_e7c861412d09de26.txt"))
    result = import_file(catalog, sqlite_url, "paper-table", SEED_004, progress=read.append, stages=stage)
    assert list(seen) == ["merging", "writing", "indexing"]  # the views are not kept in the tests
    assert seen["indexing"] == [0]  # a step that counts nothing, told once the models are written
    merging, writing = seen["merging"], seen["writing"]
    assert merging == [13 + 62, 13, 75]  # seed 003's rows merged again, then seed 004's: each at its end
    assert writing[0] == CURATED == writing[-1] and writing[1:] == list(range(1, CURATED + 1))
    assert read[-1] == SEED_004.stat().st_size and result.build is not None
    dry: dict[str, list[int]] = {}
    import_file(
        catalog,
        sqlite_url,
        "paper-table",
        SEED_004,
        dry_run=True,
        stages=lambda n, s: dry.setdefault(n, []).append,
    )
    assert list(dry) == ["merging"]  # a dry run writes nothing


def test_the_merge_closes_its_matching_index_before_the_build(sqlite_url: str) -> None:
    """Issue 18: what only matching rows needs (the matcher's index on disk and its 16 MiB filter, the
    makers each list gave) is closed once every import is merged, and no model is held decoded; the
    merged models stay readable for the build and the report."""
    import sqlite3

    from modelatlas.catalog.validate import load_valid_catalog
    from modelatlas.config import bundled_catalog
    from modelatlas.sources.ingest import import_file

    catalog = load_valid_catalog(bundled_catalog())
    result = import_file(catalog, sqlite_url, "paper-table", SEED_004)
    merger = result.merger
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        merger.matcher.by_name("GPT-3")
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        merger._listed.get("paper-table:x", "gpt-3", "gpt3")
    assert merger._models._recent == {}  # no model held decoded: the build reads each from disk
    assert merger.model("gpt-3").name == "GPT-3"
    assert len(merger.catalog().models) == count(sqlite_url, "models")
