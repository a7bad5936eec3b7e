"""modelatlas.catalog.units and names: counts as people write them, names as people spell them."""

from __future__ import annotations

import pytest

from modelatlas.catalog.names import name_key
from modelatlas.catalog.units import format_count, parse_count
from modelatlas.errors import BadArgument


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7B", 7_000_000_000),
        ("6.2e9", 6_200_000_000),
        ("62亿", 6_200_000_000),
        ("1.5万亿", 1_500_000_000_000),
        ("175 billion", 175_000_000_000),
        ("340M", 340_000_000),
        ("1,542M", 1_542_000_000),
        ("5620亿个参数", 562_000_000_000),
        ("1T", 10**12),
        (" 13b ", 13_000_000_000),
        (6.7e9, 6_700_000_000),
        (124439808, 124439808),
    ],
)
def test_parse_count(text: str | int | float, value: int) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["lots", "7X", "", "-3B", "1.2.3B", "亿"])
def test_parse_count_rejects(text: str) -> None:
    with pytest.raises(BadArgument):
        parse_count(text)


def test_format_count() -> None:
    assert format_count(6_200_000_000) == "6.2B"
    assert format_count(6_200_000_000, lang="zh") == "62亿"
    assert format_count(175_000_000_000) == "175B"
    assert format_count(1_500_000_000_000, lang="zh") == "1.5万亿"
    assert format_count(None) == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("LLaMA-2", "Llama 2"),
        ("llama2", "LLaMa-2"),
        ("紫东·太初", "紫东太初"),
        ("PanGu-α", "pangu alpha"),
        ("PanGu-Σ", "PanGu-Sigma"),
        ("盘古-Σ", "盘古 sigma"),
        ("ＧＰＴ－３", "gpt-3"),
    ],
)
def test_name_key_equal(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Stable Diffusion 1.0", "Stable Diffusion 2.0"),
        ("Whisper", "Whisper V2"),
        ("盘古-Σ", "盘古"),  # a Greek letter names a model, it is not punctuation
        ("PanGu-Σ", "PanGu-α"),
    ],
)
def test_name_key_keeps_versions_apart(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Cerebras-GPT-1.3B", "cerebrasgpt1.3b"),
        ("Qwen2.5-72B-Instruct", "qwen2.572binstruct"),
        ("v1. and .5 and 3.1.2", "v1and5and3.1.2"),
        ("C++ Coder_7B (beta)!", "cpluspluscoder7bbeta"),
        ("Café-2", "cafe2"),  # folded to ASCII, then the ASCII table
        ("紫东·太初 v2.0", "紫东太初v2.0"),
        ("~`!@#$%^&*()-_=+[]{}\\|;:'\",<>/?", "plus"),
    ],
)
def test_name_key_exact(name: str, key: str) -> None:
    """The ASCII path (one ``str.translate``) keeps what the pattern of every other key keeps."""
    from modelatlas.catalog.names import _NOT_WORD, _STRAY_DOT, _folded

    assert name_key(name) == key
    assert name_key(name) == _NOT_WORD.sub("", _STRAY_DOT.sub("", _folded(name)))


def test_name_key_keeps_the_last_keys_it_made() -> None:
    """A key asked for again is the one kept (a merge asks for each name's about nine times), the same
    as made anew; the oldest of more than ``KEYS_KEPT`` names is let go."""
    from modelatlas.catalog import names

    names._key.cache_clear()
    assert name_key("LLaMA-2") == "llama2" and names._key.cache_info().hits == 0
    assert name_key("LLaMA-2") == "llama2" and names._key.cache_info().hits == 1
    assert name_key("Llama 2") == "llama2" and names._key.cache_info().misses == 2  # another spelling
    for n in range(names.KEYS_KEPT):
        name_key(f"Model {n}")
    assert names._key.cache_info().currsize == names.KEYS_KEPT
    name_key("LLaMA-2")
    assert names._key.cache_info().hits == 1  # let go: made again
    names._key.cache_clear()


def test_a_partial_date_spans_its_year_or_month() -> None:
    import datetime as dt

    from modelatlas.catalog.schema import PartialDate

    def span(text: str) -> tuple[str, str]:
        first, last = PartialDate.model_validate(text).span()
        return first.isoformat(), last.isoformat()

    assert span("2023") == ("2023-01-01", "2023-12-31")
    assert span("2024-02") == ("2024-02-01", "2024-02-29")
    assert span("2023-03-14") == ("2023-03-14", "2023-03-14")
    assert isinstance(PartialDate.model_validate("2023").span()[0], dt.date)
