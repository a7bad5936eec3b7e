"""Issue 18: one filter model behind every edge. The same filters select the same models from `list`,
`export`, `/api/v1/models`, the models page, `trends` and `/api/v1/trends` (the trends count each model once:
dated versions are not analysed), and every filter of ``store.filters.FILTERS`` is taken by each edge,
so adding one is one place."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import typer
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from modelatlas.analysis import frame as frame_module
from modelatlas.analysis.frame import Selection, load_frame
from modelatlas.analysis.frame import select as select_rows
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.cli._filters import option_names
from modelatlas.cli.app import app as cli_app
from modelatlas.config import Settings, bundled_catalog
from modelatlas.errors import BadArgument, NotEnoughData
from modelatlas.store import tables as T
from modelatlas.store.browse import for_frame, selected_ids
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.filter_sql import conditions, organization_ids
from modelatlas.store.filters import FILTERS, Filters, filter_kwargs
from modelatlas.store.records import load_analysis_columns
from modelatlas.web import create_app


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled curated catalog (413 models, 6 of them dated versions), built once for the module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('filters') / 'store.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    return url


@pytest.fixture(scope="module")
def served(curated: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=curated, catalog=bundled_catalog()))) as client:
        yield client


@pytest.fixture(scope="module")
def versions(curated: str) -> set[str]:
    engine = make_engine(curated)
    with engine.connect() as conn:
        found = set(conn.execute(select(T.models.c.id).where(T.models.c.version_of.is_not(None))).scalars())
    engine.dispose()
    return found


#: Query parameters and how many models (dated versions included) the curated catalog has for them; the
#: comments say what the edges answered before issue 18, where they disagreed (measured on this store).
CASES: list[tuple[dict[str, Any], int]] = [
    ({"org": "阿里巴巴"}, 24),  # Chinese name
    ({"org": "alibaba"}, 24),  # id
    ({"org": "Qwen"}, 24),  # an alias (matched nothing anywhere before)
    ({"org": "阿里"}, 24),  # the start of the Chinese name
    ({"country": "CN"}, 150),  # any of its organizations' (the trends took the first's only: 147)
    ({"openness": "open"}, 230),  # downloadable weights (the API and list found none: not a value)
    ({"openness": "not-open"}, 183),
    ({"openness": "closed"}, 17),  # the catalog value (the trends took it for not-open: 179)
    ({"released_after": "2023-03-14", "released_before": "2023-09"}, 31),  # as stated (trends: 36)
    ({"min_params": "70B"}, 98),
    ({"source": "epoch"}, 125),
    ({"modality": "image"}, 156),
    ({"q": "llama"}, 28),
    ({"org": ["meta", "Qwen"], "min_params": "1B", "year": "2023"}, 8),
    ({"domain": "nlp", "openness": ["open", "api-only"], "country": "US"}, 86),
]


def _options(params: dict[str, Any]) -> list[str]:
    spelt = {s.param: option_names(s)[0] for s in FILTERS}
    found: list[str] = []
    for name, value in params.items():
        for one in [value] if isinstance(value, str) else value:
            found += [spelt[name], one]
    return found


def _api_ids(client: TestClient, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    while True:
        answer = client.get("/api/v1/models", params={**params, "sort": "released", "offset": len(ids)})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        ids += [m["id"] for m in page["items"]]
        if page["next_offset"] is None:
            return ids


@pytest.mark.parametrize(("params", "expected"), CASES, ids=[json.dumps(c[0]) for c in CASES])
def test_every_edge_selects_the_same_models(
    params: dict[str, Any],
    expected: int,
    curated: str,
    served: TestClient,
    versions: set[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cli_runner import run

    code, out, err = run(capsys, "list", *_options(params), "--db", curated, "--format", "json")
    assert code == 0, err
    listed = [m["id"] for m in json.loads(out)]
    assert _api_ids(served, params) == listed
    code, out, err = run(capsys, "export", "json", *_options(params), "--db", curated)
    assert code == 0, err
    assert {m["id"] for m in json.loads(out)} == set(listed)
    page = served.get("/models", params={**params, "lang": "en"}).text
    total = re.search(r'<p id="total">([^<]*)</p>', page)
    assert total is not None and re.sub(r"\D", "", total.group(1)) == str(len(listed))
    once = set(listed) - versions
    # the analysis table, as trends selects from it
    engine = make_engine(curated)
    with engine.connect() as conn:
        chosen = for_frame(conn, Selection(**filter_kwargs(params)))
    engine.dispose()
    assert set(select_rows(load_frame(curated), chosen)["id"]) == once
    # the trends' own edges: the number of models they select
    code, out, err = run(
        capsys, "trends", *_options(params), "--population", "all", "--db", curated, "-f", "json"
    )
    if code == 0:
        assert json.loads(out)["selected"] == len(once)
    else:  # too few with a size and a date to fit
        assert "release date and parameters" in err
    answer = served.get("/api/v1/trends", params={**params, "population": "all", "since": ""})
    if answer.status_code == 200:
        assert answer.json()["selected"] == len(once)
    else:
        assert "release date and parameters" in answer.json()["error"]["message"]
    assert len(listed) == expected


def test_an_organization_alias_resolves_but_an_unknown_name_matches_nothing(curated: str) -> None:
    engine = make_engine(curated)
    with engine.connect() as conn:
        assert organization_ids(conn, ["Qwen"]) == ("alibaba",)
        assert organization_ids(conn, ["qwen team"]) == ("alibaba",)  # case and spacing as names are keyed
        assert organization_ids(conn, ["FAIR", "智谱"]) == ("meta", "zhipu")
        assert organization_ids(conn, ["Qwen2"]) == ("Qwen2",)  # a model's name, no organization's
    engine.dispose()


def test_a_filter_unknown_to_an_edge_is_an_error_naming_it(served: TestClient) -> None:
    wrong = served.get("/api/v1/models", params={"estimates": "exclude"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["message"] == "estimates: not a filter of /models"
    assert served.get("/api/v1/models", params={"since": "2020"}).status_code == 422  # trends' name
    assert served.get("/models", params={"until": "2020"}).status_code == 422
    assert served.get("/new", params={"estimates": "only"}).status_code == 422
    assert served.get("/api/v1/trends", params={"estimates": "only", "population": "all"}).status_code in (
        200,
        404,
        422,
    )  # the trends' own: taken (too few estimates to fit may follow)
    unknown_value = served.get("/api/v1/models", params={"openness": "public"})
    assert unknown_value.status_code == 422
    assert unknown_value.json()["error"]["message"].startswith(
        "openness: 'public' is not one of open, not-open, "
    )
    assert served.get("/api/v1/trends", params={"domain": "chemistry"}).status_code == 422


def test_unknown_values_and_filters_are_errors_on_the_command_line(
    curated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli_runner import run

    code, _, err = run(capsys, "list", "--openness", "public", "--db", curated)
    assert code == 2 and err.startswith("Error: --openness: 'public' is not one of open, not-open,")
    code, _, err = run(capsys, "list", "--estimates", "only", "--db", curated)
    assert code == 2 and "No such option: --estimates" in err
    code, _, err = run(capsys, "new", "--population", "famous", "--db", curated)
    assert code == 2 and "--population: 'famous' is not one of notable, all" in err


# One place: every filter is a field, a parameter of each edge, a condition in SQL and in the frame.

#: A value for each filter that selects something narrower than everything.
SAMPLES: dict[str, Any] = {
    "text": "llama",
    "domain": ("cv",),
    "modality": ("image",),
    "organization": ("meta",),
    "country": ("CN",),
    "openness": ("open",),
    "year": (2023,),
    "released_after": dt.date(2023, 1, 1),
    "released_before": dt.date(2020, 1, 1),
    "min_params": 10**9,
    "max_params": 10**9,
    "open_only": True,
    "base": "llama",
    "only": ("gpt-3",),
    "source": "epoch",
    "population": "notable",
}


def test_every_field_of_the_filter_model_is_a_filter() -> None:
    """A field of ``Filters`` is a filter of every edge (``only`` is the callers' own: ids they chose)."""
    assert [s.field for s in FILTERS] == [f.name for f in fields(Filters) if f.name != "only"]
    assert set(SAMPLES) == {f.name for f in fields(Filters)}


def test_every_command_takes_every_filter() -> None:
    commands = {c.name: c for c in typer.main.get_command(cli_app).commands.values()}  # type: ignore[attr-defined]
    for name in ("list", "new", "trends", "report", "export"):
        options = {o for p in commands[name].params for o in p.opts}
        missing = [option_names(s)[0] for s in FILTERS if option_names(s)[0] not in options]
        assert not missing, (name, missing)


def _query_params(dependant: Dependant) -> set[str]:
    found = {p.alias for p in dependant.query_params}
    for below in dependant.dependencies:
        found |= _query_params(below)
    return found


def test_every_route_with_filters_takes_every_filter() -> None:
    from modelatlas.web.routes import api, pages

    app_routes = [*api.router.routes, *pages.router.routes]
    routes = {r.path: r for r in app_routes if isinstance(r, APIRoute) and "GET" in r.methods}
    for path in ("/api/v1/models", "/api/v1/trends", "/models", "/new", "/trends"):
        taken = _query_params(routes[path].dependant)
        missing = [s.param for s in FILTERS if s.param not in taken]
        assert not missing, (path, missing)


def test_every_filter_has_a_sql_condition_and_the_frame_applies_or_refuses_it(curated: str) -> None:
    frame = load_frame(curated)
    for name, value in SAMPLES.items():
        if name in ("text", "base"):  # answered as search hits and lineage ids (browse, resolve)
            continue
        assert conditions(Filters(**{name: value})), name
        applies = next((s.frame for s in FILTERS if s.field == name), True)
        if applies:
            kept = select_rows(frame, Selection(**{name: value}))
            assert 0 < len(kept) < len(frame) or name == "population", name  # curated: all notable
        else:
            with pytest.raises(BadArgument, match=f"^{name}: the analysis table cannot apply it"):
                select_rows(frame, Selection(**{name: value}))


def test_the_parser_names_an_unknown_filter() -> None:
    with pytest.raises(BadArgument, match="^organisation: not a filter; the filters are q, domain,"):
        filter_kwargs({"organisation": "meta"})
    assert filter_kwargs({"org": ["meta", " "], "open": False, "min_params": "7B"}) == {
        "organization": ("meta",),
        "min_params": 7 * 10**9,
    }


#: Filters and the models of the tiny catalog (Meta given the alias Facebook) they select.
TINY: list[tuple[dict[str, Any], list[str]]] = [
    ({"org": "Facebook"}, ["llama"]),
    ({"org": "斯坦福"}, ["alpaca"]),
    ({"country": "US"}, ["alpaca", "freedomgpt", "llama", "vicuna"]),
    ({"openness": "open"}, ["stable-diffusion", "vicuna"]),
    ({"openness": "not-open"}, ["alpaca", "freedomgpt", "llama", "zidong-taichu"]),
    ({"openness": ["closed", "research-only"]}, ["alpaca", "llama", "zidong-taichu"]),
    ({"source": "seed000"}, ["stable-diffusion"]),
    (
        {"population": "notable"},
        ["alpaca", "freedomgpt", "llama", "stable-diffusion", "vicuna", "zidong-taichu"],
    ),
    ({"released_after": "2023-03", "released_before": "2023"}, ["alpaca", "freedomgpt", "vicuna"]),
    ({"min_params": "7B", "max_params": "13B"}, ["alpaca", "vicuna"]),
    ({"q": "llama"}, ["alpaca", "llama", "vicuna"]),
]


@pytest.mark.parametrize(("params", "expected"), TINY, ids=[json.dumps(c[0]) for c in TINY])
def test_sql_and_the_frame_agree_on_sqlite_and_postgresql(
    params: dict[str, Any], expected: list[str], store_url: str, tiny_catalog: Path
) -> None:
    """SQLite answers on its facet index, PostgreSQL with plain SQL; the analysis table in pandas."""
    from modelatlas.store.browse import Browse, browse

    listing = tiny_catalog / "organizations.yaml"
    listing.write_text(
        listing.read_text().replace("name_zh: Meta AI,", "name_zh: Meta AI, aliases: [Facebook],")
    )
    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        found = browse(
            conn, Browse(**filter_kwargs(params), sort="name", descending=False, limit=None), facets=False
        )
        chosen = for_frame(conn, Selection(**filter_kwargs(params)))
        # what a trend of a large store reads (web.views.Analysis.rows_for): all of them, or none if more
        selected = selected_ids(conn, chosen, len(expected))
        fewer = selected_ids(conn, chosen, len(expected) - 1)
    engine.dispose()
    listed = [row.id for row in found.rows]
    assert listed == expected
    assert sorted(select_rows(load_frame(store_url), chosen)["id"]) == listed
    assert sorted(selected or ()) == listed and fewer is None
    assert load_analysis_columns(store_url, selected)["id"] == listed  # their rows alone, by id


def test_population_keeps_the_notable_models_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An Epoch AI all-models row Epoch does not judge notable (LLaMA-7B tuned for proteins) is listed
    with population=all, and left out with notable, by `list`, the API and the trends alike (which
    count the curated catalog's 6 dated versions once, under their models)."""
    from cli_runner import run

    url = f"sqlite:///{tmp_path / 'store.db'}"
    listing = Path(__file__).parent / "fixtures" / "epoch" / "all_ai_models.csv"
    assert run(capsys, "build", "--curated-only", "--db", url)[0] == 0
    assert run(capsys, "import", "epoch", str(listing), "--db", url)[0] == 0
    protein = "llama-7b-protein-oriented-instruction-tuned"
    with TestClient(create_app(Settings(db=url, catalog=bundled_catalog()))) as client:
        for population, expected in (("all", 414), ("notable", 413)):
            code, out, err = run(capsys, "list", "--population", population, "--db", url, "-f", "json")
            assert code == 0, err
            listed = [m["id"] for m in json.loads(out)]
            assert len(listed) == expected and (protein in listed) == (population == "all")
            assert _api_ids(client, {"population": population}) == listed
            trend = client.get("/api/v1/trends", params={"population": population, "since": ""}).json()
            assert trend["selected"] == expected - 6


def test_the_trends_repeat_the_filters_as_asked(served: TestClient) -> None:
    """Organizations as ids, the text as words: not the ids of the models it found."""
    params = {"q": "qwen", "org": "Qwen", "population": "all", "since": "2023", "modality": "text"}
    answer = served.get("/api/v1/trends", params=params).json()
    assert answer["selection"] == {
        "text": "qwen",
        "modality": "text",
        "organization": "alibaba",
        "released_after": "2023-01-01",
        "since": "2023-01-01",
        "population": "all",
        "estimates": "include",
    }
    assert answer["selected"] == 22  # `list` with the same filters: 22, none a dated version


@pytest.mark.parametrize("population", ["all", "notable"])
def test_a_trend_reads_only_its_models_rows_and_fits_as_on_the_whole_table(
    curated: str, population: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Analysis.rows_for``: in a store of more than ``ALONE_UP_TO`` models, a trend of at most that many
    reads their rows alone (the worker keeps no table), one of more reads the table and keeps it; its
    models, fit and count are those the whole table gives, for every case."""
    from modelatlas.web import views

    monkeypatch.setattr(frame_module, "ALONE_UP_TO", 100)  # of the curated catalog's 413 models
    engine = make_engine(curated)
    whole = views.Analysis("whole", engine, curated, None)
    whole.load_table()
    table = len(whole.frame)
    narrowed = []
    for params, expected_count in CASES:
        with engine.connect() as conn:
            chosen = for_frame(conn, Selection(**filter_kwargs(params), population=population))  # type: ignore[arg-type]
        query = views.TrendQuery(selection=chosen, boot=100)
        fresh = views.Analysis("fresh", engine, curated, None)
        rows = fresh.rows_for(chosen)
        if expected_count <= 100:  # (every curated model is notable)
            assert fresh._frame is None and len(rows) <= expected_count  # read for this question alone
            narrowed.append(len(rows))
        else:
            assert fresh._frame is not None and len(rows) == table
        try:
            expected = views._fit(whole.frame, query)
        except NotEnoughData:
            with pytest.raises(NotEnoughData):
                views._fit(rows, query)
            continue
        shown, fit, selected = views._fit(rows, query)
        assert selected == expected[2] and fit == expected[1]
        pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected[0].reset_index(drop=True))
    assert len(narrowed) == 10 and sum(narrowed) == 358  # 364 listed, 6 of them dated versions
    # a store of at most ALONE_UP_TO models: its table, read once and kept, whatever the question
    monkeypatch.setattr(frame_module, "ALONE_UP_TO", 413)
    small = views.Analysis("small", engine, curated, None)
    with engine.connect() as conn:
        few = for_frame(conn, Selection(organization=("meta",), population=population))  # type: ignore[arg-type]
    assert len(small.rows_for(few)) == table and small._frame is not None
    engine.dispose()


def test_a_store_without_the_facet_index_selects_the_same_ids(tiny_catalog: Path, sqlite_url: str) -> None:
    """``selected_ids`` on the models' own tables (a store built before the facet index)."""
    from sqlalchemy import text as sql

    from modelatlas.store.browse import FACET_TABLES

    build_store(load_valid_catalog(tiny_catalog), sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        for table in FACET_TABLES:
            conn.execute(sql(f"DROP TABLE {table}"))
    with engine.connect() as conn:
        for params, expected in TINY[1:]:  # (Meta has no alias Facebook here)
            chosen = for_frame(conn, Selection(**filter_kwargs(params)))
            assert sorted(selected_ids(conn, chosen, len(expected)) or ()) == expected, params
            assert selected_ids(conn, chosen, len(expected) - 1) is None, params
    engine.dispose()


def test_the_trends_command_reads_only_its_models_rows_in_a_large_store(
    curated: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`modelatlas trends` reads what ``load_frame`` reads for its filters: with ``ALONE_UP_TO`` under
    the store's 413 models, Alibaba's 24 alone (their rows by id), and says the same as from the table."""
    import modelatlas.store.records as records
    from cli_runner import run

    asked: list[object] = []
    real = records.analysis_column_chunks

    def spy(url: str, ids: Any = None) -> Iterator[dict[str, list[Any]]]:
        asked.append(None if ids is None else len(ids))
        return real(url, ids)

    monkeypatch.setattr(frame_module, "analysis_column_chunks", spy)
    argv = ("trends", "--org", "alibaba", "--population", "all", "--db", curated, "-f", "json")
    said = []
    for limit in (413, 100):
        monkeypatch.setattr(frame_module, "ALONE_UP_TO", limit)
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        said.append(json.loads(out))
    assert asked == [None, 24] and said[0] == said[1] and said[0]["selected"] == 24


def test_the_notable_models_of_a_facet_are_not_probed_combination_by_id(
    tiny_catalog: Path, sqlite_url: str
) -> None:
    """``selected_ids`` of population=notable and a domain: SQLite probed the index of (combo, id) once
    per passing combination and notable id (at a million models 80 s); it reads the ids' rows instead."""
    from sqlalchemy import event

    build_store(load_valid_catalog(tiny_catalog), sqlite_url)
    engine = make_engine(sqlite_url)
    sent: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT MODEL_FACETS.ID"):
            sent.append((statement, parameters))

    with engine.connect() as conn:
        for population in ("notable", "all"):  # every model of the tiny catalog is curated, so notable
            chosen = for_frame(conn, Selection(domain=("nlp",), population=population))  # type: ignore[arg-type]
            assert sorted(selected_ids(conn, chosen, 10) or ()) == ["alpaca", "freedomgpt", "llama", "vicuna"]
        plans = [
            " ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            for statement, parameters in sent
        ]
    engine.dispose()
    assert len(plans) == 2
    assert "(combo=? AND id=?)" not in plans[0] and "PRIMARY KEY (id=?)" in plans[0], plans[0]
    assert "ix_model_facets_combo" in plans[1], plans[1]  # with no list of ids, the combinations' index


def test_a_trend_with_eras_reads_its_models_rows_once(curated: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fit and the eras of a trend no build keeps share one read of its models' rows."""
    from modelatlas.web import views

    monkeypatch.setattr(frame_module, "ALONE_UP_TO", 100)
    reads: list[int] = []
    real = views.narrowed_frame

    def counted(url: str, selection: Selection) -> pd.DataFrame | None:
        found = real(url, selection)
        reads.append(-1 if found is None else len(found))
        return found

    monkeypatch.setattr(views, "narrowed_frame", counted)
    engine = make_engine(curated)
    with engine.connect() as conn:
        chosen = for_frame(conn, Selection(domain=("cv",), population="all", released_after=None))
    data = views.Analysis("eras", engine, curated, None)
    view = views._trend_view(data, views.TrendQuery(selection=chosen, boot=100, breaks="1", since=None), "en")
    engine.dispose()
    assert len(reads) == 1 and 0 < reads[0] <= 100 and data._frame is None
    assert view["breakpoints"] is not None and view["selected"] == reads[0]
