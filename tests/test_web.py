"""The JSON API and the server-rendered pages, through FastAPI's TestClient, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import html
import inspect
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import Settings
from modelatlas.store.build import build_store
from modelatlas.web import create_app, deps


@pytest.fixture(params=["sqlite", "postgres"])
def client(request: pytest.FixtureRequest, tiny_catalog: Path, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'web.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    build_store(load_valid_catalog(tiny_catalog), url)
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as served:
        yield served


@pytest.fixture
def sqlite_client(tiny_catalog: Path, tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as served:
        yield served


def test_the_dependencies_that_only_read_the_request_run_in_its_event_loop() -> None:
    """A plain ``def`` dependency runs in FastAPI's thread pool: a hop to another thread and back,
    waiting for the interpreter's lock behind any request computing. The ones that only read the
    request or the app must not hop; the ones that may query the store (the trends' parameters) must,
    or they would stop the event loop."""
    cheap = [deps._settings, deps._engine, deps._lang, deps._hardware, deps._browse_filters]
    cheap += [deps._trend_filters, deps.browse_params]  # (a card to fit: read in the pool, awaited)
    assert all(inspect.iscoroutinefunction(dependency) for dependency in cheap)
    assert not inspect.iscoroutinefunction(deps.trend_params)


def test_models_api_filters_sorts_and_pages(client: TestClient) -> None:
    everything = client.get("/api/v1/models").json()
    assert everything["total"] == 6 and everything["next_offset"] is None
    nlp = client.get("/api/v1/models", params={"domain": "nlp", "sort": "parameters", "order": "asc"}).json()
    sizes = [item["parameters"] for item in nlp["items"] if item["parameters"]]
    assert sizes == sorted(sizes) and all("nlp" in item["domains"] for item in nlp["items"])
    first = client.get("/api/v1/models", params={"limit": 2, "sort": "name", "order": "asc"}).json()
    second = client.get(
        "/api/v1/models", params={"limit": 2, "offset": 2, "sort": "name", "order": "asc"}
    ).json()
    assert first["next_offset"] == 2 and second["offset"] == 2
    names = [i["name"] for i in first["items"] + second["items"]]
    assert names == sorted(names, key=str.lower) and len(set(names)) == 4


def test_models_api_search_facets_and_fields(client: TestClient) -> None:
    found = client.get("/api/v1/models", params={"q": "LLaMa", "fields": "id,name", "facets": "true"}).json()
    assert found["items"][0] == {"id": "llama", "name": "LLaMA"}
    assert set(found["items"][0]) == {"id", "name"}
    assert found["facets"]["domain"]["nlp"] >= 1
    chinese = client.get("/api/v1/models", params={"q": "紫东太初"}).json()
    assert [i["id"] for i in chinese["items"]] == ["zidong-taichu"]
    typo = client.get("/api/v1/models", params={"q": "vicunna"}).json()
    assert "vicuna" in [i["id"] for i in typo["items"]]
    both = client.get("/api/v1/models", params=[("domain", "nlp"), ("domain", "cv")]).json()
    only_nlp = client.get("/api/v1/models", params={"domain": "nlp"}).json()
    assert both["total"] > only_nlp["total"]
    big = client.get("/api/v1/models", params={"min_params": "60亿"}).json()
    assert all(i["parameters"] >= 6e9 for i in big["items"]) and big["total"] >= 1


def test_models_api_exports_csv_and_markdown(client: TestClient) -> None:
    response = client.get("/api/v1/models", params={"format": "csv", "fields": "id,parameters"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6 and set(rows[0]) == {"id", "parameters"}
    markdown = client.get("/api/v1/models", params={"format": "markdown", "fields": "id"}).text
    assert markdown.startswith("| id |") and markdown.count("\n") == 8


def test_model_api_and_errors_are_json(client: TestClient) -> None:
    llama = client.get("/api/v1/models/LLaMA-7B").json()
    assert llama["model"]["id"] == "llama"
    assert {d["model"] for d in llama["lineage"]["down"]} >= {"alpaca", "vicuna"}
    missing = client.get("/api/v1/models/gpt-99")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"status": 404, "message": missing.json()["error"]["message"]}}
    assert "gpt-99" in missing.json()["error"]["message"]
    for params, needle in (
        ({"limit": "many"}, "limit"),
        ({"limit": 0}, "limit"),
        ({"sort": "age"}, "sort"),
        ({"min_params": "lots"}, "min_params"),
        ({"fields": "id,colour"}, "colour"),
    ):
        bad = client.get("/api/v1/models", params=params)
        assert bad.status_code == 422, params
        assert needle in bad.json()["error"]["message"], params


def test_openapi_documents_the_api(sqlite_client: TestClient) -> None:
    spec = sqlite_client.get("/openapi.json").json()
    assert {"/api/v1/models", "/api/v1/models/{model_id}", "/healthz"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/v1/models"]["get"]["parameters"]}
    assert {
        "q",
        "domain",
        "org",
        "country",
        "openness",
        "year",
        "min_params",
        "offset",
        "limit",
        "fields",
    } <= params


def test_healthz(sqlite_client: TestClient, tmp_path: Path) -> None:
    assert sqlite_client.get("/healthz").json() == {"status": "ok"}
    with TestClient(create_app(Settings(db=f"sqlite:///{tmp_path / 'none.db'}"))) as empty:
        answer = empty.get("/healthz")
        assert answer.status_code == 503 and "modelatlas build" in answer.json()["message"]


def test_pages_render_in_both_languages(sqlite_client: TestClient) -> None:
    for path in ("/", "/models", "/models?q=llama&domain=nlp", "/models/llama"):
        english = sqlite_client.get(path, params={"lang": "en"})
        assert english.status_code == 200, path
        chinese = sqlite_client.get(path, params={"lang": "zh"})
        assert chinese.status_code == 200 and '<html lang="zh-CN">' in chinese.text, path
    home = sqlite_client.get("/", params={"lang": "zh"})
    assert "图谱中共 6 个模型" in home.text
    assert home.cookies.get("lang") == "zh"
    remembered = sqlite_client.get("/models")  # the cookie carries the choice
    assert "模型" in remembered.text and '<html lang="zh-CN">' in remembered.text


def test_models_page_state_lives_in_the_url(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/models", params=[("domain", "nlp"), ("sort", "name"), ("lang", "en")]).text
    assert 'class="facet-value on"' in page
    assert "/api/v1/models?domain=nlp&amp;sort=name&amp;limit=500&amp;format=csv" in page
    assert "6 models" not in page and "models" in page


def test_text_from_the_catalog_is_escaped(tiny_catalog: Path, tmp_path: Path) -> None:
    path = tiny_catalog / "models" / "llama.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("name: LLaMA\n", "name: LLaMA <script>alert(1)</script>\n", 1), encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'x.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    with TestClient(create_app(Settings(db=url))) as served:
        for page in (served.get("/models/llama").text, served.get("/models").text):
            assert "<script>alert(1)</script>" not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unknown_pages_and_bad_parameters(sqlite_client: TestClient) -> None:
    missing = sqlite_client.get("/models/gpt-99", params={"lang": "zh"})
    assert missing.status_code == 404 and "未找到" in missing.text and "gpt-99" in missing.text
    said = sqlite_client.get("/models", params={"limit": "lots"})  # the visitor's language, kept in a cookie
    assert said.status_code == 422 and "每页条数：须为整数" in said.text
    bad = sqlite_client.get("/models", params={"limit": "lots", "lang": "en"})
    assert bad.status_code == 422 and "limit: Input should be a valid integer" in bad.text
    assert sqlite_client.get("/no/such/page").status_code == 404


def test_trends_api_and_page(sqlite_client: TestClient) -> None:
    fit = sqlite_client.get("/api/v1/trends", params={"metric": "parameters", "since": 2020}).json()
    assert fit["fit"]["metric"] == "parameters" and fit["fit"]["n"] >= 3
    low, high = fit["fit"]["ci90"]
    assert low <= fit["fit"]["growth_per_year"] <= high
    assert "a year" in fit["headline"]
    too_few = sqlite_client.get("/api/v1/trends", params={"metric": "cost"})
    assert too_few.status_code == 422 and too_few.json()["error"]["message"]
    assert sqlite_client.get("/api/v1/trends", params={"metric": "speed"}).status_code == 422
    page = sqlite_client.get("/trends", params={"metric": "cost", "lang": "zh"})
    assert page.status_code == 200 and 'class="error-message"' in page.text
    assert 'id="headline"' in sqlite_client.get("/trends", params={"since": 2020}).text


def test_lineage_api(client: TestClient) -> None:
    vicuna = client.get("/api/v1/lineage/Vicuna").json()
    assert vicuna["up"] == [{"model": "llama", "name": "LLaMA", "relation": "fine-tune", "depth": 1}]
    assert vicuna["down"] == []
    alpaca = client.get("/api/v1/lineage/alpaca").json()
    assert [d["model"] for d in alpaca["down"]] == ["freedomgpt"]
    assert client.get("/api/v1/lineage/nobody").status_code == 404


def test_compare_timeline_lineage_pages_and_feed(sqlite_client: TestClient) -> None:
    compared = sqlite_client.get("/compare", params=[("m", "llama"), ("m", "Alpaca"), ("m", "vicuna")]).text
    assert compared.count('<th><a href="/models/') == 3
    # issue 21: one unknown name was a 404 for all; now it is said beside the others
    partly = sqlite_client.get("/compare", params=[("m", "llama"), ("m", "nobody"), ("m", "vicuna")])
    assert partly.status_code == 200 and partly.text.count('<th><a href="/models/') == 2
    assert partly.text.count('class="error-message missing"') == 1 and "nobody" in partly.text
    nobody = sqlite_client.get("/compare", params={"m": "nobody"})
    assert nobody.status_code == 200 and '<table class="facts" id="comparison">' not in nobody.text
    # a row no model has a value for is left out (the tiny catalog states no training cost for these)
    assert (
        "<th>Code</th>" not in sqlite_client.get("/compare", params={"m": "zidong-taichu", "lang": "en"}).text
    )
    seven = sqlite_client.get("/compare", params=[("m", "llama")] * 7)
    assert seven.status_code == 422 and "at most 6" in seven.text
    for path in ("/timeline", "/timeline?freq=year", "/lineage"):
        assert sqlite_client.get(path).status_code == 200, path
    assert sqlite_client.get("/timeline", params={"freq": "decade"}).status_code == 422
    # issue 21: the timeline's range and its switches' selected state
    assert sqlite_client.get("/timeline", params={"since": "soon"}).status_code == 422
    yearly = sqlite_client.get("/timeline", params={"freq": "year", "since": "2022", "lang": "en"}).text
    assert '"period": "2021"' not in yearly and '"period": "2022"' in yearly
    assert (
        '<a href="/timeline?freq=year&amp;since=2022" class="on" aria-current="page">per year</a>' in yearly
    )
    every = sqlite_client.get("/timeline", params={"since": "all", "lang": "en"}).text
    assert '"period": "2021Q3"' in every and every.count('aria-current="page"') == 2
    feed = sqlite_client.get("/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(feed.text)
    entries = root.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 6  # ordered by when each entered the atlas (its first source), not by release
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries]
    assert titles == ["Vicuna", "LLaMA", "Zidong Taichu", "FreedomGPT", "Alpaca", "Stable Diffusion"]
    assert entries[0].findtext("{http://www.w3.org/2005/Atom}updated") == "2026-11-23T00:00:00Z"
    summaries = [e.findtext("{http://www.w3.org/2005/Atom}summary") or "" for e in entries]
    assert "65.2B parameters" in summaries[1] and "65200000000" not in " ".join(summaries)  # issue 21
    zh = ET.fromstring(sqlite_client.get("/feed.atom", params={"lang": "zh", "domain": "cv"}).text)
    assert zh.findtext("{http://www.w3.org/2005/Atom}title") == "modelatlas：新收录模型 · 计算机视觉"
    only = zh.findall("{http://www.w3.org/2005/Atom}entry")
    assert [e.findtext("{http://www.w3.org/2005/Atom}title") for e in only] == ["Stable Diffusion"]
    assert "参数量" in (only[0].findtext("{http://www.w3.org/2005/Atom}summary") or "")
    page = sqlite_client.get("/new", params={"since": "2023-04", "domain": "nlp", "lang": "zh"})
    assert page.status_code == 200 and "新收录的模型" in page.text
    assert page.text.count('<tr><td><a href="/models/') == 4 and "stable-diffusion" not in page.text
    bad = sqlite_client.get("/new", params={"since": "soon"})
    said = "since &#39;soon&#39; is not a date: write 2026, 2026-11 or 2026-11-15"
    assert bad.status_code == 422 and said in bad.text


def test_model_page_draws_its_family_and_its_synced_counts(tiny_catalog: Path, tmp_path: Path) -> None:
    from modelatlas.live.ledger import Outcome, write_outcomes
    from modelatlas.store.engine import make_engine

    url = f"sqlite:///{tmp_path / 'h.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as served:
        page = served.get("/models/alpaca").text
        assert page.count('class="chart"') == 1  # its family: LLaMA → Alpaca → FreedomGPT
        engine = make_engine(url)
        repo = "tatsu-lab/stanford_alpaca"
        for day, stars in (("2026-11-01", 100.0), ("2026-11-08", 160.0)):
            write_outcomes(
                engine, "github", [Outcome(repo, "ok", None, {"stars": stars})], f"{day}T00:00:00Z"
            )
        engine.dispose()
        page = served.get("/models/alpaca").text
        assert page.count('class="chart"') == 2  # and the stars of its code over time
        assert '"value": 160.0' in page or '"value":160.0' in page


def test_serve_without_a_store_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli_runner import run

    code, _, err = run(capsys, "serve", "--db", str(tmp_path / "none.db"))
    assert code == 1 and err.count("\n") == 1 and "modelatlas build" in err
    code, _, err = run(capsys, "serve", "--port", "0", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "--port" in err


def test_model_page_links_dated_versions_and_marks_estimates(tiny_catalog: Path, tmp_path: Path) -> None:
    """A dated version names the model it belongs to, the model lists its versions, and a third party's
    figure sits under Estimates with who made it, never as the parameter count."""
    (tiny_catalog / "models" / "vicuna-v1-1.yaml").write_text(
        "id: vicuna-v1-1\nname: Vicuna v1.1\nversion_of: vicuna\nversion: v1.1\ndomains: [nlp]\n"
        "released: 2023-04-12\n"
        "estimates:\n  - {field: training.compute_flop, value: 2.1e21, by: Epoch AI, method: 6ND,"
        " confidence: likely, source: card}\n"
        "disputes:\n  - {field: openness, value: api-only, source: card, note: a list's claim}\n"
        'sources:\n  - {id: card, url: "https://huggingface.co/lmsys/vicuna-13b-delta-v1.1",'
        " accessed: 2026-11-23, fields: [released]}\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'web.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as served:
        base = served.get("/models/vicuna").text
        dated = served.get("/models/vicuna-v1-1").text
        chinese = served.get("/models/vicuna-v1-1", params={"lang": "zh"}).text
    assert "<th>Dated versions</th>" in base and '<a href="/models/vicuna-v1-1">v1.1</a>' in base
    assert "<th>Dated version of</th>" in dated and '<a href="/models/vicuna">Vicuna</a> (v1.1)' in dated
    assert "estimated by Epoch AI, 6·N·D" in dated or "estimated by Epoch AI, 6ND" in dated
    assert "likely (within ~10×)" in dated and '<span class="ref">[card]</span>' in dated
    assert "所属模型（日期版本）" in chinese and "估算方 Epoch AI" in chinese
    assert "<th>Dated versions</th>" not in dated
    assert "<th>Disputed claims</th>" in dated and "Openness: API only — a list&#39;s claim" in dated
    assert "存疑说法" in chinese and "开放程度: 仅 API" in chinese


def test_trends_api_leaves_estimates_out_on_request(sqlite_client: TestClient) -> None:
    """The tiny catalog states every parameter count, so leaving estimates out changes nothing and
    asking for estimates only finds too few; an unknown mode is a 422 naming the parameter."""
    params = {"metric": "parameters", "since": 2020}
    both = sqlite_client.get("/api/v1/trends", params=params).json()
    stated = sqlite_client.get("/api/v1/trends", params={**params, "estimates": "exclude"}).json()
    assert stated["fit"]["n"] == both["fit"]["n"] >= 3
    assert stated["selection"] == {
        "released_after": "2020-01-01",
        "since": "2020-01-01",
        "estimates": "exclude",
        "population": "notable",
    }
    assert sqlite_client.get("/api/v1/trends", params={**params, "estimates": "only"}).status_code == 422
    wrong = sqlite_client.get("/api/v1/trends", params={**params, "estimates": "maybe"})
    assert wrong.status_code == 422 and "estimates" in wrong.text
    page = sqlite_client.get("/trends", params={**params, "estimates": "exclude", "lang": "zh"}).text
    assert '<option value="exclude" selected>排除（仅厂商公布）</option>' in page


def test_trends_fit_notable_models_unless_asked_for_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The curated catalog plus four all-models rows: LLaMA-7B tuned for proteins (2023, 6.7B) is the one
    model Epoch does not judge notable, so it is fitted only with population=all; the page offers both."""
    from cli_runner import run
    from modelatlas.config import bundled_catalog

    url = f"sqlite:///{tmp_path / 'web.db'}"
    listing = Path(__file__).parent / "fixtures" / "epoch" / "all_ai_models.csv"
    assert run(capsys, "build", "--curated-only", "--db", url)[0] == 0
    assert run(capsys, "import", "epoch", str(listing), "--db", url)[0] == 0
    with TestClient(create_app(Settings(db=url, catalog=bundled_catalog()))) as served:
        params = {"metric": "parameters", "since": 2020}
        notable = served.get("/api/v1/trends", params=params).json()
        everything = served.get("/api/v1/trends", params={**params, "population": "all"}).json()
        assert everything["fit"]["n"] == notable["fit"]["n"] + 1
        assert (notable["selection"]["population"], everything["selection"]["population"]) == (
            "notable",
            "all",
        )
        assert " notable models released " in notable["headline"]
        assert " notable " not in everything["headline"]
        wrong = served.get("/api/v1/trends", params={**params, "population": "famous"})
        assert wrong.status_code == 422 and "population" in wrong.text
        page = served.get("/trends", params={**params, "population": "all", "lang": "zh"}).text
        assert '<option value="all" selected>图谱中的全部模型</option>' in page
        assert '<option value="notable" >重要模型（与 Epoch AI 口径一致）</option>' in page
        assert "个重要模型" in served.get("/trends", params={**params, "lang": "zh"}).text
        gpt3 = served.get(
            "/models/gpt-3", params={"lang": "en"}
        ).text  # its all-models row meets two of Epoch's criteria
        assert "<th>Judged notable</th>" in gpt3 and "Epoch AI: highly cited, training cost" in gpt3
        assert "Epoch AI: 高被引、训练成本高" in served.get("/models/gpt-3", params={"lang": "zh"}).text
        protein = served.get("/models/llama-7b-protein-oriented-instruction-tuned", params={"lang": "en"})
        assert protein.status_code == 200 and "Judged notable" not in protein.text


def test_home_page_says_how_current_the_atlas_is(tiny_catalog: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    info = {"curated_models": "6", "newest_curated": "2023-03-30"}
    build_store(load_valid_catalog(tiny_catalog), url, info=info)
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as served:
        english = served.get("/").text
        chinese = served.get("/", params={"lang": "zh"}).text
    assert "<h2>How current</h2>" in english
    assert "Curated catalog: 6 models, the newest released 2023-03-30." in english
    assert "人工整理目录：6 个模型，最新发布于 2023-03-30。" in chinese


def test_trending_page_ranks_what_sync_recorded(tiny_catalog: Path, tmp_path: Path) -> None:
    """Stars of Alpaca's and Vicuna's code, recorded a week apart: ranked by gain, in both languages;
    nothing recorded says how to get data; an unknown count is a 422."""
    from modelatlas.live.ledger import Outcome, write_outcomes
    from modelatlas.store.engine import make_engine

    vicuna = tiny_catalog / "models" / "vicuna.yaml"
    text = vicuna.read_text(encoding="utf-8").replace(
        "openness: open-weights-restricted\n",
        "openness: open-weights-restricted\ncode: [https://github.com/lm-sys/FastChat]\n",
    )
    vicuna.write_text(
        text.replace("openness, base_models]", "openness, base_models, code]"), encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 't.db'}"
    build_store(load_valid_catalog(tiny_catalog), url)
    now = dt.datetime.now(dt.UTC)
    engine = make_engine(url)
    repos = {"tatsu-lab/stanford_alpaca": (100.0, 160.0), "lm-sys/FastChat": (1000.0, 1010.0)}
    for ago, index in ((8, 0), (1, 1)):
        stamp = (now - dt.timedelta(days=ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        outcomes = [Outcome(repo, "ok", None, {"stars": counts[index]}) for repo, counts in repos.items()]
        write_outcomes(engine, "github", outcomes, stamp)
    engine.dispose()
    with TestClient(create_app(Settings(db=url, catalog=tiny_catalog))) as served:
        page = served.get("/trending", params={"metric": "stars", "days": 30}).text
        chinese = served.get("/trending", params={"metric": "stars", "lang": "zh"}).text
        empty = served.get("/trending", params={"metric": "likes", "lang": "en"}).text
        wrong = served.get("/trending", params={"metric": "views"})
    rows = re.findall(r'<tr><td>(\d+)</td><td><a href="/models/([\w-]+)">', page)
    assert rows == [("1", "alpaca"), ("2", "vicuna")]
    assert "+60" in page and "+10" in page and "Growth of stars over the last 30 days" in page
    assert "Hub 与 GitHub 热度" in chinese
    assert "run modelatlas sync" in empty
    assert wrong.status_code == 422 and "views" in wrong.text


def test_the_home_chart_and_trends_give_the_same_interval(sqlite_client: TestClient) -> None:
    """The home page draws /trends' default question, so the two show one fit (the same band, the same
    headline), not two intervals."""

    def charts(path: str) -> list[dict[str, object]]:
        page = sqlite_client.get(path, params={"lang": "en"}).text
        found = re.search(r"window.modelatlasCharts = (.*);\n", page)
        assert found is not None
        return list(json.loads(found.group(1)))

    fit = sqlite_client.get("/api/v1/trends", params={"lang": "en"}).json()
    home, trends = charts("/")[0], charts("/trends")[0]
    assert home == trends
    assert " ".join(home["title"]["subtitle"]) == fit["headline"]  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/models?q=llama",
        "/models/llama",
        "/trends",
        "/hardware",
        "/api/v1/models",
        "/openapi.json",
        "/docs",
        "/static/app.css",
        "/feed.atom",
        "/healthz",
    ],
)
def test_head_is_answered_wherever_get_is(sqlite_client: TestClient, path: str) -> None:
    got = sqlite_client.get(path, headers={"Accept-Encoding": "identity"})
    head = sqlite_client.head(path, headers={"Accept-Encoding": "identity"})
    assert got.status_code == head.status_code == 200, path
    assert head.content == b"" and len(got.content) > 0
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))


