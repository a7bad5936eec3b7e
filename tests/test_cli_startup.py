"""Start-up: a command pays only for what it uses, so help and the light commands load no heavy library.

Each check runs in a fresh interpreter (``sys.modules`` of the test process already holds everything),
invokes the CLI there and lists the modules it ended up with.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

#: Libraries that only some commands need: analysis, charts, files, the web server, the Hub, migrations.
HEAVY = (
    "pandas",
    "numpy",
    "altair",
    "pyarrow",
    "networkx",
    "fastapi",
    "uvicorn",
    "huggingface_hub",
    "alembic",
)

_PROBE = """
import sys
from pathlib import Path
from modelatlas.cli.app import app
try:
    app(sys.argv[1:], standalone_mode=False, prog_name="modelatlas")
except SystemExit:
    pass
print("\\n".join(sorted(sys.modules)))
"""


def _loaded(*args: str) -> set[str]:
    """The top-level packages imported by running ``modelatlas ARGS`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True, timeout=120
    )
    return {name.split(".")[0] for name in done.stdout.splitlines()}


@pytest.mark.parametrize(
    "args",
    [("--help",), ("show", "--help"), ("trends", "--help"), ("export", "--help"), ("serve", "--help")],
    ids=" ".join,
)
def test_help_imports_nothing_heavy(args: tuple[str, ...]) -> None:
    loaded = _loaded(*args)
    assert "typer" in loaded  # the probe did run the CLI
    assert sorted(loaded & set(HEAVY)) == []


def test_validate_imports_neither_store_nor_analysis() -> None:
    loaded = _loaded("validate")
    assert "pydantic" in loaded  # the probe did validate the catalog
    assert sorted(loaded & {*HEAVY, "sqlalchemy"}) == []


def test_export_json_does_not_load_pyarrow(tmp_path: Path, sqlite_url: str) -> None:
    """Parquet needs pyarrow; JSON does not pay for it."""
    from modelatlas.catalog.validate import load_valid_catalog
    from modelatlas.config import bundled_catalog
    from modelatlas.store.build import build_store

    build_store(load_valid_catalog(bundled_catalog()), sqlite_url)
    out = f"{tmp_path}/models.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "export", "json", "--db", sqlite_url, "-o", out],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = {name.split(".")[0] for name in done.stdout.splitlines()}
    assert "orjson" in loaded and "pyarrow" not in loaded


@pytest.mark.parametrize("args", [("--help",), ("ecosystem", "--help"), ("import", "--help")], ids=" ".join)
def test_the_import_formats_are_offered_without_their_readers(args: tuple[str, ...]) -> None:
    """``import`` and ``check --input`` name the formats from ``sources.formats``: no command's start-up
    imports the readers (and through them the catalog's models and ftfy) just to list them."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, check=True, timeout=120
    )
    modules = set(done.stdout.splitlines())
    assert "modelatlas.cli.import_cmds" in modules  # the probe did load the commands
    assert "modelatlas.sources.importers" not in modules and "ftfy" not in modules


def test_an_import_leaves_pandas_to_the_views(tmp_path: Path) -> None:
    """An import and the build it ends with read, merge and write the rows without pandas, pyarrow and
    numpy (74 MB of the import's process from its start to its end: ``docs/store.md``); only computing
    the default views needs them, and the tests' builds keep none (``MODELATLAS_KEEP_VIEWS``)."""
    fixture = Path(__file__).parent / "fixtures" / "epoch" / "notable_ai_models.csv"
    store = tmp_path / "atlas.db"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "import", "epoch", str(fixture), "--db", f"sqlite:///{store}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    modules = {name.split(".")[0] for name in done.stdout.splitlines()}
    assert "modelatlas.store.build" in done.stdout.splitlines() and store.is_file()  # it did build
    assert sorted(modules & {"pandas", "pyarrow", "numpy"}) == []


def test_a_build_keeps_its_views_without_loading_the_analyses(tmp_path: Path) -> None:
    """The default views of a SQLite build are computed in its child (``web.early``), which imports the
    analyses' libraries, and kept there too; the build's own process never loads them (about 90 MB of a
    million-row import's process), nor numpy, which keeping what the child sent loaded."""
    store = tmp_path / "atlas.db"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "build", "--db", f"sqlite:///{store}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        env={**os.environ, "MODELATLAS_KEEP_VIEWS": "1"},
    )
    modules = {name.split(".")[0] for name in done.stdout.splitlines()}
    assert "modelatlas.web.early" in done.stdout.splitlines()  # the child computed them
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM kept_views").fetchone() == (26,)
    assert sorted(modules & {"pandas", "pyarrow", "numpy", "altair", "networkx", "fastapi"}) == []
