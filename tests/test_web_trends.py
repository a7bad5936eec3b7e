"""The trends page: the fit's statistics the same on every page, the controls the API has, the frontier
models listed, and only the metrics a fit can be made of (issue 21)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import Settings
from modelatlas.store.build import build_store
from modelatlas.web import create_app

CATALOG = Path(__file__).parents[1] / "catalog"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('trends') / 'bundled.db'}"
    build_store(load_valid_catalog(CATALOG), url)
    with TestClient(create_app(Settings(db=url, catalog=CATALOG))) as served:
        yield served


def _stats(page: str, block: str = "fit-stats") -> dict[str, str]:
    found = re.search(rf'<dl class="fit-stats" id="{block}">(.*?)</dl>', page, re.S)
    assert found, block
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", found.group(1), re.S)
    return {html.unescape(k): " ".join(html.unescape(re.sub(r"<[^>]+>", "", v)).split()) for k, v in pairs}


def _expected(fit: dict[str, object], lang: str) -> dict[str, str]:
    from modelatlas.report.headlines import months, times

    low, high = fit["ci90"]  # type: ignore[misc]
    fast, slow = fit["doubling_ci90"]  # type: ignore[misc]
    span = f"≥ {months(fast)}" if slow is None else f"{months(fast)}–{months(slow)}"
    if lang == "zh":
        return {
            "拟合模型数": f"{fit['n']:,}",
            "发布时间": f"{fit['start']} – {fit['end']}",
            "年增长": f"{times(fit['growth_per_year'])}（90% 置信区间 {times(low)}–{times(high)}）",  # type: ignore[arg-type]
            "翻倍时间": "没有增长"
            if not fit["doubling_months"]
            else f"{months(fit['doubling_months'])} 个月（{span}）",  # type: ignore[arg-type]
            "R²": f"{fit['r2']:.2f}",
        }
    return {
        "Models fitted": f"{fit['n']:,}",
        "Released": f"{fit['start']} – {fit['end']}",
        "Growth a year": f"{times(fit['growth_per_year'])} (90% CI {times(low)}–{times(high)})",  # type: ignore[arg-type]
        "Doubling time": "not growing"
        if not fit["doubling_months"]
        else f"{months(fit['doubling_months'])} months ({span})",  # type: ignore[arg-type]
        "R²": f"{fit['r2']:.2f}",
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_home_and_trends_show_the_apis_fit_with_n_r2_and_interval(client: TestClient, lang: str) -> None:
    fit = client.get("/api/v1/trends").json()["fit"]
    assert (
        fit["n"] == 260 and round(fit["growth_per_year"], 2) == 1.62
    )  # the bundled catalog's notable models
    home = _stats(client.get("/", params={"lang": lang}).text, "home-fit")
    trends = _stats(client.get("/trends", params={"lang": lang}).text)
    assert home == trends == _expected(fit, lang)


@pytest.mark.parametrize(
    ("params", "n"),
    [({"country": "CN"}, 109), ({"openness": "open"}, 191), ({"org": "Meta"}, 22), ({"org": "Meta AI"}, 22)],
)
def test_the_page_takes_the_apis_filters_and_gives_its_numbers(
    client: TestClient, params: dict[str, str], n: int
) -> None:
    fit = client.get("/api/v1/trends", params=params).json()["fit"]
    page = client.get("/trends", params={**params, "lang": "en"}).text
    assert fit["n"] == n and _stats(page)["Models fitted"] == str(n)
    unfiltered = client.get("/api/v1/trends").json()["fit"]["n"]
    assert n < unfiltered  # the filter took effect
    # the form shows what was asked
    key, value = next(iter(params.items()))
    if key == "org":
        assert f'name="org" size="12" value="{value}"' in page
    else:
        assert f'<option value="{value}" selected>' in page


def test_the_country_and_openness_choices_are_named_in_the_pages_language(client: TestClient) -> None:
    zh = client.get("/trends", params={"lang": "zh"}).text
    assert '<option value="CN" >中国</option>' in zh and '<option value="US" >美国</option>' in zh
    assert ">开放权重</option>" in zh and ">不限</option>" in zh
    en = client.get("/trends", params={"lang": "en"}).text
    assert '<option value="CN" >China</option>' in en


def test_frontier_models_are_listed_newest_first(client: TestClient) -> None:
    page = client.get("/trends", params={"frontier": "true", "since": "1950", "lang": "en"}).text
    table = re.search(r'<table class="models" id="frontier-models">(.*?)</table>', page, re.S)
    assert table
    rows = re.findall(
        r"<tr><td><a href=\"/models/([^\"]+)\">.*?<td class=\"date\">([^<]+)</td>", table.group(1)
    )
    assert len(rows) == int(_stats(page)["Models fitted"]) == 11
    dates = [date for _, date in rows]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2025-02-17"
    assert "frontier-models" not in client.get("/trends", params={"lang": "en"}).text


def test_only_metrics_a_fit_can_be_made_of_are_offered(
    client: TestClient, tiny_catalog: Path, tmp_path: Path
) -> None:
    offered = re.findall(
        r'<option value="(\w+)"[^>]*>',
        client.get("/trends").text.split('name="metric"')[1].split("</select>")[0],
    )
    assert offered == ["parameters", "compute", "tokens", "cost"]
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as tiny:
        page = tiny.get("/trends", params={"lang": "zh"}).text
        metric = page.split('name="metric"')[1].split("</select>")[0]
        assert 'value="cost"' not in metric and 'value="parameters"' in metric  # two models state a cost
        asked = tiny.get("/trends", params={"metric": "cost", "lang": "zh"}).text
        assert "拟合趋势至少需要 3 个有发布日期和该指标（训练成本）的模型，当前筛选只有 2 个。" in asked


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_finds_eras_as_the_api_does(client: TestClient, lang: str) -> None:
    """Issue 21: the API (and the CLI) had breakpoints and the page did not."""
    api = client.get("/api/v1/trends", params={"breaks": "2"}).json()["breakpoints"]
    assert api["breaks"] == ["2022-04-18", "2025-07-09"] and len(api["segments"]) == 3
    page = client.get("/trends", params={"breaks": "2", "lang": lang}).text
    assert '<option value="2" selected>' in page
    for number, era in enumerate(api["segments"], 1):
        assert _stats(page, f"era-{number}") == _expected(era, lang)
    lead = (
        "共 3 段，新阶段始于 2022-04-18、2025-07-09"
        if lang == "zh"
        else "3 eras, new ones starting 2022-04-18, 2025-07-09"
    )
    assert lead in page
    assert 'id="eras"' not in client.get("/trends", params={"lang": lang}).text
    few = client.get(
        "/trends", params={"breaks": "2", "org": "Meta", "lang": lang}
    ).text  # 22 models: too few
    assert ("太少" in few or "数据不足" in few) if lang == "zh" else "too few to split" in few
    assert client.get("/api/v1/trends", params={"breaks": "2", "org": "Meta"}).status_code == 422
