"""Every page in headless Chromium (Debian's package, driven by Playwright): it loads without a console
error, search and facets work by typing and clicking, the language switch sticks, charts draw.

Chromium comes from ``make test`` (Debian's ``chromium``); without it these tests fail under CI and are
skipped elsewhere. Screenshots go to ``$MODELATLAS_SCREENSHOTS`` when set (never into git).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import Settings
from modelatlas.store.build import build_store
from modelatlas.web import create_app

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("MODELATLAS_SCREENSHOTS")
LLAMA_2_7B = Path(__file__).parents[1] / "catalog" / "configs" / "meta-llama" / "Llama-2-7b-hf.json"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium")
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _served(catalog: Path, url: str) -> Iterator[str]:
    """The dashboard over ``catalog`` and the store at ``url``, served by uvicorn on 127.0.0.1 in a thread."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(db=url, catalog=catalog)), host="127.0.0.1", port=port, log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over the tiny catalog."""
    root = tmp_path_factory.mktemp("site")
    catalog = root / "catalog"
    shutil.copytree(Path(__file__).parent / "fixtures" / "catalog", catalog)
    url = f"sqlite:///{root / 'site.db'}"
    build_store(load_valid_catalog(catalog), url)
    with _served(catalog, url) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, site: str) -> Iterator[object]:
    context = browser.new_context(base_url=site, locale="en-US")  # type: ignore[attr-defined]
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    opened.on("pageerror", lambda exc: problems.append(str(exc)))
    opened.problems = problems
    yield opened
    context.close()


def _shot(page: object, name: str) -> None:
    if SHOTS:
        page.evaluate("document.fonts.ready")  # type: ignore[attr-defined]
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_home_draws_its_charts(page: object) -> None:
    page.goto("/")  # type: ignore[attr-defined]
    page.wait_for_selector("#chart-0 svg", timeout=20000)  # type: ignore[attr-defined]
    marks = page.locator("#chart-0 svg .mark-symbol path, #chart-0 svg .mark-rect path")  # type: ignore[attr-defined]
    assert marks.count() > 0
    _shot(page, "home-en")
    assert page.problems == []  # type: ignore[attr-defined]


