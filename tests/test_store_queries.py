"""modelatlas.store.queries: the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process
from sqlalchemy import Connection, func, literal, select, text

from modelatlas.catalog.names import name_key
from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.errors import NotFound, StoreMissing
from modelatlas.store import queries as Q
from modelatlas.store import tables as T
from modelatlas.store.browse import Browse, browse, organization_ids
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.queries import in_array


@pytest.fixture
def conn(store_url: str, tiny_catalog: Path) -> Iterator[Connection]:
    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


_MANY = {"domain": "domain", "country": "country", "org": "organization", "modality": "modality"}


def ids(conn: Connection, **kwargs: object) -> list[str]:
    """``modelatlas list``'s answer: ``browse`` with one value per filter and no limit unless given."""
    fields: dict[str, object] = {"limit": None}
    for name, value in kwargs.items():
        fields[_MANY.get(name, name)] = (value,) if name in _MANY else value
    return [r.id for r in browse(conn, Browse(**fields), facets=False).rows]  # type: ignore[arg-type]


def test_list_default_order_is_newest_first_unknown_last(conn: Connection) -> None:
    assert ids(conn) == ["freedomgpt", "vicuna", "alpaca", "llama", "stable-diffusion", "zidong-taichu"]


def test_list_filters(conn: Connection) -> None:
    assert ids(conn, domain="cv") == ["stable-diffusion"]
    assert ids(conn, country="cn") == ["zidong-taichu"]
    assert ids(conn, org="Stanford University") == ["alpaca"]
    assert ids(conn, org="中国科学院自动化研究所") == ["zidong-taichu"]
    assert ids(conn, org="中国科学院") == ["zidong-taichu"]  # the start of a Chinese name is enough
    assert ids(conn, org="stanford") == ["alpaca"]  # the id
    assert ids(conn, org="STANFORD UNIVERSITY") == ["alpaca"]
    assert ids(conn, org="Stanford Univ") == []  # the start of an English name is not
    assert ids(conn, org="nobody") == []  # an unknown organization matches nothing, not everything
    assert ids(conn, modality="audio") == ["zidong-taichu"]
    assert ids(conn, min_params=10**10) == ["vicuna", "llama", "zidong-taichu"]
    assert ids(conn, max_params=7 * 10**9) == ["alpaca", "stable-diffusion"]
    assert ids(conn, open_only=True) == ["vicuna", "stable-diffusion"]
    assert ids(conn, base="llama") == ["freedomgpt", "vicuna", "alpaca"]
    assert ids(conn, released_after=dt.date(2023, 3, 14), released_before=dt.date(2023, 3, 31)) == ["vicuna"]
    assert ids(conn, sort="parameters", limit=2) == ["zidong-taichu", "llama"]
    assert ids(conn, sort="name", descending=False, limit=3) == ["alpaca", "freedomgpt", "llama"]


def test_organization_ids_resolve_ids_names_and_chinese_names(conn: Connection) -> None:
    assert organization_ids(conn, ["stanford"]) == ("stanford",)
    assert organization_ids(conn, ["Stanford University", "stanford"]) == ("stanford",)  # once
    assert organization_ids(conn, ["中国科学院"]) == organization_ids(conn, ["中国科学院自动化研究所"])
    assert len(organization_ids(conn, ["中国科学院"])) == 1
    assert organization_ids(conn, ["nobody", "stanford"]) == ("nobody", "stanford")


def test_rows_carry_display_fields(conn: Connection) -> None:
    row = browse(conn, Browse(domain=("multimodal",)), facets=False).rows[0]
    assert row.as_dict() == {
        "id": "zidong-taichu",
        "name": "Zidong Taichu",
        "organizations": ["Institute of Automation, Chinese Academy of Sciences"],
        "countries": ["CN"],
        "domains": ["multimodal"],
        "parameters": 100_000_000_000,
        "released": "2021-07",
        "openness": "closed",
        "architecture": None,
        "license": None,
    }


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("llama", "llama"),
        ("LLaMa", "llama"),
        ("llama-7b", "llama"),
        ("LLaMA 65B", "llama"),
        ("紫东太初", "zidong-taichu"),
        ("紫东·太初", "zidong-taichu"),
        ("Stanford Alpaca", "alpaca"),
    ],
)
def test_resolve(conn: Connection, name: str, model_id: str) -> None:
    assert Q.resolve(conn, name) == model_id


