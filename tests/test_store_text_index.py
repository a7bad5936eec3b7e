"""The trigram index and the name keys by length find exactly what the scans of the names find, only
faster; a store without them still works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.store.browse import Browse, browse
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.queries import search
from modelatlas.store.text_index import (
    KEYS_TABLE,
    TEXT_TABLE,
    has_text_index,
    keys_of_length,
    text_ids,
    text_rows,
)

QUERIES = [
    "llama",
    "LLaMA-2",
    "chatglm",
    "diffusion",
    "紫东太初",
    "whisper",
    "chinese",
    "7b",
    "gpt",
    "vicunna",
    "lamma",
    "whispr",
    "gpt 5",
    "alpacca",
    "chatglm 7b",
    "r1",
    "qw",
    "清华",
    "ai",
    "_",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fts') / 'store.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    return url


def _answers(url: str) -> dict[str, tuple[list[str], list[str]]]:
    engine = make_engine(url)
    found = {}
    with engine.connect() as conn:
        for query in QUERIES:
            ranked = [hit.id for hit in search(conn, query, limit=200)]
            ordered = browse(conn, Browse(text=query, sort="released", limit=200), facets=False)
            found[query] = (ranked, [row.id for row in ordered.rows])
    engine.dispose()
    return found


def test_the_index_answers_as_the_scan_does(store: str, tmp_path: Path) -> None:
    engine = make_engine(store)
    with engine.connect() as conn:
        assert has_text_index(conn)
    engine.dispose()
    indexed = _answers(store)
    assert indexed["llama"][0][:2] == ["llama", "llama-2"] or "llama" in indexed["llama"][0][:3]
    assert all(indexed[q][0] for q in ("llama", "chatglm", "diffusion", "whisper"))

    plain = tmp_path / "plain.db"
    plain.write_bytes(Path(store.removeprefix("sqlite:///")).read_bytes())
    engine = make_engine(f"sqlite:///{plain}")
    with engine.begin() as conn:
        keys = {n: sorted(keys_of_length(conn, n, n)) for n in range(1, 40)}
        conn.execute(text(f"DROP TABLE {TEXT_TABLE}"))
        conn.execute(text(f"DROP TABLE {KEYS_TABLE}"))
    with engine.connect() as conn:
        assert not has_text_index(conn)
        assert {n: sorted(keys_of_length(conn, n, n)) for n in range(1, 40)} == keys
        assert sorted(keys_of_length(conn, 1, 39)) == sorted(k for n in keys for k in keys[n])
    engine.dispose()
    assert any(keys.values())
    assert _answers(f"sqlite:///{plain}") == indexed


def test_a_rebuild_rebuilds_the_index(store: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'again.db'}"
    build_store(load_valid_catalog(bundled_catalog()), url)
    build_store(load_valid_catalog(bundled_catalog()), url)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT count(*) FROM {TEXT_TABLE}")).scalar()
        models = conn.execute(text("SELECT count(*) FROM models")).scalar()
    engine.dispose()
    assert rows == models


def test_postgresql_searches_names_and_summaries_through_trigram_indexes(
    postgres_url: str, tiny_catalog: Path
) -> None:
    """On PostgreSQL a build adds pg_trgm's GIN indexes, and the planner answers the browser's substring
    conditions from them (with the scans a six-model table makes cheapest ruled out: on a large store
    they read every row)."""
    from sqlalchemy import select

    from modelatlas.store import tables as T
    from modelatlas.store.queries import text_match
    from modelatlas.store.text_index import TRIGRAM_INDEXES

    build_store(load_valid_catalog(tiny_catalog), postgres_url)
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            found = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
            assert {name for name, _, _ in TRIGRAM_INDEXES} <= found
            for scan in ("seqscan", "indexscan", "indexonlyscan"):  # what a tiny table makes cheapest
                conn.execute(text(f"SET enable_{scan} = off"))
            condition = text_match("alpac")
            query = select(T.models.c.id).where(condition)
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(conn.execute(text(f"EXPLAIN {compiled}")).scalars())
            for name, _, _ in TRIGRAM_INDEXES:
                assert name in plan, plan
            assert list(conn.execute(query).scalars()) == ["alpaca"]
    finally:
        engine.dispose()


def test_postgresql_keeps_name_keys_and_walks_the_sort_indexes(postgres_url: str, tiny_catalog: Path) -> None:
    from sqlalchemy import select

    from modelatlas.store import tables as T
    from modelatlas.store.sort_indexes import SORT_INDEXES

    build_store(load_valid_catalog(tiny_catalog), postgres_url)
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            stored = sorted(keys_of_length(conn, 1, 100))
            every = sorted(conn.execute(select(T.model_names.c.key).distinct()).scalars())
            assert stored == every and len(every) > 10
            assert sorted(keys_of_length(conn, 5, 5)) == [k for k in every if len(k) == 5]
            found = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
            assert {name for name, _ in SORT_INDEXES} <= found
            conn.execute(text("SET enable_seqscan = off"))
            conn.execute(text("SET enable_sort = off"))
            page = Browse(domain=("nlp",), limit=2)
            assert [r.id for r in browse(conn, page, facets=False).rows] == ["freedomgpt", "vicuna"]
            m = T.models.c
            query = select(m.id).order_by(m.released.desc().nulls_last(), m.id).limit(2)
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(conn.execute(text(f"EXPLAIN {compiled}")).scalars())
            assert "ix_models_released_desc" in plan, plan
    finally:
        engine.dispose()


#: Two-character searches (below the trigram indexes' three): names (``gp``: FreedomGPT, ``na``: Vicuna),
#: a summary (``gp``: Vicuna's ShareGPT; ``ch``: its "Chatbot", and Taichu's name), Chinese in summaries
#: (模型, 斯坦) and in a name (东太: 紫东太初), LIKE's wildcards ``_`` and ``%`` as themselves, nothing (qx).
TWO = ["gp", "ch", "na", "模型", "斯坦", "东太", "a_", "%a", "qx", "7b"]


def test_postgresql_answers_two_characters_from_bigram_indexes(
    postgres_url: str, tiny_catalog: Path, tmp_path: Path
) -> None:
    """Migration 0014's function gives a text's distinct two-character substrings (characters, not
    bytes); the build indexes names and summaries by it, and a two-character search reads those indexes
    (with the scans a six-model table makes cheapest ruled out), finding what SQLite's scan finds."""
    from sqlalchemy import select

    from modelatlas.store import tables as T
    from modelatlas.store.queries import text_match
    from modelatlas.store.text_index import BIGRAM_INDEXES

    catalog = load_valid_catalog(tiny_catalog)
    build_store(catalog, postgres_url)
    sqlite_url = f"sqlite:///{tmp_path / 'store.db'}"
    build_store(catalog, sqlite_url)
    engine, lite = make_engine(postgres_url), make_engine(sqlite_url)
    try:
        with engine.connect() as conn, lite.connect() as other:
            bigrams = "SELECT modelatlas_bigrams(:value)"
            assert sorted(conn.execute(text(bigrams), {"value": "清华大学"}).scalar_one()) == [
                "华大",
                "大学",
                "清华",
            ]
            assert conn.execute(text(bigrams), {"value": "aaab"}).scalar_one() == ["aa", "ab"]
            assert conn.execute(text(bigrams), {"value": "a"}).scalar_one() == []
            assert conn.execute(text(bigrams), {"value": None}).scalar_one() is None
            found = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
            assert {name for name, _, _ in BIGRAM_INDEXES} <= found
            answers = {}
            for query in TWO:
                condition = text_match(query)
                assert condition is not None, query
                ids = select(T.models.c.id).where(condition).order_by(T.models.c.id)
                answers[query] = list(conn.execute(ids).scalars())
                assert answers[query] == list(other.execute(ids).scalars()), query
                assert search(conn, query) == search(other, query), query
            assert answers == {
                "gp": ["freedomgpt", "vicuna"],
                "ch": ["vicuna", "zidong-taichu"],
                "na": ["vicuna"],
                "模型": ["alpaca", "llama", "zidong-taichu"],
                "斯坦": ["alpaca"],
                "东太": ["zidong-taichu"],
                "a_": [],
                "%a": [],
                "qx": [],
                "7b": ["alpaca", "llama"],
            }
            for scan in ("seqscan", "indexscan", "indexonlyscan"):
                conn.execute(text(f"SET enable_{scan} = off"))
            query = select(T.models.c.id).where(text_match("gp"))
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(conn.execute(text(f"EXPLAIN {compiled}")).scalars())
            for name, _, _ in BIGRAM_INDEXES:
                assert name in plan, plan
    finally:
        engine.dispose()
        lite.dispose()