def test_head_of_a_missing_page_is_404_and_post_only_routes_refuse_get(sqlite_client: TestClient) -> None:
    assert sqlite_client.head("/models/no-such-model").status_code == 404
    assert sqlite_client.head("/nowhere").status_code == 404
    assert sqlite_client.get("/api/v1/memory").status_code != 405  # GET is declared there
    assert sqlite_client.put("/models").status_code == 405


def test_pages_and_answers_are_gzipped_when_the_client_accepts_it(sqlite_client: TestClient) -> None:
    for path in ("/", "/api/v1/models", "/static/app.css"):
        zipped = sqlite_client.get(path, headers={"Accept-Encoding": "gzip"})
        plain = sqlite_client.get(path, headers={"Accept-Encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip", path
        assert "content-encoding" not in plain.headers
        assert zipped.content == plain.content  # httpx undoes the gzip
        assert zipped.num_bytes_downloaded < len(plain.content) / 2
    small = sqlite_client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under 1 kB: not worth it


def test_api_docs_need_no_network(sqlite_client: TestClient) -> None:
    """/docs (Swagger UI) and /redoc load their assets from the package's own copies, none from a CDN."""
    for path, wanted in (
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}),
        ("/redoc", {"redoc.standalone.js", "favicon.png"}),
    ):
        page = sqlite_client.get(path).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert {asset.removeprefix("/static/api-docs/") for asset in assets} == wanted, path
        assert not re.search(r"https?://(?!www\.w3\.org)", page), path
        for asset in assets:
            assert sqlite_client.get(asset).status_code == 200, asset