def test_resolve_unknown_suggests(conn: Connection) -> None:
    with pytest.raises(NotFound, match="did you mean 'LLaMA'"):
        Q.resolve(conn, "lama")


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("llama", "llama"),
        ("LLAMA", "llama"),
        ("alpacca", "alpaca"),
        ("紫东", "zidong-taichu"),
        ("vicunna", "vicuna"),
        ("ShareGPT", "vicuna"),
        ("斯坦福", "alpaca"),
    ],
)
def test_search(conn: Connection, text: str, first: str) -> None:
    hits = Q.search(conn, text)
    assert hits and hits[0].id == first


def test_search_nothing(conn: Connection) -> None:
    assert Q.search(conn, "zzzzqqq") == []


def test_lineage_both_ways(conn: Connection) -> None:
    tree = Q.lineage(conn, "alpaca")
    assert tree.up == [("llama", "instruction-tune", 1)]
    assert tree.down == [("freedomgpt", "fine-tune", 1)]
    # read as a tree: each derivative right under the model it was made from
    assert Q.lineage(conn, "llama").down == [
        ("alpaca", "instruction-tune", 1),
        ("freedomgpt", "fine-tune", 2),
        ("vicuna", "fine-tune", 1),
    ]


def test_get_model_round_trips(conn: Connection, tiny_catalog: Path) -> None:
    original = {e.record.id: e.record for e in load_valid_catalog(tiny_catalog).models}
    for model_id, record in original.items():
        assert Q.get_model(conn, model_id) == record


def test_overview(conn: Connection) -> None:
    result = Q.overview(conn)
    assert result.total == 6
    assert result.by_domain == {"cv": 1, "multimodal": 1, "nlp": 4}
    assert result.by_year == {2021: 1, 2022: 1, 2023: 4}
    assert result.by_domain_year[("nlp", 2023)] == 4
    assert [r.id for r in result.newest][:2] == ["freedomgpt", "vicuna"]


