"""What every chart shares: a domain's colour by its id, and log axes labelled once a power of ten."""

from __future__ import annotations

import pytest

from modelatlas.report.chart_style import (
    DOMAIN_COLORS,
    RELATION_COLORS,
    domain_scale,
    log_axis,
    power_label,
)


@pytest.mark.parametrize(
    ("exponent", "en", "zh"),
    [
        (0, "1", "1"),
        (3, "1K", "1000"),
        (4, "10K", "1万"),
        (6, "1M", "100万"),
        (8, "100M", "1亿"),
        (9, "1B", "10亿"),
        (12, "1T", "1万亿"),
        (14, "100T", "100万亿"),
        (15, "1e15", "1e15"),
        (-1, "0.1", "0.1"),
        (-4, "1e-4", "1e-4"),
    ],
)
def test_a_power_of_ten_is_named_as_counts_are_written(exponent: int, en: str, zh: str) -> None:
    assert power_label(exponent, "en") == en
    assert power_label(exponent, "zh") == zh


def test_compute_keeps_its_powers_in_both_languages() -> None:
    assert power_label(24, "en", "FLOP") == power_label(24, "zh", "FLOP") == "1e24"
    assert power_label(9, "en", "FLOP") == "1e9" and power_label(9, "en", "tokens") == "1B"


def test_a_log_axis_spans_whole_powers_and_labels_each_once() -> None:
    scale, axis = log_axis([7e9, 13e9, 6.5e10], "en")
    assert scale.to_dict() == {"type": "log", "domain": [1e9, 1e11], "nice": False}
    assert axis.to_dict()["values"] == [1e9, 1e10, 1e11]
    expression = axis.to_dict()["labelExpr"]
    assert "'9': '1B', '10': '10B', '11': '100B'" in expression and "'8'" not in expression
    chinese = log_axis([7e9, 6.5e10], "zh")[1].to_dict()["labelExpr"]
    assert "'9': '10亿', '10': '100亿', '11': '1000亿'" in chinese


def test_a_wide_log_axis_labels_every_second_or_third_power() -> None:
    values = log_axis([1.0, 1e27], "en", unit="FLOP")[1].to_dict()["values"]
    assert values == [10.0**e for e in range(0, 28, 3)]
    assert len(log_axis([1.0, 1e9], "en")[1].to_dict()["values"]) == 10  # ten powers: all labelled


def test_one_domain_one_colour_whatever_the_language_or_company() -> None:
    english = domain_scale({"cv": "Computer vision", "nlp": "NLP"}).to_dict()
    chinese = domain_scale({"nlp": "自然语言处理", "cv": "计算机视觉"}).to_dict()
    alone = domain_scale({"cv": "Computer vision"}).to_dict()
    assert english == {"domain": ["NLP", "Computer vision"], "range": ["#4c78a8", "#f58518"]}
    assert chinese == {"domain": ["自然语言处理", "计算机视觉"], "range": ["#4c78a8", "#f58518"]}
    assert alone == {"domain": ["Computer vision"], "range": ["#f58518"]}  # not the first colour
    assert domain_scale({"quantum": "Quantum"}).to_dict()["range"] == ["#000000"]
    assert len(set(DOMAIN_COLORS.values())) == len(DOMAIN_COLORS)


def test_a_relation_has_one_colour_in_both_languages() -> None:
    english = domain_scale({"merge": "merge", "fine-tune": "fine-tune"}, RELATION_COLORS).to_dict()
    chinese = domain_scale({"fine-tune": "微调", "merge": "合并"}, RELATION_COLORS).to_dict()
    assert english["range"] == chinese["range"] == ["#4c78a8", "#e45756"]
    assert chinese["domain"] == ["微调", "合并"]
