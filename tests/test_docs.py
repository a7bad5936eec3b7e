"""The documentation is tested: every command, setting and store table is documented; __all__ is honest."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import modelatlas
from modelatlas.checks import CHECKS
from modelatlas.cli import app
from modelatlas.config import Settings
from modelatlas.store.tables import metadata

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(c.name or "" for c in app.registered_commands))
def test_every_command_in_readme(command: str) -> None:
    assert f"`modelatlas {command}" in README


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_documented(name: str) -> None:
    assert f"`MODELATLAS_{name.upper()}`" in README
    assert Settings.model_fields[name].description


@pytest.mark.parametrize("table", sorted(metadata.tables))
def test_every_table_documented(table: str) -> None:
    assert f"| `{table}` |" in (ROOT / "docs" / "store.md").read_text(encoding="utf-8")


def _modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(modelatlas.__path__, "modelatlas.")
        if ".migrations" not in m.name and not m.name.endswith("__main__")
    )


@pytest.mark.parametrize("module", _modules())
def test_all_names_exist(module: str) -> None:
    mod = importlib.import_module(module)
    for name in getattr(mod, "__all__", []):
        assert hasattr(mod, name), f"{module}.__all__ lists {name!r}, which does not exist"


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_documented(check_id: str) -> None:
    assert f"| `{check_id}` |" in (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_every_check_has_a_test(check_id: str) -> None:
    """Each check is run by name in a test of its topic (a record that trips it, one that does not)."""
    topic = check_id.split(".")[0]
    assert f'"{check_id}"' in (ROOT / "tests" / f"test_checks_{topic}.py").read_text(encoding="utf-8")
