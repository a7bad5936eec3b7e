"""``sources.rows.slugify``: the id a new model gets is read as its own name, never another's."""

from __future__ import annotations

import datetime as dt

import pytest

from modelatlas.catalog.names import name_key
from modelatlas.sources.rows import EncodedRow, ImportedRow, build_model, model_name, slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("GPT-NeoX-20B", "gpt-neox-20b"),
        ("DeepLabV3+", "deeplabv3-plus"),  # was "deeplabv3": DeepLabV3's name (issue 19)
        ("PointNet++", "pointnet-plus-plus"),
        ("T0++", "t0-plus-plus"),
        ("Command R+", "command-r-plus"),
        ("PanGu-α", "pangu-alpha"),
        ("Cerebras-GPT 1.3B", "cerebras-gpt-1.3b"),
    ],
)
def test_slugs(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert name_key(slug) == name_key(name)


def test_a_name_without_latin_letters_gets_a_stable_hash() -> None:
    assert slugify("文心一言") == slugify("文心一言") != slugify("通义千问")
    assert slugify("文心一言").startswith("m-")


@pytest.mark.parametrize(
    "name",
    ["GPT-NeoX-20B", "DeepLabV3+", "T0++", "Llama 3.1 (405B)", "a..b--c", "  x_y  ", "Model.", "A/B:C"],
)
def test_an_ascii_name_gets_the_slug_of_the_full_folding(name: str) -> None:
    """ASCII names skip the Unicode folding (nothing to decompose): the slug is the one it gives. A
    leading no-break space (NFKD: a space, dropped) or an accented word sends the name the long way."""
    assert slugify(name) == slugify("\u00a0" + name)
    assert slugify("Café " + name) == "cafe-" + slugify(name)


def test_a_rows_json_tells_its_name_if_it_makes_a_model() -> None:
    made = ImportedRow(
        line=2,
        name="Mistral 7B",
        model=build_model(
            {"name": "Mistral 7B", "domains": ["nlp"]},
            source_id="s",
            accessed=dt.date(2024, 1, 2),
            url="https://example.org",
        ),
    )
    assert model_name(EncodedRow.of(made).payload) == "Mistral 7B"
    assert model_name(EncodedRow.of(ImportedRow.skip(3, "Total", "no model")).payload) is None
