"""`modelatlas check`: the catalog, an input file and the store, exit codes, formats and bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import run
from tests.conftest import FIXTURES

SEED_004 = FIXTURES / "seeds" / "004_9af41147fb1b55ff.txt"


def test_the_bundled_catalog_has_no_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--fail-on", "error", "--show", "error")
    assert code == 0, err
    assert "records checked: 0 errors" in err


def test_a_wrong_date_in_the_catalog_fails_and_is_located(
    capsys: pytest.CaptureFixture[str], tiny_catalog: Path
) -> None:
    path = tiny_catalog / "models" / "llama.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("released: 2023-02-24", "released: 2031-02-24"), encoding="utf-8")
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if row.startswith("released:"))
    code, out, err = run(capsys, "check", "--catalog", str(tiny_catalog))
    assert code == 1
    assert (
        f"llama.yaml:{line}: error [dates.future] llama.released: released 2031-02-24 is in the future" in out
    )
    assert "dates.future: 1" in err
    # the derivatives now come before their base: the lineage check says so too
    assert "[dates.lineage]" in out
    code, _, _ = run(capsys, "check", "--catalog", str(tiny_catalog), "--fail-on", "never")
    assert code == 0


def test_input_rows_are_checked_at_their_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "check", "--input", f"paper-table:{SEED_004}", "--only", "dates", "--format", "json"
    )
    assert code == 1
    findings = json.loads(out)
    coatnet = [f for f in findings if f["model"] == "coatnet" and f["check"] == "dates.arxiv"]
    assert [f["severity"] for f in coatnet] == ["error"]
    assert coatnet[0]["location"].endswith("004_9af41147fb1b55ff.txt:68")
    assert coatnet[0]["origin"] == "paper-table:004_9af41147fb1b55ff.txt"
    assert "2106.04803 encodes 2021-06" in coatnet[0]["evidence"]


def test_list_names_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--list", "--format", "csv")
    assert code == 0
    assert "dates.arxiv,warning," in out and "schema.valid,error," in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--only", "nonsense"), "no check named 'nonsense'"),
        (("--input", "csv-ish:x.csv"), "write FORMAT:PATH"),
        (("--input", "epoch:/no/such/file.csv"), "file.csv: cannot read: No such file"),
        (("--stale-after", "soon"), "is not a duration"),
        (("--input", f"epoch:{FIXTURES / 'epoch' / 'missing_columns.csv'}"), "missing column(s) 'Model'"),
        (("--input", f"epoch:{FIXTURES / 'epoch' / 'bad_encoding_gbk.csv'}"), ":3: not UTF-8 text"),
    ],
)
def test_bad_arguments_fail_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, "check", *argv)
    assert code in (1, 2)
    assert message in err and err.count("\n") == 1 and out == ""


def test_store_mode_checks_imported_models(
    capsys: pytest.CaptureFixture[str], tiny_catalog: Path, sqlite_url: str
) -> None:
    code, _, err = run(capsys, "check", "--store", "--db", sqlite_url, "--catalog", str(tiny_catalog))
    assert code == 1 and "no store" in err.lower()
    assert run(capsys, "build", "--db", sqlite_url, "--catalog", str(tiny_catalog))[0] == 0
    assert (
        run(
            capsys, "import", "paper-table", str(SEED_004), "--db", sqlite_url, "--catalog", str(tiny_catalog)
        )[0]
        == 0
    )
    code, out, err = run(
        capsys, "check", "--store", "--db", sqlite_url, "--catalog", str(tiny_catalog), "--format", "json"
    )
    findings = json.loads(out)
    coatnet = [f for f in findings if f["model"] == "coatnet" and f["check"] == "dates.arxiv"]
    assert coatnet and coatnet[0]["origin"] == "paper-table:004_9af41147fb1b55ff.txt"
    assert code == 1


def test_a_directory_input_locates_each_row_in_its_own_file(capsys: pytest.CaptureFixture[str]) -> None:
    family = FIXTURES / "ecosystem" / "family"
    code, out, _ = run(
        capsys, "check", "--input", f"ecosystem-graphs:{family}", "--only", "licenses", "-f", "json"
    )
    assert code == 0
    places = {f["location"].rsplit("/", 1)[-1] for f in json.loads(out)}
    assert places and all(place.startswith("ai2.yaml:") for place in places), places