def test_only_chinese_pages_preload_the_cjk_font(sqlite_client: TestClient) -> None:
    preload = '<link rel="preload" href="/static/fonts/cjk.otf"'
    assert preload in sqlite_client.get("/models?lang=zh").text
    assert preload not in sqlite_client.get("/models?lang=en").text


def test_the_api_and_the_cli_mean_the_same_by_each_filter(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """An organization by id, name or Chinese name, and release dates as the CLI takes them, select the
    same models in `list` and in /api/v1/models (one filter model behind both)."""
    from cli_runner import run

    url = str(client.app.state.settings.db)  # type: ignore[attr-defined]
    cases = [
        ({"org": "Stanford University"}, ["--org", "Stanford University"]),
        ({"org": "中国科学院"}, ["--org", "中国科学院"]),
        ({"org": "stanford"}, ["--org", "stanford"]),
        (
            {"released_after": "2023-03", "released_before": "2023-03"},
            ["--released-after", "2023-03", "--released-before", "2023-03"],
        ),
        ({"released_before": "2022"}, ["--released-before", "2022"]),
    ]
    for params, options in cases:
        api = [m["id"] for m in client.get("/api/v1/models", params=params).json()["items"]]
        code, out, _ = run(capsys, "list", *options, "--db", url, "--format", "json")
        assert code == 0
        assert api == [m["id"] for m in json.loads(out)], params
        assert api, params
    assert [
        m["id"]
        for m in client.get(
            "/api/v1/models", params={"released_after": "2023-03", "released_before": "2023-03"}
        ).json()["items"]
    ] == ["vicuna", "alpaca"]
    bad = client.get("/api/v1/models", params={"released_after": "March"})
    assert bad.status_code == 422
    assert (
        bad.json()["error"]["message"]
        == "released_after: 'March' is not a date: write 2023, 2023-03 or 2023-03-14"
    )


def test_trends_take_an_organization_by_name_as_list_does(sqlite_client: TestClient) -> None:
    """The tiny catalog has one Meta model: a fit needs three, and the message counts what was chosen."""
    asked = {"population": "all", "since": 2000}
    for org in ("meta", "Meta", "META"):
        answer = sqlite_client.get("/api/v1/trends", params={**asked, "org": org})
        assert answer.json()["error"]["message"].endswith("release date and parameters: only 1"), org
    unknown = sqlite_client.get("/api/v1/trends", params={**asked, "org": "Meta Platforms"})
    assert unknown.json()["error"]["message"].endswith("release date and parameters: none")
    everyone = sqlite_client.get("/api/v1/trends", params=asked).json()
    assert everyone["fit"]["n"] == 5 and "organization" not in everyone["selection"]  # 5 with a size


def test_a_rebuilt_store_is_served_at_once(tiny_catalog: Path, tmp_path: Path) -> None:
    """Issue 19: after a build, pooled connections kept reading the replaced file; old and new totals
    alternated for over a minute."""
    db = tmp_path / "store.db"
    build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{db}")
    with TestClient(create_app(Settings(db=str(db), catalog=tiny_catalog))) as client:
        assert [client.get("/api/v1/models").json()["total"] for _ in range(3)] == [6, 6, 6]
        assert "Zidong" in client.get("/models").text
        (tiny_catalog / "models" / "zidong-taichu.yaml").unlink()
        build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{db}")
        assert [client.get("/api/v1/models").json()["total"] for _ in range(3)] == [5, 5, 5]
        assert "Zidong" not in client.get("/models").text


def test_huge_numbers_and_nul_characters_are_answered_not_500s(client: TestClient) -> None:
    """Issue 19: integers past 2⁶³ and a NUL in a search were 500s (SQLite overflow, FTS5 "unterminated
    string"); the same on PostgreSQL."""

    def total(**params: str) -> int:
        answer = client.get("/api/v1/models", params=params)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["total"])

    assert total(min_params="1e19") == 0 and total(min_params="1e30", sort="parameters") == 0
    assert total(max_params="1e30") == total(min_params="0") > 0
    assert client.get("/api/v1/models", params={"offset": str(2**64)}).json()["items"] == []
    assert total(q="lla\0ma") == total(q="llama") > 0
    assert total(q="\0") == total()
    for path in ("/models", "/new", "/feed.atom"):
        assert client.get(path, params={"q": "vi\0cuna"}).status_code == 200, path
    assert client.get("/models", params={"min_params": "1e30"}).status_code == 200
    year = client.get("/api/v1/models", params={"year": str(2**63)})
    assert year.status_code == 422 and "is not a year from 1 to 9999" in year.json()["error"]["message"]


