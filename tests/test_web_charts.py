"""Issue 21's chart defects, each in headless Chromium at 1366 and 390 px, in English and Chinese: log axes
label each power of ten once, as counts are written; the timeline's axis stays readable and starts where
releases become dense, its switches show which is chosen and its unfinished period is marked; a domain
keeps its colour on every chart in both languages; lineage edges cross no name and the most built-upon
model is drawn; every chart can be downloaded (PNG, SVG, CSV of its points) with a citation line and the
data's date; on a phone the plot keeps its size, legends go below it and no subtitle is cut.

The tiny catalog's store is dated 2023-04-15 (``build_info.built_at``), so 2023, its second quarter and
April 2023 are not over; the bundled catalog gives the real range of sizes, domains and families.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.catalog.vocab import LABELS
from modelatlas.report.chart_style import DOMAIN_COLORS
from modelatlas.store import tables as T
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine

playwright_api = pytest.importorskip("playwright.sync_api")
from test_web_browser import CHROMIUM, FLAGS, _served  # noqa: E402  (skips the module without Chromium)

WIDTHS = [1366, 390]
LANGS = ["en", "zh"]
AS_OF = "2023-04-15"


def _store(root: Path, catalog: Path, built_at: str | None = None) -> str:
    url = f"sqlite:///{root / 'site.db'}"
    build_store(load_valid_catalog(catalog), url)
    if built_at:
        engine = make_engine(url)
        with engine.begin() as conn:
            info = T.build_info
            conn.execute(update(info).where(info.c.key == "built_at").values(value=built_at))
        engine.dispose()
    return url


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The tiny catalog, its store dated 2023-04-15."""
    root = tmp_path_factory.mktemp("dated")
    catalog = root / "catalog"
    shutil.copytree(Path(__file__).parent / "fixtures" / "catalog", catalog)
    with _served(catalog, _store(root, catalog, f"{AS_OF}T12:00:00+00:00")) as address:
        yield address


@pytest.fixture(scope="module")
def today_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The tiny catalog built today: its newest release (2023) is long over."""
    root = tmp_path_factory.mktemp("today")
    catalog = root / "catalog"
    shutil.copytree(Path(__file__).parent / "fixtures" / "catalog", catalog)
    with _served(catalog, _store(root, catalog)) as address:
        yield address


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled catalog: 400 curated models since 1998, ten domains, families of 30."""
    catalog = Path(__file__).parents[1] / "catalog"
    with _served(catalog, _store(tmp_path_factory.mktemp("full"), catalog)) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def _open(browser: object, site: str, path: str, width: int, lang: str) -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=site, viewport={"width": width, "height": 900}, locale="en-US", accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.problems = problems
    page.goto(path + ("&" if "?" in path else "?") + f"lang={lang}")
    for index in range(page.locator(".chart").count()):
        page.wait_for_selector(f"#chart-{index}[data-drawn] svg .mark-group", timeout=30000)
    return page


def _close(page: object) -> None:
    assert page.problems == []  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def _axis_labels(page: object, chart: int, axis: str) -> list[str]:
    """The labels the axis shows (Vega hides those that would overlap with opacity 0)."""
    selector = f"#chart-{chart} g.role-axis[aria-label^='{axis}-axis'] .role-axis-label text"
    return [b["text"] for b in _boxes(page, selector)]


#: The tiny catalog's sizes since 2020 and its fitted line, from 100M to 100B: one label a power of ten.
TINY_TICKS = {"en": ["100M", "1B", "10B", "100B"], "zh": ["1亿", "10亿", "100亿", "1000亿"]}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_log_axis_names_each_power_of_ten_once(
    browser: object, dated_site: str, width: int, lang: str
) -> None:
    page = _open(browser, dated_site, "/trends?metric=parameters&since=2020", width, lang)
    assert _axis_labels(page, 0, "Y") == TINY_TICKS[lang]
    _close(page)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_log_axes_over_the_whole_catalog_are_distinct_counts(
    browser: object, full_site: str, width: int, lang: str
) -> None:
    page = _open(browser, full_site, "/trends", width, lang)
    labels = _axis_labels(page, 0, "Y")
    named = r"\d+[KMBT]?" if lang == "en" else r"\d+(万|亿|万亿)?"
    assert len(labels) >= 5 and len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(named, label) for label in labels), labels
    assert ("1B" if lang == "en" else "10亿") in labels
    page.goto(f"/trends?metric=compute&lang={lang}")  # type: ignore[attr-defined]
    page.wait_for_selector("#chart-0[data-drawn] svg .mark-group", timeout=30000)  # type: ignore[attr-defined]
    powers = _axis_labels(page, 0, "Y")
    assert len(powers) >= 3 and all(re.fullmatch(r"1e\d+", p) for p in powers), powers
    assert len(set(powers)) == len(powers)
    _close(page)


