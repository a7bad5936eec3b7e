"""The charts speak the reader's language down to the dates: a Chinese chart carries the zh-CN locale
(Vega-Lite's ``config.locale``), so its time axes name months 一月…十二月 wherever it is drawn."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import altair as alt
import networkx as nx
import pandas as pd
import pytest

from modelatlas.catalog.units import format_count
from modelatlas.report.charts import history_chart, lineage_chart, releases_chart, to_spec
from modelatlas.report.images import to_svg

ZH_MONTHS = [
    "一月",
    "二月",
    "三月",
    "四月",
    "五月",
    "六月",
    "七月",
    "八月",
    "九月",
    "十月",
    "十一月",
    "十二月",
]
EN_MONTHS = {
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
}  # fmt: skip
#: Three snapshots of one count, a few months apart: the time axis labels months.
HISTORY = pd.DataFrame(
    {
        "observed_at": pd.to_datetime(["2023-01-05", "2023-03-05", "2023-06-01"]),
        "metric": "downloads",
        "ref": "meta-llama/Llama-2-7b-hf",
        "value": [100, 250, 900],
    }
)
COUNTS = pd.DataFrame({"period": ["2023Q1", "2023Q2"], "group": ["nlp", "cv"], "count": [3, 1]})


def _family() -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_node("llama", name="LLaMA", released="2023-02-24")
    graph.add_node("alpaca", name="Alpaca", released="2023-03-13")
    graph.add_edge("llama", "alpaca", relation="instruction-tune")
    return graph


CHARTS: dict[str, Callable[[str], alt.TopLevelMixin]] = {
    "history": lambda lang: history_chart(HISTORY, lang),
    "releases": lambda lang: releases_chart(COUNTS, lang),
    "lineage": lambda lang: lineage_chart(_family(), lang),
}


def _labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]+)</text>", svg)


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_a_chinese_chart_carries_the_zh_cn_locale_and_an_english_one_does_not(name: str) -> None:
    zh, en = to_spec(CHARTS[name]("zh")), to_spec(CHARTS[name]("en"))
    assert zh["config"]["locale"]["time"]["months"] == ZH_MONTHS
    assert zh["config"]["locale"]["number"]["currency"] == ["¥", ""]
    assert zh["config"]["timeFormat"] == "%Y年%-m月%-d日"  # tooltips: 2023年1月5日
    assert "locale" not in en["config"] and "timeFormat" not in en["config"]
    assert "一月" not in json.dumps(en, ensure_ascii=False)
    assert zh["config"]["font"] == en["config"]["font"]  # to_spec still adds its defaults


def test_a_chinese_time_axis_names_its_months_in_chinese_in_files_too() -> None:
    """vl-convert (PNG and SVG files) draws the spec ``to_spec`` gives, locale included."""
    zh, en = _labels(to_svg(history_chart(HISTORY, "zh"))), _labels(to_svg(history_chart(HISTORY, "en")))
    assert {"二月", "三月", "观测时间"} <= set(zh) and not set(zh) & EN_MONTHS
    assert {"February", "March", "Observed"} <= set(en)


def test_a_chinese_chart_saved_as_json_keeps_its_locale() -> None:
    """The locale is in the chart, not added on the way out: a notebook or a saved spec has it too."""
    assert (
        json.loads(history_chart(HISTORY, "zh").to_json())["config"]["locale"]["time"]["months"] == ZH_MONTHS
    )


@pytest.mark.parametrize(
    ("unit", "en", "zh"),
    [
        ("month", "Models released per month, by domain", "每月发布的模型数（按领域）"),
        ("quarter", "Models released per quarter, by domain", "各季度发布的模型数（按领域）"),
        ("year", "Models released per year, by domain", "每年发布的模型数（按领域）"),
        ("period", "Models released per quarter, by domain", "各季度发布的模型数（按领域）"),
    ],
)
def test_the_releases_title_names_the_period_it_counts(unit: str, en: str, zh: str) -> None:
    assert to_spec(releases_chart(COUNTS, "en", unit=unit))["title"] == en
    assert to_spec(releases_chart(COUNTS, "zh", unit=unit))["title"] == zh


def test_a_chinese_growth_axis_names_its_unit_in_chinese() -> None:
    from modelatlas.analysis.frame import Selection, model_frame, select
    from modelatlas.analysis.growth import fit_growth
    from modelatlas.catalog.validate import load_valid_catalog
    from modelatlas.config import bundled_catalog
    from modelatlas.report.charts import growth_chart

    catalog = load_valid_catalog(bundled_catalog())
    organizations = {e.record.id: e.record for e in catalog.organizations}
    frame = select(model_frame([e.record for e in catalog.models], organizations), Selection())
    fit = fit_growth(frame, "parameters", n_boot=100, seed=0)
    titles = {
        lang: to_spec(growth_chart(frame, fit, lang))["layer"][1]["encoding"]["y"]["title"]
        for lang in ("en", "zh")
    }
    assert titles == {"en": "Parameters (parameters, log scale)", "zh": "参数量 (个, 对数坐标)"}


def test_a_growth_chart_draws_a_seeded_sample_of_a_large_frame_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over MAX_POINTS models the chart draws a seeded sample (the fit keeps them all) and its subtitle
    says how many of how many; at or under it every model is drawn and nothing is said."""
    from modelatlas.analysis.frame import model_frame
    from modelatlas.analysis.growth import fit_growth
    from modelatlas.catalog.schema import Model
    from modelatlas.report import charts

    models = [
        Model.model_validate(
            {
                "id": f"m{i}",
                "name": f"M{i}",
                "domains": ["nlp"],
                "released": f"{2015 + i % 10}-0{1 + i % 9}-01",
                "parameters": {"total": 10 ** (6 + (i % 50) / 10)},
                "sources": [
                    {
                        "id": "s",
                        "citation": "test",
                        "accessed": "2024-01-01",
                        "fields": ["parameters", "released"],
                    }
                ],
            }
        )
        for i in range(60)
    ]
    frame = model_frame(models, {})
    fit = fit_growth(frame, "parameters", n_boot=100, seed=0)

    def drawn(lang: str) -> tuple[int, list[str]]:
        spec = to_spec(charts.growth_chart(frame, fit, lang))
        dots = spec["layer"][1]["data"]["name"]
        return len(spec["datasets"][dots]), spec["title"]["subtitle"]

    assert drawn("en")[0] == 60 and not any("drawn" in line for line in drawn("en")[1])
    monkeypatch.setattr(charts, "MAX_POINTS", 25)
    count, subtitle = drawn("en")
    assert count == 25 and subtitle[-1] == "drawn: a random 25 of the 60 models"
    assert drawn("zh")[1][-1] == "图中随机绘出 60 个模型中的 25 个"
    assert drawn("en") == (count, subtitle)  # the same sample every time
    # the labels are made for the points drawn, each its own model's (after the sample, not before)
    spec = to_spec(charts.growth_chart(frame, fit, "en"))
    records = spec["datasets"][spec["layer"][1]["data"]["name"]]
    values = {f"M{i}": 10 ** (6 + (i % 50) / 10) for i in range(60)}
    assert len(records) == 25
    assert [int(r["value"]) for r in records] == [int(values[r["name"]]) for r in records]
    assert [r["shown"] for r in records] == [format_count(int(values[r["name"]]), lang="en") for r in records]
    assert {r["method"] for r in records} == {"stated"}