def test_the_counts_by_year_from_the_facet_index_are_those_of_the_model_tables(
    store_url: str, tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``overview`` reads the counts by year from the facet index where there is one: the same counts
    as from ``models`` and ``model_domains``, a domain a model lists twice counted twice, a combination
    of two models counted twice, a model with no release date in no year; without the index it counts
    them from those tables."""
    models = tiny_catalog / "models"
    vicuna = (models / "vicuna.yaml").read_text().replace("domains: [nlp]", "domains: [nlp, nlp, cv]")
    (models / "vicuna.yaml").write_text(vicuna)
    twin = vicuna.replace("vicuna", "vicuna-twin").replace("Vicuna", "Vicuna Twin")
    (models / "vicuna-twin.yaml").write_text(twin)
    llama = (models / "llama.yaml").read_text().splitlines()
    (models / "llama.yaml").write_text("\n".join(line for line in llama if not line.startswith("released:")))
    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    with engine.connect() as conn:
        by_year, by_domain_year = Q._year_counts(conn)
        with monkeypatch.context() as patched:
            patched.setattr(Q, "_year_counts", None)  # not asked: the facet index answers
            indexed = Q.overview(conn)
        for name in ("facet_values", "facet_sets", "model_facets"):
            conn.execute(text(f"DROP TABLE {name}"))
        without = Q.overview(conn)
    engine.dispose()
    assert indexed.by_year == dict(by_year) == without.by_year == {2021: 1, 2022: 1, 2023: 4}
    assert indexed.by_domain_year == dict(by_domain_year) == without.by_domain_year
    assert indexed.by_domain_year == {
        ("cv", 2022): 1,
        ("cv", 2023): 2,
        ("multimodal", 2021): 1,
        ("nlp", 2023): 6,
    }
    assert indexed == without


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="run `modelatlas build` first"):
        Q.check_store(make_engine(f"sqlite:///{tmp_path / 'none.db'}"))


# Near spellings, on the bundled catalog: what search answered when it compared the query with every name
# (scores: store.ranking; a near spelling scores 0.6 times its fuzz.ratio, ties newest first).
TYPOS: dict[str, list[tuple[str, str, float]]] = {
    "lamma": [("llama", "llama", 48.0), ("lamda", "lamda", 48.0)],
    "vicunna": [("vicuna", "vicuna", 55.4)],
    "alpacca": [
        ("alpaca", "alpaca", 55.4),
        ("chinese-llama-alpaca-2", "中文Alpaca-2", 45.0),
        ("galactica", "galactica", 45.0),
    ],
    "stabel diffusion": [
        ("stable-diffusion", "stable-diffusion", 56.0),
        ("stable-diffusion-3", "stable-diffusion-3", 54.2),
        ("stable-diffusion-2", "stable-diffusion-2", 54.2),
        ("stable-diffusion-xl", "stable-diffusion-xl", 52.5),
        ("stable-diffusion-3.5", "stable-diffusion-3.5", 50.9),
        ("stable-video-diffusion", "stable-video-diffusion", 48.0),
    ],
    "llama 3": [
        ("llama-3", "Llama 3", 100.0),
        ("llama-3.3", "Llama 3.3", 95.0),
        ("llama-3.2", "Llama 3.2", 95.0),
        ("llama-3.1", "Llama 3.1", 95.0),
        ("foundation-sec-8b", "Llama-3.1-FoundationAI-SecurityLLM-base-8B", 90.0),
        ("llama-3.1-nemotron-ultra", "Llama 3.1 Nemotron Ultra", 90.0),
        ("llama-3.1-nemotron-70b-instruct", "Llama 3.1 Nemotron 70B Instruct", 90.0),
        ("internvl-2", "InternVL2-Llama3-76B", 85.0),
        ("llama", "LLaMA-33B", 75.0),
        ("code-llama", "CodeLlama-34B", 70.0),
        ("marin-8b", "summary", 40.0),
        ("deepseek-r1-distill", "summary", 40.0),
    ],
    "qwne": [("qwen", "qwen", 45.0)],
    "mistrl": [("mistral-7b", "mistral-7b", 48.0)],
    "chatglm 7b": [
        ("chatglm-6b", "chatglm-6b", 53.3),
        ("chatglm", "chatglm", 52.5),
        ("chatglm3-6b", "chatglm3-6b", 50.5),
    ],
    "whispr": [
        ("whisper", "whisper", 55.4),
        ("whisper-large-v3", "Whisper V3", 48.0),
        ("whisper-large-v2", "Whisper V2", 48.0),
        ("whisper-jax", "whisper-jax", 45.0),
    ],
    "gpt 5": [
        ("gpt-5", "GPT 5", 100.0),
        ("yandexgpt-5-lite", "ЯндексGPT 5 Lite", 75.0),
        ("cerebras-gpt", "Cerebras-GPT-590M", 70.0),
        ("gpt-1", "GPT", 51.4),
        ("gpt-4.5", "gpt-4.5", 48.0),
        ("gpt-4", "gpt-4", 45.0),
        ("gpt-3", "gpt-3", 45.0),
        ("gpt-2", "gpt-2", 45.0),
    ],
    "dolly 3": [("dolly", "dolly", 54.5), ("dolly-2", "dolly-2", 50.0)],
    "xlnett": [("xlnet", "xlnet", 54.5)],
}  # fmt: skip


@pytest.fixture
def bundled(store_url: str) -> Iterator[Connection]:
    build_store(load_valid_catalog(bundled_catalog()), store_url)
    engine = make_engine(store_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _every_name(conn: Connection, query_key: str, limit: int) -> list[tuple[str, str, float]]:
    """The near names as search found them before: every row of model_names, compared in table order."""
    names = conn.execute(select(T.model_names.c.model_id, T.model_names.c.name, T.model_names.c.key)).all()
    keys = [key for _, _, key in names]
    found = process.extract(query_key, keys, scorer=fuzz.ratio, limit=limit, score_cutoff=75)
    return [(names[i][0], names[i][1], float(score)) for _, score, i in found]


def test_search_typos_pinned(bundled: Connection) -> None:
    for typo, expected in TYPOS.items():
        assert [(h.id, h.matched, h.score) for h in Q.search(bundled, typo)] == expected, typo


@pytest.mark.parametrize(("limit", "max_keys"), [(50, 2000), (3, 2000), (1, 2000), (50, 1), (2, 1)])
def test_near_names_are_those_of_every_name(
    bundled: Connection, monkeypatch: pytest.MonkeyPatch, limit: int, max_keys: int
) -> None:
    """Only the keys of a near length are compared and only the rows of the best keys read; a small
    limit makes the last place a tie of many rows, kept in the table's order as before."""
    monkeypatch.setattr(Q, "_NEAR_LIMIT", limit)
    monkeypatch.setattr(Q, "_MAX_KEYS", max_keys)
    found = 0
    for typo in [
        *TYPOS,
        "gpt",
        "gpt3",
        "ernie vilg",
        "palm e",
        "zidongtaichu",
        "t5 xxl",
        "bert large",
        "紫东太初",
    ]:
        key = name_key(typo)
        near = Q.near_names(bundled, key)
        assert near == _every_name(bundled, key, limit), typo
        found += len(near)
    assert found > 15


def test_organizations_find_their_models(store_url: str, tiny_catalog: Path) -> None:
    """An organization's id, name, Chinese name or alias, matched whole, finds its models at
    ``ranking.ORGANIZATION``, below their own names; a store without ``organization_names`` (built by an
    older modelatlas) still matches ids, names and Chinese names, not aliases."""
    orgs = tiny_catalog / "organizations.yaml"
    casia = "name_zh: 中国科学院自动化研究所,"
    orgs.write_text(orgs.read_text("utf-8").replace(casia, f"{casia} aliases: [中科院自动化所],"), "utf-8")
    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:

            def found(text: str) -> list[tuple[str, str, float]]:
                return [(h.id, h.matched, h.score) for h in Q.search(conn, text)]

            assert found("中国科学院") == [("zidong-taichu", "中国科学院自动化研究所", 80.0)]
            assert found("中科院自动化所") == [("zidong-taichu", "中科院自动化所", 80.0)]  # over its summary
            assert found("casia") == [("zidong-taichu", "casia", 80.0)]
            assert found("stanford") == [("alpaca", "Stanford Alpaca", 90.0)]  # its own alias first
            assert found("university") == [("alpaca", "Stanford University", 80.0)]
            assert found("AI") == [
                ("freedomgpt", "Age of AI", 80.0),
                ("llama", "Meta AI", 80.0),
                ("stable-diffusion", "Stability AI", 80.0),
                ("zidong-taichu", "Zidong Taichu", 70.0),  # the letters inside
            ]
            assert found("Stanford Univ") == []  # an organization's letters alone do not count
            conn.execute(text("DROP TABLE organization_names"))
            conn.commit()
            assert found("中国科学院") == [("zidong-taichu", "中国科学院自动化研究所", 80.0)]
            assert found("中科院自动化所") == [("zidong-taichu", "summary", 40.0)]
    finally:
        engine.dispose()


def test_in_array_is_membership_of_each_whole_id(conn: Connection) -> None:
    """PostgreSQL takes a list of ids as one text (``queries.in_array``): each id whole, however many,
    commas, spaces and quotes kept; none for an empty list. (SQLite takes a plain ``IN``.)"""
    if conn.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's form of a list of ids")
    m = T.models.c

    def found(ids: list[str]) -> list[str]:
        return sorted(conn.execute(select(m.id).where(in_array(m.id, ids))).scalars())

    every = sorted(conn.execute(select(m.id)).scalars())
    assert found(every) == every and len(every) == 6
    assert found(["llama", "llama", "no-such-model"]) == ["llama"]
    assert found(["llama,vicuna", "llama vicuna", "'llama'", "lla", ""]) == []  # no part of an id is one
    assert found([]) == []
    odd = ["a, b", "it's", 'say "x"', "{x}", "y\\z", "NULL"]  # not split, not quoted away
    shown = select(func.unnest(func.string_to_array(literal("\t".join(odd)), "\t")).label("v")).subquery()
    assert sorted(conn.execute(select(shown.c.v).where(in_array(shown.c.v, odd))).scalars()) == sorted(odd)
    assert conn.execute(select(shown.c.v).where(in_array(shown.c.v, ["a", " b", "it"]))).all() == []