def test_an_unexpected_failure_answers_in_the_routes_shape(
    tiny_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: a 500 under /api was text/plain; now JSON there and the error page elsewhere, with no
    internals in either."""
    db = tmp_path / "store.db"
    build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{db}")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("modelatlas.web.views.browse_page", broken)
    app = create_app(Settings(db=str(db), catalog=tiny_catalog))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.get("/api/v1/models")
        page = client.get("/models")
    assert api.status_code == 500 and api.headers["content-type"] == "application/json"
    assert api.json()["error"] == {
        "status": 500,
        "message": "internal error: the request failed; the server's log has the details",
    }
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "internal error" in page.text and "secret internals" not in page.text + api.text


def test_a_method_not_allowed_says_which_are(sqlite_client: TestClient) -> None:
    """Issue 19 (and schemathesis ST204): 405s had no ``Allow`` header."""
    for path in ("/api/v1/models", "/models"):
        answer = sqlite_client.request("TRACE", path)
        assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD", path
    # two routes share the path: Starlette's own header named the first one's methods only
    assert sqlite_client.delete("/api/v1/memory").headers["allow"] == "GET, HEAD, POST"
    assert sqlite_client.put("/hardware").headers["allow"] == "GET, HEAD, POST"


def test_openapi_declares_the_csv_and_markdown_answers(sqlite_client: TestClient) -> None:
    """Issue 19: ``format=csv|markdown`` answered text the schema did not declare."""
    ok = sqlite_client.get("/openapi.json").json()["paths"]["/api/v1/models"]["get"]["responses"]["200"]
    assert sorted(ok["content"]) == ["application/json", "text/csv", "text/markdown"]
    for fmt, media in (("csv", "text/csv"), ("markdown", "text/markdown")):
        answer = sqlite_client.get("/api/v1/models", params={"format": fmt})
        assert answer.headers["content-type"].startswith(media)


def test_the_feed_links_to_the_configured_address_not_the_host_header(
    tiny_catalog: Path, tmp_path: Path
) -> None:
    """Issue 19: feed.atom built its links from the Host header, which a client chooses."""
    db = tmp_path / "store.db"
    build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{db}")
    forged = {"host": "evil.invalid"}
    with TestClient(create_app(Settings(db=str(db), catalog=tiny_catalog))) as client:
        assert "http://evil.invalid/models/" in client.get("/feed.atom", headers=forged).text
    settings = Settings(db=str(db), catalog=tiny_catalog, base_url="https://atlas.example.org/")
    with TestClient(create_app(settings)) as client:
        feed = client.get("/feed.atom", headers=forged).text
    assert "https://atlas.example.org/models/" in feed and "evil.invalid" not in feed


def test_the_chinese_models_page_names_facets_and_joins_lists_in_chinese(sqlite_client: TestClient) -> None:
    """Issue 21: modality facets stayed English, organizations showed raw ids and countries US/CN, and
    lists were joined with ", "."""
    zh = sqlite_client.get("/models", params={"lang": "zh"}).text
    values = dict(re.findall(r'data-value="([^"]+)">([^<]+?) <span>', zh))
    assert values["US"] == "美国" and values["CN"] == "中国" and values["GB"] == "英国"
    assert values["text"] == "文本" and values["image"] == "图像" and values["nlp"] == "自然语言处理"
    assert (
        values["stanford"] == "斯坦福大学" and values["lmsys"] == "LMSYS Org"
    )  # no Chinese name: as written
    en = sqlite_client.get("/models", params={"lang": "en"}).text
    values = dict(re.findall(r'data-value="([^"]+)">([^<]+?) <span>', en))
    assert values["US"] == "United States" and values["stanford"] == "Stanford University"
    assert values["text"] == "text"
    rows = re.findall(r'<td><a href="/models/alpaca">Alpaca</a></td>\s*<td>([^<]*)</td>', zh)
    assert rows == ["斯坦福大学"]


def test_lists_and_countries_as_each_language_writes_them() -> None:
    from modelatlas.web.i18n import country_name, joined

    assert (
        joined(["nlp", "cv"], str.upper, lang="zh") == "NLP、CV" and joined(["a", "b"], lang="en") == "a, b"
    )
    assert joined([], lang="zh") == "" and joined(["solo"], lang="zh") == "solo"
    assert [country_name(c, "zh") for c in ("US", "cn", "GB")] == ["美国", "中国", "英国"]
    assert country_name("US", "en") == "United States" and country_name("XX", "zh") == "XX"


def test_the_model_page_shows_what_the_store_holds(tiny_catalog: Path, tmp_path: Path) -> None:
    """Issue 21: model pages left out training compute, tokens and data, context length, architecture
    and active parameters."""
    path = tiny_catalog / "models" / "llama.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "architecture: {type: decoder-only}",
        "architecture: {type: decoder-only, note: RMSNorm and SwiGLU}\ncontext_length: 2048",
    ).replace(
        "training: {tokens: 1.4T, gpu_hours: 1022362}",
        "training: {tokens: 1.4T, gpu_hours: 1022362, dataset: CommonCrawl and others, "
        "compute_flop: 5.5e23, hardware: A100}",
    )
    path.write_text(
        text.replace("fields: [organizations,", "fields: [context_length, organizations,"), "utf-8"
    )
    db = tmp_path / "store.db"
    build_store(load_valid_catalog(tiny_catalog), f"sqlite:///{db}")
    with TestClient(create_app(Settings(db=str(db), catalog=tiny_catalog))) as client:
        en = client.get("/models/llama", params={"lang": "en"}).text
        zh = client.get("/models/llama", params={"lang": "zh"}).text
    for needle in (
        "Context length",
        "2,048",
        "Training tokens",
        "1.4T",
        "CommonCrawl and others",
        "5.50e+23 FLOP",
        "RMSNorm and SwiGLU",
        "A100",
    ):
        assert needle in en, needle
    for needle in ("上下文长度", "训练 token 数", "训练算力 (FLOP)", "架构"):
        assert needle in zh, needle


def test_every_architecture_has_a_label_in_both_languages() -> None:
    """Issue 21: the Chinese model page showed "decoder-only" as stored."""
    from typing import get_args

    from modelatlas.catalog.vocab import LABELS, ArchType

    missing = [a for a in get_args(ArchType) if a not in LABELS]
    assert missing == [] and LABELS["decoder-only"] == ("decoder-only Transformer", "仅解码器 Transformer")


def test_errors_are_said_in_the_pages_language_without_shell_advice(sqlite_client: TestClient) -> None:
    """Issue 21: every error on a Chinese page is Chinese, and no page gives command-line advice."""
    cases = [
        ("/models/gpt-99", {}, 404, "没有名为「gpt-99」的模型", "No model is called 'gpt-99'"),
        (
            "/models",
            {"limit": "lots"},
            422,
            "每页条数：须为整数",
            "limit: Input should be a valid integer",
        ),
        (
            "/models",
            {"min_params": "lots"},
            422,
            "最少参数：「lots」不是参数量",
            "Min. parameters: 'lots' is not",
        ),
        ("/models", {"year": "99999"}, 422, "年份", "year"),
        ("/no/such/page", {}, 404, "此地址没有页面。", "There is no page at this address."),
        (
            "/hardware",
            {"model": "llama", "context": "lots"},
            422,
            "上下文「lots」不是 1 到 10,000,000",
            "Context 'lots'",
        ),
        (
            "/hardware",
            {"model": "llama", "kv": "fp3"},
            422,
            "KV 缓存不能为「fp3」，可选：",
            "KV cache cannot be 'fp3'",
        ),
        (
            "/hardware",
            {"model": "llama", "gpu": "RTX 9999"},
            422,
            "本站目录中没有显卡列表",
            "no list of cards",
        ),
        (
            "/hardware",
            {"model": "llama", "gpus": "0"},
            422,
            "卡数：「0」不是 1 到 1,024 之间的整数",
            "Cards: '0'",
        ),
        (
            "/hardware",
            {"model": "no-such-model-x"},
            404,
            "没有名为「no-such-model-x」的模型",
            "No model is called",
        ),
    ]
    for path, params, status, chinese, english in cases:
        zh = sqlite_client.get(path, params={**params, "lang": "zh"})
        en = sqlite_client.get(path, params={**params, "lang": "en"})
        assert zh.status_code == en.status_code == status, (path, params)
        assert chinese in html.unescape(zh.text), (path, params, zh.text[-3000:])
        assert english in html.unescape(en.text), (path, params, en.text[-3000:])
        for page in (zh, en):
            assert "`modelatlas" not in page.text and "modelatlas search" not in page.text, (path, params)
            assert "--context" not in page.text and "--kv" not in page.text, (path, params)


def test_the_api_says_errors_plainly_and_the_cli_adds_its_advice(
    sqlite_client: TestClient, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.cli_runner import run

    missing = sqlite_client.get("/api/v1/models/gpt-99", headers={"accept-language": "zh"})
    assert missing.json()["error"]["message"] == "no model called 'gpt-99'"
    code, _, err = run(capsys, "show", "gpt-99", "--db", str(tmp_path / "web.db"))
    assert code == 1 and "(try `modelatlas search gpt-99`)" in err


def test_compare_says_an_unknown_name_in_the_pages_language(sqlite_client: TestClient) -> None:
    zh = sqlite_client.get("/compare", params=[("m", "llama"), ("m", "gpt-99"), ("lang", "zh")])
    assert (
        zh.status_code == 200 and "没有名为「gpt-99」的模型" in zh.text and "modelatlas search" not in zh.text
    )


def test_errors_without_a_phrase_say_their_kind_in_chinese() -> None:
    from modelatlas.errors import ConfigError, NotEnoughData, StoreMissing
    from modelatlas.web.i18n import said

    missing = StoreMissing(
        "no store at sqlite:///x.db", advice="run `modelatlas build` first", key="err_no_store"
    )
    assert str(missing) == "no store at sqlite:///x.db (run `modelatlas build` first)"
    assert said(missing, "zh") == "图谱尚无数据：数据库还没有建立。"
    assert said(missing, "en") == "This atlas has no data yet: its store has not been built."
    few = NotEnoughData("2 models with parameters are too few to split: 6 needed")
    assert said(few, "zh") == "数据不足：2 models with parameters are too few to split: 6 needed"
    assert said(few, "en") == "2 models with parameters are too few to split: 6 needed"
    bad = ConfigError("pasted config.json", "hidden_size", "missing")
    assert said(bad, "zh") == "config.json 无法使用：pasted config.json: hidden_size: missing"


def test_an_unknown_card_is_said_with_the_nearest_names() -> None:
    from modelatlas.analysis.hardware.gpus import load_gpu_table
    from modelatlas.errors import NotFound
    from modelatlas.web.i18n import said

    with pytest.raises(NotFound) as caught:
        load_gpu_table(Path("catalog")).find("RTX 4089")
    assert caught.value.key == "err_no_gpu_near" and caught.value.values["near"][0] == "GeForce RTX 4080"
    assert said(caught.value, "zh").startswith(
        "没有名为「RTX 4089」的显卡。是否要找「GeForce RTX 4080」、「GeForce RTX 2080」"
    )
    assert "modelatlas gpus" in str(caught.value) and "modelatlas" not in said(caught.value, "en")


#: Every page a visitor can reach from the navigation, and the pages behind a model and a calculation.
ZH_PAGES = [
    "/",
    "/models",
    "/models/llama",
    "/models/alpaca",
    "/trends",
    "/timeline",
    "/lineage",
    "/hardware",
    "/hardware?model=llama&precision=fp16",
    "/compare?m=llama&m=alpaca",
    "/new",
    "/trending",
    "/ecosystem",
    "/models/gpt-99",
]


def test_no_interface_word_is_left_in_english_on_a_chinese_page(sqlite_client: TestClient) -> None:
    """Issue 21: every word of the interface is Chinese on a Chinese page. The interface's words are the
    English side of the phrasebooks (web, vocabulary, calculator notes); the catalog's own text (names,
    titles, notes quoted from sources) is data, shown as written, and is left out of the check by taking
    out links and the catalog's free-text cells."""
    from modelatlas.analysis.hardware.wording import NOTES
    from modelatlas.catalog.vocab import LABELS
    from modelatlas.web.i18n import ERRORS, TEXT

    words = {
        en
        for table in (LABELS, TEXT, ERRORS, NOTES)
        for en, zh in table.values()
        if en != zh and len(en) >= 4 and not en.startswith("{")
    }
    for path in ZH_PAGES:
        page = sqlite_client.get(path, params={"lang": "zh"}).text
        main = page.split("<main", 1)[1].split("</main>", 1)[0]
        main = re.sub(
            r"<script.*?</script>|<a [^>]*>.*?</a>|<td class=\"data\">.*?</td>", " ", main, flags=re.S
        )
        said = re.findall(r'(?:title|placeholder|label|aria-label)="([^"]*)"', main)  # words in attributes
        shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main) + " ".join(said)).split())
        left = sorted(w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", shown))
        assert left == [], (path, left)


def test_counts_on_a_chinese_page_are_written_the_chinese_way(sqlite_client: TestClient) -> None:
    """Issue 21: a Chinese page wrote 65.2B; it writes 652亿, as the feed and the calculator do."""
    zh = sqlite_client.get("/models/llama", params={"lang": "zh"}).text
    en = sqlite_client.get("/models/llama", params={"lang": "en"}).text
    assert ">652亿<" in zh and "65.2B" not in zh.split("<main", 1)[1].split("window.modelatlas", 1)[0]
    assert ">65.2B<" in en


def test_facet_links_toggle_one_value_and_keep_the_rest(sqlite_client: TestClient) -> None:
    """A chosen value's link drops it (and the offset), another value's link adds it after what was asked;
    names with spaces or Chinese characters are encoded as ``urlencode`` does."""
    asked = [("q", "l l"), ("domain", "nlp"), ("offset", "50"), ("org", "甲 乙")]
    page = html.unescape(sqlite_client.get("/models", params=asked).text)
    links = set(re.findall(r'href="(/models\?[^"]*)"', page))
    assert "/models?q=l+l&org=%E7%94%B2+%E4%B9%99" in links  # nlp is on: its link drops it
    assert "/models?q=l+l&domain=nlp" in links  # the unknown organization is on: its link drops it
    assert "/models?q=l+l&domain=nlp&org=%E7%94%B2+%E4%B9%99&domain=cv" not in links  # cv has no model here
    assert "/models?q=l+l&domain=nlp&org=%E7%94%B2+%E4%B9%99&org=meta" in links  # meta is added
    assert "/models?q=l+l&domain=nlp&org=%E7%94%B2+%E4%B9%99&offset=0" in links  # the pager keeps its offset


@pytest.mark.parametrize(
    ("limit", "lead"),
    [
        (5, "5 models entered the atlas since 2023-04-01"),  # all five of them: nothing more to say
        (4, "The 4 models that entered the atlas most recently since 2023-04-01"),
    ],
)
def test_new_says_when_more_entered_than_it_lists(
    sqlite_client: TestClient, monkeypatch: pytest.MonkeyPatch, limit: int, lead: str
) -> None:
    """Five models entered the tiny catalog's atlas since 2023-04; a page of at most ``NEW_LIMIT``."""
    from modelatlas.web import deps
    from modelatlas.web.routes import pages

    monkeypatch.setattr(deps, "NEW_LIMIT", limit)
    monkeypatch.setattr(pages, "NEW_LIMIT", limit)
    page = sqlite_client.get("/new", params={"since": "2023-04", "lang": "en"}).text
    assert lead in page and page.count('<tr><td><a href="/models/') == limit
    assert ("more entered since then" in page) == (limit == 4)
    zh = sqlite_client.get("/new", params={"since": "2023-04", "lang": "zh"}).text
    assert ("最近的 4 个" in zh and "还有更多" in zh) == (limit == 4)
