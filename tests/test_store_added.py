"""``models.added`` (migration 0016): the day a model entered the atlas, its earliest source's
``accessed`` (not its first listed), made with the model's row; ``added_since`` reads it by its index on
both databases, newest entries first, then newest released, then by id."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.store import tables as T
from modelatlas.store.browse import Browse, added_since
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.queries import as_date


def _built(tiny_catalog: Path, url: str) -> None:
    """The tiny catalog, freedomgpt with no source (a catalog file must cite one; a store need not), and
    stable-diffusion entered and released as alpaca was (a tie, broken by id)."""
    catalog = load_valid_catalog(tiny_catalog)
    alpaca = next(e.record for e in catalog.models if e.record.id == "alpaca")
    changed = {
        "freedomgpt": {"sources": []},
        "stable-diffusion": {"released": alpaca.released, "sources": alpaca.sources[1:]},
    }
    catalog.models = [
        replace(e, record=e.record.model_copy(update=changed[e.record.id])) if e.record.id in changed else e
        for e in catalog.models
    ]
    build_store(catalog, url)


@pytest.mark.parametrize("walk", [False, True], ids=["listed", "walked"])
def test_added_is_the_earliest_source_and_new_reads_it(
    tiny_catalog: Path, store_url: str, walk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``walked``: ``/new`` walks the index of ``added`` for every facet filter and checks each model's
    facet combination (``browse._walks``), ``listed``: it never does; the same answers."""
    from modelatlas.store import browse

    walked: list[bool] = []
    monkeypatch.setattr(browse, "_walks", lambda *_: walked.append(walk) or walk)
    _built(tiny_catalog, store_url)
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            m = T.models.c
            added = {mid: as_date(day) for mid, day in conn.execute(select(m.id, m.added))}
            assert added == {
                "alpaca": dt.date(2023, 4, 24),  # its second source, seed 001; its first is 2026-11-23
                "freedomgpt": None,
                "llama": dt.date(2026, 11, 23),
                "stable-diffusion": dt.date(2023, 4, 24),
                "vicuna": dt.date(2026, 11, 23),
                "zidong-taichu": dt.date(2023, 6, 16),
            }

            def new(since: dt.date, **filters: object) -> list[tuple[str, dt.date]]:
                chosen = Browse(**{"limit": 30, **filters})  # type: ignore[arg-type]
                return [(row.id, day) for row, day in added_since(conn, since, chosen)]

            # the day itself is in; ties of one day newest released first (vicuna 2023-03-30, llama -02-24),
            # then by id (alpaca and stable-diffusion: both released 2023-03-13)
            assert new(dt.date(2023, 4, 24)) == [
                ("vicuna", dt.date(2026, 11, 23)),
                ("llama", dt.date(2026, 11, 23)),
                ("zidong-taichu", dt.date(2023, 6, 16)),
                ("alpaca", dt.date(2023, 4, 24)),
                ("stable-diffusion", dt.date(2023, 4, 24)),
            ]
            assert [mid for mid, _ in new(dt.date(2023, 4, 25))] == ["vicuna", "llama", "zidong-taichu"]
            assert [mid for mid, _ in new(dt.date(2026, 11, 24))] == []
            assert [mid for mid, _ in new(dt.date(2000, 1, 1), domain=("cv",))] == ["stable-diffusion"]
            assert [mid for mid, _ in new(dt.date(2000, 1, 1), limit=2)] == ["vicuna", "llama"]
            # organizations by name, text as the models page finds it (Vicuna and Alpaca say LLaMA; the
            # Chinese name of its maker, which no name or summary holds, finds Alpaca)
            assert [mid for mid, _ in new(dt.date(2000, 1, 1), organization=("Stanford",))] == ["alpaca"]
            assert [mid for mid, _ in new(dt.date(2000, 1, 1), text="llama")] == ["vicuna", "llama", "alpaca"]
            assert [mid for mid, _ in new(dt.date(2000, 1, 1), text="斯坦福大学")] == ["alpaca"]  # its maker
            # a facet filter and a filter of the models' own columns, together
            nlp_7b = new(dt.date(2000, 1, 1), domain=("nlp",), min_params=7 * 10**9, max_params=13 * 10**9)
            assert [mid for mid, _ in nlp_7b] == ["vicuna", "alpaca"]
            # a year is a facet (a number on SQLite, a text on PostgreSQL)
            in_2023 = new(dt.date(2000, 1, 1), year=(2023,))  # zidong-taichu came out in 2021
            assert [mid for mid, _ in in_2023] == ["vicuna", "llama", "alpaca", "stable-diffusion"]
            assert walked == [walk] * 4  # cv, Stanford, nlp, 2023: asked only of facet filters without text
    finally:
        engine.dispose()


def test_new_walks_when_its_facet_filters_pass_many_models_for_its_page(
    tiny_catalog: Path, store_url: str
) -> None:
    """``_walks``: passing² > limit × models. Four of the tiny catalog's six models are nlp (16 > 2 × 6,
    not > 3 × 6), and four came out in 2023; one is American and open (vicuna: 1 > 0 × 6 only)."""
    from modelatlas.store import browse

    build_store(load_valid_catalog(tiny_catalog), store_url)
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            for limit, walks in ((2, True), (3, False), (None, False)):
                nlp = browse._resolved(conn, Browse(domain=("nlp",), limit=limit))
                assert browse._walks(conn, nlp) is walks, limit
            for limit, walks in ((0, True), (1, False)):
                us_open = browse._resolved(conn, Browse(country=("US",), openness=("open",), limit=limit))
                assert browse._walks(conn, us_open) is walks, limit
            for limit, walks in ((2, True), (3, False)):  # 2023: the same four, a year a number on SQLite
                in_2023 = browse._resolved(conn, Browse(year=(2023,), limit=limit))
                assert browse._walks(conn, in_2023) is walks, limit
            nlp = browse._resolved(conn, Browse(domain=("nlp",), limit=2))
        if store_url.startswith("sqlite"):  # a store built before the facet index: never walked
            with engine.begin() as conn:
                for table in browse.FACET_TABLES:
                    conn.execute(sql(f"DROP TABLE {table}"))
            with engine.connect() as conn:
                assert browse._walks(conn, nlp) is False
    finally:
        engine.dispose()