def _boxes(page: object, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined,no-any-return]
        selector,
        """els => els.filter(e => e.textContent && e.getAttribute('opacity') !== '0').map(e => {
             const r = e.getBoundingClientRect();
             return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: e.textContent}; })""",
    )


def _overlap(a: dict[str, float], b: dict[str, float], inset: float = 0.5) -> bool:
    return (
        a["left"] + inset < b["right"] - inset
        and b["left"] + inset < a["right"] - inset
        and a["top"] + inset < b["bottom"] - inset
        and b["top"] + inset < a["bottom"] - inset
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_timeline_axis_is_readable_and_starts_where_releases_become_dense(
    browser: object, full_site: str, width: int, lang: str
) -> None:
    for freq in ("month", "quarter", "year"):
        page = _open(browser, full_site, f"/timeline?freq={freq}", width, lang)
        boxes = _boxes(page, "#chart-0 g.role-axis[aria-label^='X-axis'] .role-axis-label text")
        labels = [b["text"] for b in boxes]
        assert 2 <= len(labels) <= width // 40 and len(set(labels)) == len(labels), (freq, labels)
        assert all(re.fullmatch(r"\d{4}", label) for label in labels), labels
        assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]), labels
        assert int(labels[0]) >= 2010, labels  # the 5th percentile of release dates, not 1998
        chosen = page.locator(".tabs a[aria-current=page]").all_inner_texts()  # type: ignore[attr-defined]
        per = {"en": f"per {freq}", "zh": {"month": "按月", "quarter": "按季度", "year": "按年"}[freq]}[lang]
        assert chosen[0] == per
        _close(page)
    page = _open(browser, full_site, "/timeline?freq=month&since=2000", width, lang)
    widths = sorted(  # 27 years of months at 390 px: a pixel each, drawn without gaps, not as hairlines
        page.eval_on_selector_all(  # type: ignore[attr-defined]
            "#chart-0 .mark-rect path",
            "ps => ps.filter(p => !/: 0( |$)/.test(p.getAttribute('aria-label')))"
            ".map(p => p.getBoundingClientRect().width)",
        )
    )
    assert widths[len(widths) // 2] >= 0.8, widths[:5]
    _close(page)
    page = _open(browser, full_site, "/timeline?freq=year&since=all", width, lang)
    assert _axis_labels(page, 0, "X")[0] == "1998"  # the first release in the catalog, on request
    _close(page)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_period_switch_shows_which_is_chosen(
    browser: object, dated_site: str, width: int, lang: str
) -> None:
    page = _open(browser, dated_site, "/timeline", width, lang)
    links = page.locator("nav.tabs").first.locator("a")  # type: ignore[attr-defined]
    assert [links.nth(i).get_attribute("aria-current") for i in range(3)] == [None, "page", None]
    colours = [links.nth(i).evaluate("a => getComputedStyle(a).backgroundColor") for i in range(3)]
    assert colours[1] != colours[0] and colours[0] == colours[2]
    links.nth(2).click()
    page.wait_for_url("**freq=year*")  # type: ignore[attr-defined]
    page.wait_for_selector("#chart-0[data-drawn] svg .mark-group", timeout=30000)  # type: ignore[attr-defined]
    links = page.locator("nav.tabs").first.locator("a")  # type: ignore[attr-defined]
    assert [links.nth(i).get_attribute("aria-current") for i in range(3)] == [None, None, "page"]
    _close(page)


PARTIAL = {"en": "partial", "zh": "未完"}
#: The period each frequency leaves unfinished on 2023-04-15, as the bars' tooltips name it.
OPEN_PERIOD = {"year": "2023", "quarter": "2023Q2", "month": "2023-04"}
#: The models released in it: LLaMA, Alpaca, Vicuna and FreedomGPT in 2023; FreedomGPT in April.
OPEN_COUNT = {"year": 4, "quarter": 1, "month": 1}
NLP = {"en": "NLP", "zh": "自然语言处理"}


def _bars(page: object) -> list[tuple[str, str | None]]:
    """Each bar's tooltip (aria-label) and opacity."""
    return page.eval_on_selector_all(  # type: ignore[attr-defined,no-any-return]
        "#chart-0 .mark-rect path",
        "ps => ps.map(p => [p.getAttribute('aria-label'), p.getAttribute('opacity')])",
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_unfinished_period_is_drawn_pale_and_labelled(
    browser: object, dated_site: str, today_site: str, width: int, lang: str
) -> None:
    for freq, period in OPEN_PERIOD.items():
        page = _open(browser, dated_site, f"/timeline?freq={freq}&since=all", width, lang)
        texts = page.locator("#chart-0 svg .mark-text text").all_text_contents()  # type: ignore[attr-defined]
        assert texts.count(PARTIAL[lang]) == 1, texts
        bars = [(label, opacity) for label, opacity in _bars(page) if ": 0" not in label]
        pale = [label for label, opacity in bars if opacity == "0.4"]
        assert pale == [f"{period}, {NLP[lang]}: {OPEN_COUNT[freq]} ({PARTIAL[lang]})"], bars
        assert {opacity for _, opacity in bars} == {"0.4", "1"}
        _close(page)
    page = _open(browser, today_site, "/timeline?freq=year", width, lang)  # 2023 is over by now
    assert PARTIAL[lang] not in page.locator("#chart-0 svg text").all_text_contents()  # type: ignore[attr-defined]
    assert {opacity for _, opacity in _bars(page)} == {"1"}
    table = _download(page, 0, "csv").decode("utf-8-sig").splitlines()  # one layer, its data lifted up
    labels = {"en": ("Computer vision", "Multimodal", "NLP"), "zh": ("计算机视觉", "多模态", "自然语言处理")}[
        lang
    ]
    assert table[1] == "period,domain,group,count,partial"
    assert table[2:5] == [
        f"2021,{d},{g},{n},false"
        for d, g, n in zip(("cv", "multimodal", "nlp"), labels, (0, 1, 0), strict=True)
    ]
    _close(page)


def _legend(page: object, chart: int) -> dict[str, str]:
    """The chart's legend: each label and its symbol's colour."""
    entries = page.eval_on_selector_all(  # type: ignore[attr-defined]
        f"#chart-{chart} .role-legend-entry .role-scope > g > g",
        """gs => gs.map(g => [g.querySelector('.role-legend-label text')?.textContent,
                              g.querySelector('.role-legend-symbol path')?.getAttribute('fill')])""",
    )
    return {label: fill for label, fill in entries if label}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_domain_has_one_colour_on_every_chart_in_both_languages(
    browser: object, full_site: str, width: int
) -> None:
    ids = {LABELS[d][i]: d for d in DOMAIN_COLORS if d in LABELS for i in (0, 1)}
    seen: dict[str, set[str]] = {}
    for lang in LANGS:
        for path in ("/", "/trends?since=2010", "/timeline?freq=quarter", "/timeline?freq=year&since=all"):
            page = _open(browser, full_site, path, width, lang)
            for chart in range(page.locator(".chart").count()):  # type: ignore[attr-defined]
                legend = {ids[label]: fill for label, fill in _legend(page, chart).items() if label in ids}
                assert len(legend) >= 5, (path, legend)
                for domain, fill in legend.items():
                    seen.setdefault(domain, set()).add(fill)
            _close(page)
    assert {d: fills for d, fills in seen.items() if len(fills) > 1} == {}
    assert {d: next(iter(fills)) for d, fills in seen.items()} == {d: DOMAIN_COLORS[d] for d in seen}
    assert len(seen) >= 9


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_lineage_edges_cross_no_name_and_the_most_built_upon_model_is_drawn(
    browser: object, full_site: str, width: int, lang: str
) -> None:
    page = _open(browser, full_site, "/lineage", width, lang)
    names = _boxes(page, "#chart-0 .mark-text text")
    edges = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#chart-0 .mark-rule line",
        """ls => ls.map(l => { const r = l.getBoundingClientRect();
             return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })""",
    )
    assert len(names) >= 30 and len(edges) >= 30
    crossed = [(n["text"], e) for n in names for e in edges if _overlap(n, e, inset=1)]
    assert crossed == []
    top = page.locator("#built-on tbody tr td:first-child").first.inner_text()  # type: ignore[attr-defined]
    assert top in {n["text"] for n in names}
    _close(page)


def _download(page: object, index: int, fmt: str) -> bytes:
    with page.expect_download() as event:  # type: ignore[attr-defined]
        page.click(f"#figure-{index} button[data-format={fmt}]")  # type: ignore[attr-defined]
    return Path(event.value.path()).read_bytes()


#: The tiny catalog's models with a parameter count released since 2020, as /trends draws them.
TINY_POINTS = {"Alpaca", "LLaMA", "Stable Diffusion", "Vicuna", "Zidong Taichu"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_downloads_as_png_svg_and_csv_with_its_citation(
    browser: object, dated_site: str, width: int, lang: str
) -> None:
    page = _open(browser, dated_site, "/trends?metric=parameters&since=2020", width, lang)
    shown = page.locator("#figure-0 .data-date").inner_text()  # type: ignore[attr-defined]
    assert shown == {"en": f"Data as of {AS_OF}", "zh": f"数据截至 {AS_OF}"}[lang]
    cite = page.locator("#cite-0").inner_text()  # type: ignore[attr-defined]
    url = f"{dated_site}/trends?metric=parameters&since=2020&lang={lang}"
    title = {"en": "Parameters", "zh": "参数量"}[lang]
    expected = {
        "en": f"modelatlas, {title}, data as of {AS_OF}, {url}",
        "zh": f"modelatlas，{title}，数据截至 {AS_OF}，{url}",
    }[lang]
    assert cite == expected
    table = _download(page, 0, "csv").decode("utf-8-sig").splitlines()
    assert table[0] == f"# {expected}"
    rows = list(csv.DictReader(io.StringIO("\n".join(table[1:]))))
    drawn = page.locator("#chart-0 .mark-symbol.layer_1_marks path").count()  # type: ignore[attr-defined]
    assert len(rows) == drawn == 5
    assert {r["name"] for r in rows} == TINY_POINTS and list(rows[0]) == [
        "name", "organization", "released", "value", "domain", "method"
    ]  # fmt: skip
    svg = _download(page, 0, "svg").decode("utf-8")
    lines = re.findall(r'<text[^>]*class="citation">([^<]*)</text>', svg)  # wrapped to the chart's width
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", expected.replace("&", "&amp;"))
    assert svg.startswith("<svg") and (len(lines) > 1) == (width == 390)
    assert 'font-family="&quot;Noto Sans SC Subset&quot;, sans-serif" fill="#444" class="citation"' in svg
    height = float(re.search(r'<svg[^>]* height="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    chart_height = page.evaluate(
        "async () => (await window.modelatlasViews[0]).container().querySelector('svg').height.baseVal.value"
    )  # type: ignore[attr-defined]
    assert height > chart_height
    png = _download(page, 0, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">I", png[20:24])[0] > 2 * chart_height  # the citation below, at 2x
    _close(page)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/", "/trends", "/timeline", "/lineage"])
def test_every_chart_page_offers_downloads_and_the_data_date(
    browser: object, dated_site: str, path: str, lang: str
) -> None:
    page = _open(browser, dated_site, path, 1366, lang)
    figures = page.locator("figure.chart-figure")  # type: ignore[attr-defined]
    assert figures.count() == page.locator(".chart").count() >= 1  # type: ignore[attr-defined]
    for i in range(figures.count()):
        assert AS_OF in figures.nth(i).locator(".data-date").inner_text()
        buttons = figures.nth(i).locator("button.export").all_inner_texts()
        assert buttons == ["PNG", "SVG", "CSV"]
        assert len(_download(page, i, "csv").splitlines()) >= 3
    _close(page)


PLOT = """async (i) => {
  const view = await window.modelatlasViews[i], svg = view.container().querySelector('svg');
  const box = svg.getBoundingClientRect(), [x, y] = view.origin();
  const card = document.getElementById('chart-' + i).getBoundingClientRect();
  const legends = Array.from(svg.querySelectorAll('.role-legend')).map(g => g.getBoundingClientRect());
  const titles = Array.from(svg.querySelectorAll('.role-title text')).map(t => t.getBoundingClientRect());
  return {width: view.width(), height: view.height(), left: box.left + x, top: box.top + y,
          right: box.left + x + view.width(), bottom: box.top + y + view.height(),
          card: {left: card.left, right: card.right},
          legends: legends.map(r => ({left: r.left, top: r.top, right: r.right})),
          titles: titles.map(r => ({left: r.left, right: r.right}))};
}"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", "/trends", "/timeline", "/lineage"])
def test_charts_keep_their_plot_on_a_phone_with_legends_below(
    browser: object, full_site: str, path: str, width: int, lang: str
) -> None:
    page = _open(browser, full_site, path, width, lang)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
    for index in range(page.locator(".chart").count()):  # type: ignore[attr-defined]
        plot = page.evaluate(PLOT, index)  # type: ignore[attr-defined]
        assert plot["height"] >= 200 and plot["width"] >= (250 if width == 390 else 600), plot
        for title in plot["titles"]:  # no subtitle cut at the card's edges
            assert (
                plot["card"]["left"] - 0.5 <= title["left"] and title["right"] <= plot["card"]["right"] + 0.5
            )
        for legend in plot["legends"]:
            assert legend["right"] <= plot["card"]["right"] + 0.5, plot  # none cut at the edge
            if width == 390:
                assert legend["top"] >= plot["bottom"], plot
            elif path != "/lineage":  # lineage keeps its relation legend below
                assert legend["left"] >= plot["right"], plot
    _close(page)
