"""analysis/hardware/gpus.py and the catalog's gpus.yaml: finding cards, validating the file."""

from __future__ import annotations

import re
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


def test_every_card_has_an_fp16_figure_of_a_stated_kind() -> None:
    """Issue 20: a sourced FP16 figure for every card; each says whether it is the maker's or an estimate."""
    table = load_gpu_table(CATALOG)
    assert len(table.gpus) == 74
    assert [g.id for g in table.gpus if g.fp16_tflops is None] == []
    kinds = [g.fp16_kind for g in table.gpus]
    assert (kinds.count("stated"), kinds.count("estimated")) == (38, 36)
    assert {g.id for g in table.gpus if g.vendor == "apple" and g.fp16_kind == "estimated"} == {
        "m1-max-64gb",
        "m2-max-96gb",
        "m2-ultra-192gb",
        "m3-max-128gb",
        "m4-pro-64gb",
        "m4-max-128gb",
        "m3-ultra-512gb",
    }
    assert all(g.fp16_kind == "estimated" for g in table.gpus if g.vendor == "apple")


@pytest.mark.parametrize(
    ("card", "tflops", "kind"),
    [
        ("rtx-2060-6gb", 52, "stated"),  # NVIDIA's CES 2019 "52 teraflops", dense (Turing has no sparsity)
        ("rtx-3070", 81.5, "stated"),  # half of NVIDIA's 163 tensor-TFLOPs, a with-sparsity figure
        ("rtx-3080-10gb", 119, "stated"),  # half of 238
        ("rtx-4060", 60.5, "stated"),  # a quarter of 242 AI TOPS (FP8, sparse)
        ("rtx-5080", 225.1, "stated"),  # an eighth of 1,801 AI TOPS (FP4, sparse)
        ("rtx-a4000", 76.7, "stated"),  # half of the datasheet's 153.4
        ("rtx-3060-ti", 64.79, "estimated"),  # 152 tensor cores x 256 FLOPs x 1665 MHz
        ("a30", 165.15, "estimated"),  # 224 x 512 x 1440 MHz
        ("l20", 119.5, "estimated"),
        ("m3-ultra-512gb", 28.67, "estimated"),
        ("rtx-4090", 330.3, "stated"),  # unchanged: the whitepaper's FP16-accumulate figure
        ("gtx-1080", 0.1386, "estimated"),  # unchanged: TechPowerUp's FP16 (half), a calculation
    ],
)
def test_fp16_figures_and_their_kind(table: GpuTable, card: str, tflops: float, kind: str) -> None:
    gpu = table.find(card)
    assert (gpu.fp16_tflops, gpu.fp16_kind) == (tflops, kind)


def test_estimates_computed_from_unit_counts_match_the_formula_their_notes_give(table: GpuTable) -> None:
    """The estimates modelatlas computed are tensor cores x FLOPs per core per clock x TechPowerUp's boost."""
    computed = {  # card: (tensor cores, FP16 FLOPs per tensor core per clock, boost MHz)
        "rtx-2070": (288, 128, 1620),
        "rtx-3060-ti": (152, 256, 1665),
        "rtx-3080-12gb": (280, 256, 1710),
        "rtx-4070": (184, 256, 2475),
        "rtx-4070-super": (224, 256, 2475),
        "rtx-4070-ti-super": (264, 256, 2610),
        "rtx-5060-ti-16gb": (144, 256, 2572),
        "a30": (224, 512, 1440),
    }
    for card, (cores, flops, mhz) in computed.items():
        gpu = table.find(card)
        assert gpu.fp16_kind == "estimated" and gpu.note and "computed here by modelatlas" in gpu.note
        assert gpu.fp16_tflops == round(cores * flops * mhz * 1e6 / 1e12, 2), card


def test_a_card_without_an_fp16_figure_must_say_why_and_has_no_kind(tmp_path: Path) -> None:
    """Every card has fp16_tflops or a note explaining why not; a kind needs a figure and a figure a kind."""
    for gpu in load_gpu_table(CATALOG).gpus:
        assert gpu.fp16_tflops is not None or (gpu.note and "fp16_tflops omitted" in gpu.note), gpu.id
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog, ignore=shutil.ignore_patterns("configs"))
    gpus = catalog / "gpus.yaml"
    original = gpus.read_text(encoding="utf-8")
    for broken in (
        original.replace("    fp16_tflops: 81.5\n", "", 1),  # a kind without a figure
        original.replace("    fp16_kind: stated\n", "", 1),  # a figure without a kind
        original.replace("    fp16_kind: stated\n", "    fp16_kind: guessed\n", 1),
    ):
        assert broken != original
        gpus.write_text(broken, encoding="utf-8")
        messages = [str(p) for p in validate_catalog(catalog).problems]
        assert any("gpus.yaml" in m and "fp16" in m for m in messages), messages
    gpus.write_text(
        original.replace("    fp16_tflops: 81.5\n    fp16_kind: stated\n", "", 1), encoding="utf-8"
    )
    assert validate_catalog(catalog).problems == []
    assert load_gpu_table(catalog).find("rtx-3070").fp16_tflops is None


def test_every_source_is_used_and_every_source_a_note_names_exists(table: GpuTable) -> None:
    """A source is the card's ``source`` or named in a note; an id-like name in a note that is not a source
    would be a dangling reference."""
    used = {g.source for g in table.gpus} | {
        sid for sid in table.sources for g in table.gpus if g.note and sid in g.note
    }
    assert sorted(set(table.sources) - used) == []
    for gpu in table.gpus:
        for ref in re.findall(
            r"\b(?:hmc-tech|tpu|iguane|gau-nernst|philipturner|neobundy)[a-z0-9.-]*[a-z0-9]", gpu.note or ""
        ):
            assert ref in table.sources or ref.startswith("hmc-tech.com"), (gpu.id, ref)
