"""Search on the default store (the bundled catalog and its datasets, as ``modelatlas build`` makes it):
the orders issue 21 asks for, exactly, on SQLite and PostgreSQL; and the CLI, the API and the models
page give the same order."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from modelatlas.config import Settings, bundled_catalog
from modelatlas.store import queries as Q
from modelatlas.store import ranking as R
from modelatlas.store.browse import Browse, browse
from modelatlas.store.engine import make_engine
from modelatlas.web import create_app
from tests.cli_runner import run
from tests.test_store_browse import _database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def default_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The store `make run` builds, once on each backend."""
    from modelatlas.cli.app import main

    with _database(request, tmp_path_factory) as url:
        with pytest.raises(SystemExit) as info:
            main(["build", "--db", url])
        assert info.value.code in (0, None)
        yield url


@pytest.fixture(scope="module")
def conn(default_store: str) -> Iterator[Connection]:
    engine = make_engine(default_store)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def ids(conn: Connection, text: str, limit: int = 5000) -> list[str]:
    return [hit.id for hit in Q.search(conn, text, limit=limit)]


def test_llama_3_ranks_its_versions_before_names_that_only_contain_the_letters(conn: Connection) -> None:
    found = Q.search(conn, "llama 3", limit=100)
    assert [(h.id, h.score) for h in found] == [
        ("llama-3", R.EXACT),
        ("llama-3.3", R.VERSION),  # newest first
        ("llama-3.2", R.VERSION),
        ("llama-3.1", R.VERSION),
        ("foundation-sec-8b", R.BEGINS),  # alias Llama-3.1-FoundationAI-SecurityLLM-base-8B
        ("llama-3.1-nemotron-ultra", R.BEGINS),
        ("llama-3.1-minitron-4b", R.BEGINS),
        ("llama-3.1-nemotron-70b-instruct", R.BEGINS),
        ("llama-3-airoboros-70b-3.3", R.BEGINS),
        ("llama-3-taide-lx-8b-chat-alpha1", R.BEGINS),
        ("llama-3-taiwan-70b", R.BEGINS),
        ("p-mistral-p-llama2-p-llama3-p-gemma", R.WORDS),
        ("internvl-2", R.WORDS),
        ("hermes-2-theta-llama-3-70b", R.WORDS),
        ("p-llama3", R.WORDS),  # no release date: last of its score
        ("llama", R.LETTERS),  # through LLaMA-33B
        ("code-llama", R.INSIDE),  # through CodeLlama-34B
        ("marin-8b", R.SUMMARY),
        ("deepseek-r1-distill", R.SUMMARY),
    ]
    order = [h.id for h in found]
    for version in ("llama-3", "llama-3.1", "llama-3.2", "llama-3.3"):
        assert order.index(version) < order.index("llama") < order.index("code-llama")
        assert order.index(version) < order.index("p-llama3")


def test_r1_ranks_the_whole_word_before_the_letters(conn: Connection) -> None:
    order = ids(conn, "r1")
    assert order[:5] == [
        "deepseek-r1-0528",
        "deepseek-r1",
        "deepseek-r1-distill",
        "deepseek-r1-lite-preview",
        "deepseek-r1-distill-qwen-14",
    ]
    assert order.index("deepseek-r1") < order.index("lyra-fr-10b")
    assert order.index("lyra-fr-10b") < order.index("ctm-cifar-10")  # both letters only: newest first
    scores = [h.score for h in Q.search(conn, "r1", limit=5000)]
    assert scores == sorted(scores, reverse=True) and scores[:5] == [R.WORDS] * 5 and scores[5] == R.INSIDE
    assert len(order) == 38


def test_qwen_ranks_the_family_then_its_other_names_then_the_organization(conn: Connection) -> None:
    found = Q.search(conn, "qwen", limit=5000)
    assert [h.id for h in found[:8]] == [
        "qwen",
        "qwen3.5",
        "qwen3",
        "qwen2.5",
        "qwen2",
        "qwen1.5",
        "qwen-3.7-max",
        "qwen-3.6-plus",
    ]
    assert [h.score for h in found[:8]] == [R.EXACT] + [R.VERSION] * 5 + [R.BEGINS] * 2
    scores = [h.score for h in found]
    assert scores == sorted(scores, reverse=True)
    assert Counter(scores) == {
        R.EXACT: 1,
        R.VERSION: 5,
        R.BEGINS: 31,
        R.WORDS: 2,
        R.ORGANIZATION: 25,
        R.SUMMARY: 3,
    }
    named = [h.id for h in found if h.score > R.ORGANIZATION]
    alibaba = [h.id for h in found if h.score == R.ORGANIZATION]
    assert "wan-2.1" in alibaba and "qwen-vl" in named  # Alibaba's alias "Qwen" finds its other models
    assert [h.matched for h in found if h.id == "wan-2.1"] == ["Qwen"]
    every_alibaba = browse(conn, Browse(organization=("alibaba",), limit=None), facets=False).rows
    assert {r.id for r in every_alibaba} <= {h.id for h in found}