def test_search_by_typing_and_facets_by_clicking(page: object) -> None:
    page.goto("/models")  # type: ignore[attr-defined]
    rows = page.locator("#results tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 6
    page.fill("#q", "LLaMa")  # type: ignore[attr-defined]
    page.press("#q", "Enter")  # type: ignore[attr-defined]
    page.wait_for_url("**/models?q=LLaMa*")  # type: ignore[attr-defined]
    names = page.locator("#results tbody tr td:first-child").all_inner_texts()  # type: ignore[attr-defined]
    assert names[0] == "LLaMA"
    page.goto("/models")  # type: ignore[attr-defined]
    page.click(".facet[data-facet=domain] a[data-value=cv]")  # type: ignore[attr-defined]
    page.wait_for_url("**domain=cv*")  # type: ignore[attr-defined]
    assert page.locator("#results tbody tr td:first-child").all_inner_texts() == ["Stable Diffusion"]  # type: ignore[attr-defined]
    page.click(".facet[data-facet=domain] a[data-value=nlp]")  # type: ignore[attr-defined]
    page.wait_for_url("**domain=nlp*")  # type: ignore[attr-defined]
    assert page.locator("#results tbody tr").count() == 5  # cv or nlp: four NLP models and one CV  # type: ignore[attr-defined]
    page.select_option("#sort", "name")  # type: ignore[attr-defined]
    page.wait_for_url("**sort=name*")  # type: ignore[attr-defined]
    shown = page.locator("#results tbody tr td:first-child").all_inner_texts()  # type: ignore[attr-defined]
    assert shown == sorted(shown, key=str.lower)
    _shot(page, "models-en")
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_language_switch_sticks(page: object) -> None:
    page.goto("/models/llama")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    page.click("#lang-switch")  # type: ignore[attr-defined]
    page.wait_for_url("**lang=zh*")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "zh-CN"  # type: ignore[attr-defined]
    _shot(page, "model-zh")
    page.click("header nav a[href='/models']")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "zh-CN"  # type: ignore[attr-defined]
    assert "共 6 个模型" in page.locator("#total").inner_text()  # type: ignore[attr-defined]
    page.goto("/")  # type: ignore[attr-defined]
    page.wait_for_selector("#chart-0 svg", timeout=20000)  # type: ignore[attr-defined]
    _shot(page, "home-zh")
    assert page.problems == []  # type: ignore[attr-defined]


def test_an_unknown_model_is_a_404_page(page: object) -> None:
    response = page.goto("/models/gpt-99")  # type: ignore[attr-defined]
    assert response.status == 404
    assert "gpt-99" in page.locator(".error-message").inner_text()  # type: ignore[attr-defined]


PAGES = {
    "home": ("/", 2),
    "models": ("/models?domain=nlp", 0),
    "model": ("/models/vicuna", 1),
    "compare": ("/compare?m=llama&m=alpaca&m=vicuna", 0),
    "trends": ("/trends?since=2020", 1),
    "timeline": ("/timeline", 1),
    "new": ("/new?since=2023", 0),
    "trending": ("/trending", 0),
    "lineage": ("/lineage", 1),
    "hardware": ("/hardware?model=LLaMA-7B&context=2048", 0),  # the tiny catalog has no gpus.yaml
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_loads_cleanly(page: object, name: str, lang: str) -> None:
    path, charts = PAGES[name]
    joiner = "&" if "?" in path else "?"
    response = page.goto(f"{path}{joiner}lang={lang}")  # type: ignore[attr-defined]
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")  # type: ignore[attr-defined]
    for index in range(charts):
        page.wait_for_selector(f"#chart-{index} svg .mark-group", timeout=20000)  # type: ignore[attr-defined]
        assert page.locator(f"#chart-{index} svg path").count() > 0  # type: ignore[attr-defined]
    _shot(page, f"{name}-{lang}")
    assert page.problems == []  # type: ignore[attr-defined]


ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")


@pytest.mark.parametrize("path", ["/trends?since=2020&lang=zh", "/?lang=zh"])
def test_chinese_time_axes_name_months_in_chinese(page: object, path: str) -> None:
    page.goto(path)  # type: ignore[attr-defined]
    page.wait_for_selector("#chart-0 svg .mark-group", timeout=20000)  # type: ignore[attr-defined]
    labels = page.locator("#chart-0 svg text").all_text_contents()  # type: ignore[attr-defined]
    assert any(label.endswith("月") for label in labels), labels  # 二月, 三月 on the release-date axis
    assert not [label for label in labels if ENGLISH_MONTHS.search(label)]
    assert page.problems == []  # type: ignore[attr-defined]


def test_log_axis_labels_only_powers_of_ten(page: object) -> None:
    """Since 2023 the tiny catalog's parameter counts span about one power of ten (7B to 65B): each label
    is one power, once, named as counts are (1B, 10B); the ticks between go unlabelled rather than
    repeating "1e10" (test_web_charts has the rest of issue 21's chart checks)."""
    page.goto("/trends?metric=parameters&since=2023")  # type: ignore[attr-defined]
    page.wait_for_selector("#chart-0 svg .mark-group", timeout=20000)  # type: ignore[attr-defined]
    labels = page.locator("#chart-0 svg g.role-axis[aria-label^='Y-axis'] .role-axis-label text")  # type: ignore[attr-defined]
    shown = [label for label in labels.all_text_contents() if label]
    assert len(shown) >= 2 and len(shown) == len(set(shown)), shown
    assert all(re.fullmatch(r"1(0|00)?[KMBT]", label) for label in shown), shown
    assert page.problems == []  # type: ignore[attr-defined]


#: For every chart on the page: its SVG's box, its card's box, and the box the page's content fits in.
BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  const main = document.querySelector("main"), style = getComputedStyle(main), outer = box(main);
  const content = {
    left: outer.left + parseFloat(style.paddingLeft), right: outer.right - parseFloat(style.paddingRight)};
  return Array.from(document.querySelectorAll(".chart")).map((card) => (
    {id: card.id, svg: box(card.querySelector("svg")), card: box(card), content: content}));
}"""


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return inner["left"] >= outer["left"] - 0.5 and inner["right"] <= outer["right"] + 0.5


@pytest.mark.parametrize("width", [1280, 800])
@pytest.mark.parametrize("name", sorted(name for name, (_, charts) in PAGES.items() if charts))
def test_charts_fit_their_cards(page: object, name: str, width: int) -> None:
    """Legends and axes included: no chart spills out of its card, no card out of the page."""
    path, charts = PAGES[name]
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    page.goto(path + ("&" if "?" in path else "?") + "lang=zh")  # type: ignore[attr-defined]
    for index in range(charts):
        page.wait_for_selector(f"#chart-{index} svg .mark-group", timeout=20000)  # type: ignore[attr-defined]
    boxes = page.evaluate(BOXES)  # type: ignore[attr-defined]
    assert len(boxes) == charts
    for chart in boxes:
        assert _inside(chart["svg"], chart["card"]), chart
        assert _inside(chart["card"], chart["content"]), chart
    _shot(page, f"{name}-zh-{width}px")


def test_a_bad_pasted_config_is_a_one_line_message_not_a_console_error(page: object) -> None:
    page.goto("/hardware?lang=en")  # type: ignore[attr-defined]
    page.click("#hw-paste summary")  # type: ignore[attr-defined]
    pasted = {
        '{"model_type": "llama",\n "hidden_size": }': "pasted config.json:2: not JSON: Expecting value",
        '{"hello": "world"}': "model_type: no model_type is not an architecture modelatlas counts",
        "[4096, 32]": "a config.json must be a JSON object",
    }
    for text, reason in pasted.items():
        page.fill("#hw-config", text)  # type: ignore[attr-defined]
        page.click("#calculator button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_function("!document.querySelector('#result[aria-busy]')")  # type: ignore[attr-defined]
        message = page.locator("#result .error-message").inner_text()  # type: ignore[attr-defined]
        assert reason in message and "\n" not in message.strip()
        assert page.locator("#memory").count() == 0  # type: ignore[attr-defined]
    _shot(page, "hardware-bad-paste")
    page.fill("#hw-config", LLAMA_2_7B.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    page.click("#calculator button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#memory")  # type: ignore[attr-defined]
    assert "6,738,415,616 parameters" in page.locator("#hw-summary").inner_text()  # type: ignore[attr-defined]
    assert page.locator("#result .error-message").count() == 0  # type: ignore[attr-defined]
    assert page.problems == []  # type: ignore[attr-defined]


#: Elements whose own text a page shows in Chinese, bold and regular: headings, nav, table heads, buttons.
CHINESE_TEXT = "header a, h1, h2, h3, th, td, label, button, summary, legend"
#: How many CJK ideographs each matching element's own text nodes hold, in document order (none for an
#: element that is not drawn, such as the phone's facet drawer handle on a desk).
CJK_COUNTS = """(selector) => Array.from(document.querySelectorAll(selector)).map(e =>
  e.getClientRects().length === 0 ? 0 : Array.from(e.childNodes).filter(n => n.nodeType === Node.TEXT_NODE)
    .map(n => (n.textContent.match(/[\\u3400-\\u9fff\\uf900-\\ufaff]/g) || []).length)
    .reduce((a, b) => a + b, 0))"""


def _glyphs_by_font(page: object, selector: str) -> list[dict[str, int]]:
    """For each element matching ``selector``, how many glyphs of its text each font drew (Chromium's own
    account, through the DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)  # type: ignore[attr-defined]
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    found = []
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        found.append({font["familyName"]: int(font["glyphCount"]) for font in fonts})
    cdp.detach()
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_chinese_is_drawn_with_the_bundled_font_not_as_boxes(page: object, name: str, lang: str) -> None:
    """The machine has no CJK font, so every ideograph (bold headings, and the 中文 switch on English
    pages) must come from the bundled subset; one drawn by a Latin font is an empty box."""
    path, _ = PAGES[name]
    page.goto(path + ("&" if "?" in path else "?") + f"lang={lang}")  # type: ignore[attr-defined]
    page.evaluate("document.fonts.ready")  # type: ignore[attr-defined]
    wanted = page.evaluate(CJK_COUNTS, CHINESE_TEXT)  # type: ignore[attr-defined]
    drawn = _glyphs_by_font(page, CHINESE_TEXT)
    assert len(wanted) == len(drawn) and sum(wanted) > 0
    boxes = [
        (count, fonts)
        for count, fonts in zip(wanted, drawn, strict=True)
        if count and fonts.get("Noto Sans SC Subset", 0) < count
    ]
    assert boxes == []


def test_latin_in_charts_is_drawn_sans_serif(page: object) -> None:
    """The page gives the bundled font only CJK, so a chart's Latin falls to the system sans, not serif."""
    page.goto("/models/vicuna?lang=zh")  # type: ignore[attr-defined]
    page.wait_for_selector("#chart-0 svg text", timeout=20000)  # type: ignore[attr-defined]
    drawn = _glyphs_by_font(page, "#chart-0 svg text")
    fonts = {font for found in drawn for font in found}
    assert fonts and not any("Serif" in font for font in fonts), fonts


@pytest.mark.parametrize("path", ["/models/llama", "/new?since=2023&lang=zh", "/trending", "/models?lang=zh"])
def test_a_phone_never_scrolls_the_page_sideways(browser: object, site: str, path: str) -> None:
    """At 390 px the page is 390 px wide: wide tables (the model page's GPU table) scroll in their box."""
    context = browser.new_context(base_url=site, viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(path)
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()


def test_the_api_docs_draw_with_no_request_leaving_the_server(page: object, site: str) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))  # type: ignore[attr-defined]
    page.goto("/docs")  # type: ignore[attr-defined]
    page.wait_for_selector(".swagger-ui .opblock-summary-path", timeout=20000)  # type: ignore[attr-defined]
    paths = page.locator(".opblock-summary-path").all_inner_texts()  # type: ignore[attr-defined]
    assert "/api/v1/models" in [p.strip() for p in paths]
    assert asked and all(url.startswith(site) for url in asked), asked
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over the bundled catalog (its cards and configs), for the calculator."""
    catalog = Path(__file__).parents[1] / "catalog"
    url = f"sqlite:///{tmp_path_factory.mktemp('bundled') / 'site.db'}"
    build_store(load_valid_catalog(catalog), url)
    with _served(catalog, url) as address:
        yield address


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_calculator_takes_a_size_a_family_a_repo_and_a_gguf_file(
    browser: object, bundled_site: str, tmp_path: Path, lang: str
) -> None:
    """Issue 20: what a person types into /hardware, and a .gguf file chosen, each answered."""
    from gguf_support import llama2_7b_header

    context = browser.new_context(base_url=bundled_site, locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    unknown = "未知" if lang == "zh" else "unknown"

    def ask(model: str) -> None:
        page.goto(f"/hardware?lang={lang}")
        page.fill("#hw-model", model)
        page.select_option("#hw-gpu", "rtx-4090")
        page.click("#calculator button[type=submit]")
        page.wait_for_selector("#memory")

    ask("70B")
    assert page.locator("#hw-subject").inner_text() == "70B"
    assert unknown in page.locator("#memory tbody tr").first.inner_text()
    ask("llama-2")
    assert page.locator("table.memory").count() == 3
    assert [page.locator(f"#hw-subject{s}").inner_text() for s in ("", "-2", "-3")] == [
        "Llama-2-7B llama-2",
        "Llama-2-13B llama-2",
        "Llama-2-70B llama-2",
    ]
    _shot(page, f"hardware-family-{lang}")
    ask("https://huggingface.co/meta-llama/Llama-2-7b-hf")
    assert "6,738,415,616" in page.locator("#hw-summary").inner_text()
    header = tmp_path / "llama-2-7b.Q4_K_M.gguf"
    llama2_7b_header(header)
    page.goto(f"/hardware?lang={lang}")
    page.select_option("#hw-gpu", "gtx-1060-3gb")
    page.click("#hw-gguf-box summary")
    page.set_input_files("#hw-gguf", str(header))
    page.click("#calculator button[type=submit]")
    page.wait_for_selector("#memory")
    assert page.locator("#memory tbody tr").first.get_attribute("data-label") == "Q4_K_M (file)"
    offload = page.locator("li.offload").inner_text()
    assert "llama.cpp -ngl" in offload and ("（共 32 层）" if lang == "zh" else "of 32 layers") in offload
    _shot(page, f"hardware-gguf-{lang}")
    page.goto(f"/hardware?lang={lang}")  # a config.json chosen as a file, as if pasted
    page.click("#hw-gguf-box summary")
    page.set_input_files("#hw-gguf", str(LLAMA_2_7B))
    page.click("#calculator button[type=submit]")
    page.wait_for_selector("#memory")
    assert "6,738,415,616" in page.locator("#hw-summary").inner_text()
    assert problems == []
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_phone_sees_the_answer_one_row_of_navigation_and_whole_dates(
    browser: object, bundled_site: str, lang: str
) -> None:
    """Issue 21 at 390 px: the calculator's total and fit were off-screen, the navigation took four
    rows, and dates broke mid-value ("2023-07-/31")."""
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=bundled_site, viewport={"width": 390, "height": 844}, locale="en-US"
    )
    page = context.new_page()
    page.goto(f"/hardware?model=Llama-2-7B&gpu=rtx-4090&precision=int4&lang={lang}")
    for selector in ("#memory td.total", "#memory td.fits"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390, selector
    header = page.locator("header").bounding_box()
    assert header is not None and header["height"] < 60  # one row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, f"phone-hardware-{lang}")
    page.goto(f"/models?lang={lang}")
    lines = page.eval_on_selector_all(  # the text of each date cell, laid out: one line box each
        "#results td.date",
        """cells => cells.filter(c => c.textContent.trim()).map(c => {
             const r = document.createRange(); r.selectNodeContents(c);
             return r.getClientRects().length; })""",
    )
    assert lines and set(lines) == {1}
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_phone_sees_results_before_the_facets(browser: object, site: str, lang: str) -> None:
    """Issue 21: at 390 px /models showed two screens of facets before any result; now the facets are a
    closed drawer above the results, opened by a tap."""
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=site, viewport={"width": 390, "height": 844}, locale="en-US"
    )
    page = context.new_page()
    page.goto(f"/models?lang={lang}&domain=nlp")
    drawer = page.locator("#facet-drawer > summary")
    assert drawer.inner_text() == ("筛选 (1)" if lang == "zh" else "Filters (1)")  # one facet chosen
    results, closed = page.locator("#results").bounding_box(), drawer.bounding_box()
    assert results is not None and closed is not None and closed["y"] < results["y"] < 844
    assert closed["height"] < 60 and not page.locator("section.facet").first.is_visible()
    drawer.click()
    assert page.locator("section.facet").first.is_visible()
    wide = browser.new_context(base_url=site, viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    desk = wide.new_page()
    desk.goto(f"/models?lang={lang}")
    side, table = desk.locator("aside.facets").bounding_box(), desk.locator("#results").bounding_box()
    assert side is not None and table is not None and side["x"] < table["x"]  # beside it on a desk
    assert (
        desk.locator("section.facet").first.is_visible()
        and not desk.locator("#facet-drawer > summary").is_visible()
    )
    context.close()
    wide.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_trend_statistics_search_and_errors_as_a_reader_sees_them(
    browser: object, bundled_site: str, lang: str, width: int
) -> None:
    """Issue 21, in the browser at both widths and in both languages: the fit's n, interval and R² under
    the headline on /trends and the home page, the same; eras on request; a Chinese name found first
    by typing it; an unknown model said in the page's language, with no command-line advice."""
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=bundled_site, viewport={"width": width, "height": 900}, locale="en-US"
    )
    page = context.new_page()
    page.goto(f"/trends?lang={lang}")
    stats = page.locator("#fit-stats")
    assert stats.is_visible()
    shown = stats.inner_text()
    page.goto(f"/?lang={lang}")
    assert page.locator("#home-fit").inner_text() == shown
    assert (
        ("拟合模型数" in shown and "R²" in shown)
        if lang == "zh"
        else ("Models fitted" in shown and "R²" in shown)
    )
    page.goto(f"/trends?breaks=2&lang={lang}")
    assert page.locator("#era-3").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing pushes the page sideways
    page.goto(f"/models?lang={lang}")
    page.fill("input[name=q]", "千问")
    page.press("input[name=q]", "Enter")
    first = page.locator("#results tbody tr").first.locator("a").first.inner_text()
    assert first.startswith(("Qwen", "通义千问")), first
    page.goto(f"/models/gpt-99?lang={lang}")
    said = page.locator(".error-message").inner_text()
    assert (
        said == ("没有名为「gpt-99」的模型。" if lang == "zh" else "No model is called 'gpt-99'.")
        or "gpt-99" in said
    )
    assert "modelatlas" not in said and (lang == "en" or "没有名为" in said)
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_chinese_reader_meets_no_interface_word_in_english(browser: object, site: str, width: int) -> None:
    """Issue 21 in the browser: every page of the tiny catalog's site, drawn in Chinese, read as the reader
    sees it (``innerText`` of the main part, links and the catalog's own text left out as data) holds no
    English side of the phrasebooks; the relations, the compare page's unknown name and a frontier fit's
    record-setters among them."""
    from modelatlas.analysis.hardware.wording import NOTES
    from modelatlas.catalog.vocab import LABELS
    from modelatlas.web.i18n import ERRORS, TEXT

    words = {
        en
        for table in (LABELS, TEXT, ERRORS, NOTES)
        for en, zh in table.values()
        if en != zh and len(en) >= 4 and not en.startswith("{")
    }
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=site, viewport={"width": width, "height": 900}, locale="en-US"
    )
    page = context.new_page()
    read = """() => { const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('a, script, .ref, td.data').forEach(e => e.remove());
        return main.innerText; }"""
    for path in (
        "/",
        "/models",
        "/models/alpaca",
        "/trends?frontier=true&since=1950",
        "/timeline",
        "/lineage",
        "/hardware?model=llama",
        "/compare?m=llama&m=gpt-99",
        "/ecosystem",
        "/models/gpt-99",
    ):
        page.goto(path + ("&" if "?" in path else "?") + "lang=zh")
        shown = page.evaluate(read)
        left = sorted(w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", shown))
        assert left == [], (path, left)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    page.goto("/compare?m=llama&m=gpt-99&lang=zh")
    assert "没有名为「gpt-99」的模型" in page.locator(".missing").inner_text()
    page.goto("/models/alpaca?lang=zh")
    assert page.locator(".lineage .rel").first.inner_text() in ("微调", "指令微调", "蒸馏", "继续预训练")
    context.close()