def test_a_three_character_search_leaves_the_bigram_indexes_alone(
    postgres_url: str, tiny_catalog: Path
) -> None:
    """Only a part of exactly two characters asks the bigram index (one or three: plain ``LIKE``)."""
    from modelatlas.store.queries import text_match

    build_store(load_valid_catalog(tiny_catalog), postgres_url)
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            for query, asked in (("gpt", False), ("gp", True), ("g", False)):
                condition = text_match(query)
                assert condition is not None
                sql = str(condition.compile(conn))
                assert ("modelatlas_bigrams" in sql) is asked, (query, sql)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_contains_takes_percent_and_underscore_literally(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """``contains`` escapes ``LIKE``'s wildcards in a part of any length but two (which the bigram
    test covers): ``%`` and ``_`` match only themselves, and what contains the part still matches."""
    from sqlalchemy import literal, select

    from modelatlas.store.text_index import contains

    url = request.getfixturevalue("postgres_url") if backend == "postgres" else "sqlite://"
    cases = [
        ("alpaca", "al%", False),
        ("xal%ca", "al%", True),
        ("alpaca", "a_p", False),
        ("la_paca", "a_p", True),
        ("alpaca", "_", False),
        ("a_b", "_", True),
        ("alpaca", "%", False),
        ("alpaca", "lpac", True),
        ("alpaca", "l_ac", False),
        ("alpaca", "alpacas", False),
    ]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = [
                conn.execute(select(contains(literal(value), part))).scalar_one() for value, part, _ in cases
            ]
        assert [bool(f) for f in found] == [expected for _, _, expected in cases]
    finally:
        engine.dispose()


def test_a_short_summary_search_reads_the_index_rows_then_the_summaries_themselves(
    store: str, tmp_path: Path
) -> None:
    """Below three characters the summaries are found by scanning ``model_text`` first: every model
    the summaries hold (either case of ASCII letters), and none whose two summaries only hold the
    needle across the space that joins them in the index."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(store.removeprefix("sqlite:///")).read_bytes())
    engine = make_engine(f"sqlite:///{copy}")
    summaries = {"llama": ("Ends in Zq", "开头 Jx"), "whisper": ("nothing", "有 QJ 和 zq")}
    with engine.begin() as conn:
        for mid, (en, zh) in summaries.items():
            conn.execute(
                text("UPDATE models SET summary_en = :en, summary_zh = :zh WHERE id = :id"),
                {"en": en, "zh": zh, "id": mid},
            )
            conn.execute(
                text(f"UPDATE {TEXT_TABLE} SET summary = :summary WHERE model_id = :id"),
                {"summary": f"{en} {zh}", "id": mid},
            )
    found = {}
    with engine.connect() as conn:
        for query in ("zq", "qj", "q 开", "q j"):
            found[query] = sorted(h.id for h in search(conn, query, limit=5000) if h.matched == "summary")
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {TEXT_TABLE}"))
    with engine.connect() as conn:
        scanned = {
            q: sorted(h.id for h in search(conn, q, limit=5000) if h.matched == "summary") for q in found
        }
    engine.dispose()
    assert found == scanned
    assert found["zq"] == ["llama", "whisper"]
    assert found["qj"] == ["whisper"]
    assert found["q 开"] == found["q j"] == []


def test_the_index_keeps_no_positions_and_is_asked_once_for_both_columns(store: str) -> None:
    """``model_text`` is made without positions (migration 0017) and a search asks it once, with
    ``MATCH`` (``M`` in the plan): ``LIKE`` on each column read every candidate's text twice, an
    ``OR`` of the two every row."""
    engine = make_engine(store)
    with engine.connect() as conn:
        made = conn.execute(text(f"SELECT sql FROM sqlite_master WHERE name = '{TEXT_TABLE}'")).scalar_one()
        assert "detail=none" in made
        ids = text_ids("llama", 'chat"bot')
        assert ids.compile().params == {
            "expression": '("lla" AND "lam" AND "ama") OR '
            '("cha" AND "hat" AND "at""" AND "t""b" AND """bo" AND "bot")',
            "names": "llama",
            "summary": 'chat"bot',
        }
        plan = [row[-1] for row in conn.execute(text("EXPLAIN QUERY PLAN " + str(ids)), ids.compile().params)]
        assert plan == [f"SCAN {TEXT_TABLE} VIRTUAL TABLE INDEX 0:M3"]
        assert set(conn.execute(text_ids("aaaa", "", summaries=False)).scalars()) == set()
        repeated = text_ids("llamallama", "", summaries=False).compile().params["expression"]
        assert repeated == '("lla" AND "lam" AND "ama" AND "mal" AND "all")'  # each trigram once
        assert set(conn.execute(text_ids("ll", "ch")).scalars()) == set()  # too short for either
    engine.dispose()


@pytest.mark.parametrize(
    ("summary", "needle", "found"),
    [
        ("Über alles, a model", "über", True),  # LIKE folds ASCII only: the index's summary is folded
        ("ÜBER ALLES", "über alles", True),
        ("uber alles", "über", False),
        ("Σ-model of note", "σ-model", True),
        ("50% faster than before", "50% faster", True),  # % and _ are themselves, not wildcards
        ("50x faster than before", "50% faster", False),
        ("the a_b_c test", "a_b_c", True),
        ("the axbyc test", "a_b_c", False),
        ("a plain summary", "plain sum", True),
        ("a plain summary", "plain sun", False),
        ("abcazz bcab", "abcab", False),  # every trigram of it, not it: instr decides
        ("abcab here", "abcab", True),
    ],
)
def test_a_summary_is_found_by_its_text_folded_and_wildcards_taken_literally(
    store: str, tmp_path: Path, summary: str, needle: str, found: bool
) -> None:
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(store.removeprefix("sqlite:///")).read_bytes())
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE models SET summary_en = :s, summary_zh = NULL WHERE id = 'llama'"), {"s": summary}
        )
        folded = text_rows({"models": [{"id": "llama", "summary_en": summary, "summary_zh": None}]})
        assert folded[0]["summary"] == summary.casefold()
        conn.execute(
            text(f"UPDATE {TEXT_TABLE} SET summary = :s WHERE model_id = 'llama'"),
            {"s": folded[0]["summary"]},
        )
    with engine.connect() as conn:
        ids = set(conn.execute(text_ids("", needle.casefold(), names=False)).scalars())
        hits = {h.id for h in search(conn, needle, limit=5000) if h.matched == "summary"}
    engine.dispose()
    assert ("llama" in ids) is found
    assert ("llama" in hits) is found


def test_a_name_is_not_found_by_a_summary_nor_a_summary_by_a_name(store: str, tmp_path: Path) -> None:
    """One ``MATCH`` over both columns gives the rows holding the trigrams in either; each part keeps
    only its own column's."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(store.removeprefix("sqlite:///")).read_bytes())
    engine = make_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {TEXT_TABLE} SET summary = 'about zzqqxx' WHERE model_id = 'llama'"))
        conn.execute(text(f"UPDATE {TEXT_TABLE} SET names = 'vvwwyy' WHERE model_id = 'whisper'"))
    with engine.connect() as conn:
        asked = {
            (key, needle, names, summaries): set(
                conn.execute(text_ids(key, needle, names=names, summaries=summaries)).scalars()
            )
            for key, needle, names, summaries in [
                ("zzqqxx", "zzqqxx", True, False),
                ("zzqqxx", "zzqqxx", False, True),
                ("zzqqxx", "zzqqxx", True, True),
                ("vvwwyy", "vvwwyy", True, False),
                ("vvwwyy", "vvwwyy", False, True),
                ("vvwwyy", "zzqqxx", True, True),
            ]
        }
    engine.dispose()
    assert list(asked.values()) == [set(), {"llama"}, {"llama"}, {"whisper"}, set(), {"llama", "whisper"}]
