"""analysis/hardware/gpus.py and the catalog's gpus.yaml: finding cards, validating the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from modelatlas.analysis.hardware.gpus import GpuTable, load_gpu_table
from modelatlas.catalog.validate import validate_catalog
from modelatlas.errors import CatalogInvalid, NotFound

CATALOG = Path(__file__).parents[1] / "catalog"


@pytest.fixture(scope="module")
def table() -> GpuTable:
    return load_gpu_table(CATALOG)


@pytest.mark.parametrize(
    ("typed", "card"),
    [
        ("RTX 4090", "rtx-4090"),
        ("rtx4090", "rtx-4090"),
        ("NVIDIA GeForce RTX 4090", "rtx-4090"),
        ("RTX 3060 12GB", "rtx-3060-12gb"),
        ("1080 Ti", "gtx-1080-ti"),
        ("RTX 2060", "rtx-2060-6gb"),
        ("A100 80GB", "a100-80gb"),
    ],
)
def test_cards_are_found_by_the_names_people_type(table: GpuTable, typed: str, card: str) -> None:
    assert table.find(typed).id == card


def test_every_card_the_seeds_name_is_known(table: GpuTable) -> None:
    # seeds 000/004 recommend RTX 2060, 2080, 1060, 1080 Ti, 3090, A100/A800 and "40-series"
    for name in (
        "RTX 2060",
        "RTX 2080",
        "GTX 1060",
        "GTX 1080 Ti",
        "RTX 3090",
        "A100",
        "A800",
        "RTX 4060",
        "RTX 4090",
    ):
        assert table.find(name).memory_gb > 0


def test_unknown_card_suggests_close_names(table: GpuTable) -> None:
    with pytest.raises(NotFound, match=r"no GPU called 'RTX 4900'; did you mean .*RTX 4090"):
        table.find("RTX 4900")


def test_gpu_memory_gigabytes_are_binary(table: GpuTable) -> None:
    assert GpuTable.memory_bytes(table.find("RTX 4090")) == 24 * 1024**3


def test_every_figure_has_a_source_with_a_url(table: GpuTable) -> None:
    for gpu in table.gpus:
        assert table.sources[gpu.source].url or table.sources[gpu.source].citation


def test_bad_gpus_file_is_reported_by_line(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog, ignore=shutil.ignore_patterns("configs"))
    text = (catalog / "gpus.yaml").read_text(encoding="utf-8")
    text = text.replace('aliases: ["GTX 1060 3GB"]', 'aliases: ["GTX 1060"]', 1)
    text = text.replace("memory_gb: 11\n", "memory_gb: -11\n", 1)
    (catalog / "gpus.yaml").write_text(text, encoding="utf-8")
    problems = validate_catalog(catalog).problems
    messages = [str(p) for p in problems]
    assert any("gpus.yaml" in m and "'GTX 1060' already names GPU 'gtx-1060-6gb'" in m for m in messages), (
        messages
    )
    assert any("gpus.yaml" in m and "memory_gb" in m for m in messages), messages
    with pytest.raises(CatalogInvalid):
        load_gpu_table(catalog)


def test_unified_memory_counts_the_share_the_gpu_may_hold() -> None:
    """Issue 20: a Mac's unified memory is not all the GPU's: Metal keeps about three quarters resident."""
    table = load_gpu_table(CATALOG)
    mac, card = table.find("M1 Max 64GB"), table.find("RTX 4090")
    assert mac.gpu_share == 0.75 and GpuTable.memory_bytes(mac) == 48 * 2**30
    assert card.gpu_share is None and GpuTable.memory_bytes(card) == 24 * 2**30
    assert all(g.gpu_share == 0.75 for g in table.gpus if g.vendor == "apple")
    assert all(g.gpu_share is None for g in table.gpus if g.vendor != "apple")
    for name in ("RTX 4090 D", "H20", "L20", "Ascend 910B", "昇腾910B", "M3 Ultra"):
        assert table.find(name)  # the cards people asked for