def test_qianwen_finds_every_model_named_qwen(conn: Connection) -> None:
    """千问 is inside Qwen's Chinese alias 通义千问: it finds the models whose aliases say so and, through
    it, every model named Qwen, curated or imported, newest first."""
    found = Q.search(conn, "千问", limit=5000)
    order = [h.id for h in found]
    assert order[:6] == [
        "qwen-3.7-max",  # imported from Epoch AI: no Chinese alias of its own
        "qwen-3.6-plus",
        "qwen3.5-omni-flash",
        "qwen3.5-omni-plus",
        "qwen3.5",
        "qwen3-coder-next",
    ]
    assert {h.score for h in found} == {R.WORDS} and len(order) == 40
    named_qwen = [h.id for h in Q.search(conn, "qwen", limit=5000) if h.score >= R.WORDS]
    assert set(named_qwen) <= set(order)
    assert "wan-2.1" not in order  # an Alibaba model not named Qwen
    assert set(ids(conn, "通义千问")) >= set(order)
    assert ids(conn, "通义千问")[0] == "qwen"


def test_tsinghua_in_chinese_finds_every_model_of_the_organization(conn: Connection) -> None:
    """清华 is inside 清华大学: every model of Tsinghua, as many as the organization facet counts."""
    found = ids(conn, "清华")
    facet = browse(conn, Browse(text=None, limit=0), facets=True).facets["organization"]["tsinghua"]
    assert facet == 82 and len(found) == 82
    every = browse(conn, Browse(organization=("tsinghua",), limit=None), facets=False).rows
    assert set(found) == {r.id for r in every}
    assert found[:3] == ["eurus-2-7b-prime", "eagle-2", "nvila-15b"]  # newest first
    by_date = browse(conn, Browse(text="清华", sort="released", limit=None), facets=False)
    assert by_date.total == 82 and {r.id for r in by_date.rows} == set(found)


@pytest.mark.parametrize(
    ("query", "first", "count"),
    [
        ("深度求索", "deepseek-v3.2", 23),
        ("月之暗面", "kimi-k2.5", 10),
        ("混元", "hunyuan", 22),
        ("文心一言", "m-ac34e2863b", 4),
        ("通义千问", "qwen", 40),
    ],
)
def test_chinese_names_find_their_models(conn: Connection, query: str, first: str, count: int) -> None:
    found = ids(conn, query)
    assert found[0] == first and len(found) == count


def test_the_chinese_organization_name_is_what_matched(conn: Connection) -> None:
    hit = next(h for h in Q.search(conn, "月之暗面", limit=100) if h.id == "moonshot-v1")
    assert (hit.matched, hit.score) == ("月之暗面", R.ORGANIZATION)  # its Chinese name, not an alias


def test_the_cli_the_api_and_the_page_give_the_same_order(
    default_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(db=default_store, catalog=bundled_catalog())
    with TestClient(create_app(settings)) as client:
        for query in ("llama 3", "r1", "qwen", "千问", "清华"):
            code, out, err = run(capsys, "search", query, "--db", default_store, "-f", "csv", "--limit", "50")
            assert code == 0, err
            cli = [row["id"] for row in csv.DictReader(io.StringIO(out))]
            api = client.get("/api/v1/models", params={"q": query, "limit": 50, "fields": "id"}).json()
            page = client.get("/models", params={"q": query, "limit": 50}).text
            shown = re.findall(r'<td><a href="/models/([^"]+)">', page)
            assert cli == [item["id"] for item in api["items"]] == shown, query
            assert len(cli) == min(50, api["total"]) and len(cli) > 9


@pytest.mark.parametrize("query", ["llama 3", "qwen", "r1", "gpt"])
def test_a_hit_matched_the_first_by_name_of_its_best_names(conn: Connection, query: str) -> None:
    """Of a model's names that score its best, the first by name is the one that matched (``Llama 3``,
    not its id ``llama-3``), whatever order the database gives the names in."""
    from sqlalchemy import select

    from modelatlas.catalog.names import name_key, name_words
    from modelatlas.store import tables as T

    words, key = name_words(query), name_key(query)
    names: dict[str, list[str]] = {}
    for mid, name in conn.execute(select(T.model_names.c.model_id, T.model_names.c.name)):
        names.setdefault(mid, []).append(name)
    checked = 0
    for hit in Q.search(conn, query, limit=5000):
        tied = [
            name
            for name in names.get(hit.id, [])
            if R.name_score(words, key, name_words(name), name_key(name)) == hit.score
        ]
        if tied and hit.score >= R.INSIDE and hit.score != R.ORGANIZATION:
            assert hit.matched == min(tied), (hit, tied)
            checked += len(tied) > 1
    assert checked
