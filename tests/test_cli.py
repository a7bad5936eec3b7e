"""The command line: formats that pipe, one-line errors with the right exit codes, help for everything."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cli_runner import run
from modelatlas.cli import app
from modelatlas.store.engine import DAMAGED, sqlite_path

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)  # type: ignore[union-attr]


@pytest.fixture
def built(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setenv("MODELATLAS_DB", sqlite_url)
    monkeypatch.setenv("MODELATLAS_CATALOG", str(tiny_catalog))
    code, _, err = run(capsys, "build")
    assert code == 0, err
    assert "6 models" in err
    return sqlite_url


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert COMMANDS == [
        *(
            "accept",
            "build",
            "check",
            "compare",
            "conflicts",
            "ecosystem",
            "export",
            "fit",
            "gpus",
            "import",
            "list",
        ),
        "memory",
        "new",
        *(
            "overview",
            "reject",
            "report",
            "review",
            "search",
            "serve",
            "show",
            "sync",
            "trending",
            "trends",
            "validate",
        ),
    ]
    for command in COMMANDS:
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "Usage" in out and len(out.splitlines()) > 5, command


def test_list_formats_pipe(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, _ = run(capsys, "list", "--base", "LLaMa", "--format", "json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == ["freedomgpt", "vicuna", "alpaca"]
    _, out, _ = run(capsys, "list", "--min-params", "62亿", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["vicuna", "alpaca", "llama", "zidong-taichu"]
    assert rows[1]["parameters"] == "7000000000"
    _, out, _ = run(capsys, "list", "--domain", "cv", "-f", "markdown", "--lang", "zh")
    assert out.splitlines()[0].startswith("| id | 名称 |")
    assert "| stable-diffusion | Stable Diffusion |" in out
    _, out, _ = run(capsys, "list", "--open")
    assert "vicuna" in out and "llama" not in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["list", "--min-params", "lots"], "--min-params: not a count: 'lots'"),
        (["list", "--domain", "audio"], "--domain: 'audio' is not one of nlp, cv, multimodal"),
        (["list", "--released-after", "March"], "--released-after: 'March' is not a date"),
        (["list", "--limit", "0"], "Invalid value for '--limit'"),
        (["list", "--bogus"], "No such option: --bogus"),
        (["compare", "llama"], "compare takes 2 to 6 models, got 1"),
        (["show"], "Missing argument"),
        (["list", "--lang", "fr"], "'fr' is not a language"),
    ],
)
def test_bad_arguments_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], built: str, argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: ") and needle in err


def test_show_resolves_aliases_in_both_languages(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, _ = run(capsys, "show", "紫东太初", "--lang", "zh")
    assert (
        code == 0
        and "Zidong Taichu" in out
        and "中科院自动化所的千亿参数多模态大模型" in out
        and "机构" in out
    )
    _, out, _ = run(capsys, "show", "alpaca", "--lang", "en")
    assert "Built on (lineage up)" in out and "LLaMA (instruction-tune)" in out
    assert "FreedomGPT (fine-tune)" in out and "2023-03-28" in out
    _, out, _ = run(capsys, "show", "llama-7b", "-f", "json")
    data = json.loads(out)
    assert data["id"] == "llama" and [d["model"] for d in data["lineage"]["down"]] == [
        "alpaca",
        "freedomgpt",
        "vicuna",
    ]


def test_show_unknown_model(capsys: pytest.CaptureFixture[str], built: str) -> None:
    code, out, err = run(capsys, "show", "gpt-5")
    assert code == 1 and out == ""
    assert err.startswith("Error: no model called 'gpt-5'")


def test_search_and_compare(capsys: pytest.CaptureFixture[str], built: str) -> None:
    _, out, _ = run(capsys, "search", "Llama", "-f", "json")
    assert json.loads(out)[0]["id"] == "llama"
    code, _, err = run(capsys, "search", "zzzzqq")
    assert code == 1 and "no model matches" in err
    _, out, _ = run(capsys, "compare", "llama", "alpaca", "vicuna", "-f", "json")
    rows = {r["field"]: r["values"] for r in json.loads(out)["rows"]}
    assert rows["Training cost"] == ["1,022,362 GPU-h", "$600", "$300"]
    assert rows["Based on"] == ["", "llama", "llama"]
    _, out, _ = run(capsys, "compare", "llama", "alpaca", "-f", "markdown", "--lang", "zh")
    assert out.splitlines()[0] == "|  | LLaMA | Alpaca |"


def test_overview_json(capsys: pytest.CaptureFixture[str], built: str) -> None:
    _, out, _ = run(capsys, "overview", "-f", "json")
    data = json.loads(out)
    assert data["total"] == 6 and data["by_domain"] == {"cv": 1, "multimodal": 1, "nlp": 4}


def test_query_before_build(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "list", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "run `modelatlas build` first" in err


def test_validate_and_failed_build_keep_store(
    capsys: pytest.CaptureFixture[str], built: str, tiny_catalog: Path
) -> None:
    store = sqlite_path(built)
    assert store is not None
    before = store.read_bytes()
    (tiny_catalog / "models" / "vicuna.yaml").write_text("id: vicuna\nname: Vicuna\nparamters: 13B\n")
    code, out, err = run(capsys, "validate")
    assert code == 1
    assert "models/vicuna.yaml:3: paramters: unknown field" in out
    assert "3 problem(s) in 1 file(s)" in err
    code, _, err = run(capsys, "build")
    assert code == 1 and "catalog has 3 problems" in err
    assert store.read_bytes() == before


def test_new_lists_what_entered_the_atlas_since_a_date(
    capsys: pytest.CaptureFixture[str], built: str
) -> None:
    """A model enters the atlas with its first source: alpaca and freedomgpt (2023-04-24, seed 001),
    zidong-taichu (2023-06-16), llama and vicuna (2026-11-23); stable-diffusion (2023-03-22) is older."""
    code, out, err = run(capsys, "new", "--since", "2023-04", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["id"], r["added"]) for r in rows] == [
        ("vicuna", "2026-11-23"),
        ("llama", "2026-11-23"),
        ("zidong-taichu", "2023-06-16"),
        ("freedomgpt", "2023-04-24"),
        ("alpaca", "2023-04-24"),
    ]
    code, out, _ = run(capsys, "new", "--since", "2026-11-24", "--format", "csv")
    assert code == 0 and out.strip() == "id,name,organizations,domains,parameters,released,openness,added"
    code, out, _ = run(capsys, "new", "--since", "2023", "--domain", "cv", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == ["stable-diffusion"]
    code, out, _ = run(capsys, "new", "--since", "2023", "--limit", "2", "--lang", "zh")
    assert "收录于" in out and out.count("2026-11-23") == 2
    code, _, err = run(capsys, "new", "--since", "last week")
    assert code == 2 and "--since 'last week' is not a date" in err


def test_hostile_invocations_end_in_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: each of these was a traceback, or left an empty store file at a mistyped path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODELATLAS_DB", str(tmp_path / "default.db"))
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    cases = [
        (("memory", "deep.json"), "deep.json: nested too deeply to be a config.json"),
        (("list", "--db", "://"), "'://' is not a database URL"),
        (("show", "llama", "--db", str(tmp_path / "typo.db")), "no store at"),
        (("list", "--db", str(tmp_path / "no" / "dir.db")), "no store at"),
        (("import", "epoch", "loop1", "--db", str(tmp_path / "s.db")), "loop1: no such file or directory"),
    ]
    if Path("/proc/self/mem").exists():
        cases.append(
            (("import", "epoch", "/proc/self/mem", "--db", str(tmp_path / "s.db")), "cannot be read")
        )
    for argv, needle in cases:
        code, _, err = run(capsys, *argv)
        assert code == 1 and err.startswith("Error: ") and needle in err, (argv, err)
        assert len(err.strip().splitlines()) == 1, (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep.json", "loop1", "loop2"]


@pytest.mark.parametrize("damage", ["not a database", "malformed"])
def test_a_file_that_is_no_store_says_what_to_do_in_one_line_and_is_left_as_it_was(
    capsys: pytest.CaptureFixture[str], built: str, tmp_path: Path, damage: str
) -> None:
    """A file that is not a SQLite database, or a store whose first page is damaged: every command that
    reads the store, and the build and import that would replace it, say so in one line (the driver's
    words, not SQLAlchemy's three lines with the statement) with what to do, exit 1 and leave it."""
    path = sqlite_path(built)
    assert path is not None
    if damage == "not a database":
        path.write_bytes(b"garbage " * 2000)
        words = "file is not a database"
    else:
        with path.open("r+b") as handle:  # the schema page's header: the file opens, its tables do not
            handle.seek(100)
            handle.write(b"\xff" * 12)
        words = "database disk image is malformed"
    before = path.read_bytes()
    epoch = Path(__file__).parent / "fixtures" / "epoch" / "notable_ai_models_2026-07.csv"
    commands = [
        (("list",), "cannot open the store at"),
        (("show", "llama"), "cannot open the store at"),
        (("build",), "cannot read the imports of the store at"),
        (("import", "epoch", str(epoch)), "cannot read the imports of the store at"),
    ]
    for argv, doing in commands:
        code, _, err = run(capsys, *argv)
        assert code == 1, (argv, err)
        assert err == f"Error: {doing} {built}: {words} ({DAMAGED})\n", (argv, err)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)) == [
        path.name,
        f"{path.name}.lock",
    ]