def _partial(as_of: object, unit: str = "quarter") -> dict[str, bool]:
    counts = pd.DataFrame(
        {"period": ["2022Q4", "2023Q1", "2023Q1"], "group": ["nlp", "nlp", "cv"], "count": [2, 1, 3]}
    )
    spec = to_spec(releases_chart(counts, "en", unit=unit, as_of=as_of))  # type: ignore[arg-type]
    rows = spec["datasets"][(spec["layer"][0].get("data") or spec["data"])["name"]]
    return {f"{r['period']} {r['group']}": r["partial"] for r in rows}


def test_the_period_holding_the_data_date_is_partial_and_only_it() -> None:
    import datetime as dt

    during = {"2022Q4 NLP": False, "2023Q1 NLP": True, "2023Q1 Computer vision": True}
    assert _partial(dt.date(2023, 2, 10)) == during
    assert _partial(dt.date(2023, 3, 31)) == dict.fromkeys(during, False)  # its last day: over
    assert set(_partial(None).values()) == {False}


def test_a_partial_period_is_labelled_in_the_readers_language() -> None:
    import datetime as dt

    counts = pd.DataFrame({"period": ["2022", "2023"], "group": ["nlp", "nlp"], "count": [5, 2]})
    for lang, word in (("en", "partial"), ("zh", "未完")):
        spec = to_spec(releases_chart(counts, lang, unit="year", as_of=dt.date(2023, 6, 1)))
        notes = spec["datasets"][spec["layer"][1]["data"]["name"]]
        assert [(n["period"], n["count"], n["note"]) for n in notes] == [("2023", 2, word)]
    done = to_spec(releases_chart(counts, "en", unit="year", as_of=dt.date(2024, 1, 1)))
    assert len(done["layer"]) == 1  # nothing to label


@pytest.mark.parametrize(("lang", "shown"), [("en", "65.2B"), ("zh", "652亿")])
def test_a_points_tooltip_says_its_count_as_the_site_does_not_si(lang: str, shown: str) -> None:
    """Issue 21: the tooltip said 65.2G (SI's giga) for 65.2 billion parameters."""
    import datetime as dt

    import pandas as pd

    from modelatlas.analysis.growth import fit_growth
    from modelatlas.report.charts import growth_chart, to_spec

    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "name": ["A", "B", "C"],
            "organization_name": ["X", "X", "X"],
            "released": pd.to_datetime(["2020-01-01", "2021-06-01", "2023-01-01"]),
            "decimal_year": [2020.0, 2021.4, 2023.0],
            "parameters": [1.5e9, 65.2e9, 175e9],
            "parameters_kind": ["stated"] * 3,
            "domain": ["nlp"] * 3,
        }
    )
    fit = fit_growth(frame, "parameters", n_boot=100)
    spec = to_spec(growth_chart(frame, fit, lang))
    points = next(iter(v for k, v in spec["datasets"].items() if any("shown" in row for row in v)))
    assert [row["shown"] for row in points if row["name"] == "B"] == [shown]
    dots = spec["layer"][1]["encoding"]["tooltip"]
    assert {"field": "shown", "type": "nominal"}.items() <= dots[3].items()
    assert dt.date(2020, 1, 1) == fit.start
