"""modelatlas.store.queries: the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.errors import NotFound, StoreMissing
from modelatlas.store import queries as Q
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine


@pytest.fixture
def conn(store_url: str, tiny_catalog: Path) -> Iterator[Connection]:
    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def ids(conn: Connection, **kwargs: object) -> list[str]:
    return [r.id for r in Q.list_models(conn, Q.ModelFilter(**kwargs))]  # type: ignore[arg-type]


def test_list_default_order_is_newest_first_unknown_last(conn: Connection) -> None:
    assert ids(conn) == ["freedomgpt", "vicuna", "alpaca", "llama", "stable-diffusion", "zidong-taichu"]


def test_list_filters(conn: Connection) -> None:
    assert ids(conn, domain="cv") == ["stable-diffusion"]
    assert ids(conn, country="cn") == ["zidong-taichu"]
    assert ids(conn, org="Stanford University") == ["alpaca"]
    assert ids(conn, org="中国科学院自动化研究所") == ["zidong-taichu"]
    assert ids(conn, modality="audio") == ["zidong-taichu"]
    assert ids(conn, min_params=10**10) == ["vicuna", "llama", "zidong-taichu"]
    assert ids(conn, max_params=7 * 10**9) == ["alpaca", "stable-diffusion"]
    assert ids(conn, open_only=True) == ["vicuna", "stable-diffusion"]
    assert ids(conn, base="llama") == ["freedomgpt", "vicuna", "alpaca"]
    assert ids(conn, released_after=dt.date(2023, 3, 14), released_before=dt.date(2023, 3, 31)) == ["vicuna"]
    assert ids(conn, sort="parameters", limit=2) == ["zidong-taichu", "llama"]
    assert ids(conn, sort="name", descending=False, limit=3) == ["alpaca", "freedomgpt", "llama"]


def test_rows_carry_display_fields(conn: Connection) -> None:
    row = Q.list_models(conn, Q.ModelFilter(domain="multimodal"))[0]
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


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="run `modelatlas build` first"):
        Q.check_store(make_engine(f"sqlite:///{tmp_path / 'none.db'}"))
