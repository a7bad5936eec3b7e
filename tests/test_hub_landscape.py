"""The Hub listing's field summed up at the end of each merge (``live.landscape_tables``), against the
generator's own decisions: the sums, the trees ``ecosystem --depth all`` walks, a catalog model's repos
added up, the growth per family, the days from a release to its quantized copies, a rebuild, the page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import defaultdict
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.live import landscape_tables
from modelatlas.live.ecosystem import ecosystem
from modelatlas.live.landscape import derivatives_of, landscape, months_back
from modelatlas.report.headlines import times
from modelatlas.store.build import MIGRATIONS, build_store
from modelatlas.store.engine import make_engine
from tests import hub_listing_data as G
from tests.cli_runner import run
from tests.conftest import TINY_CATALOG
from tests.replay import Replay
from tests.test_live_hub_all import built_store, field_of, list_all, query, store_copy  # noqa: F401 (the fixtures built and store)

N = 5000


@pytest.fixture
def listing(replay: Replay) -> Replay:
    replay.listing = N
    return replay


class Truth:
    """The generator's listing of ``N`` records: relations, creation times, derivatives per base."""

    def __init__(self) -> None:
        self.relations: list[tuple[str, str, str]] = []
        self.created: dict[str, str] = {}
        for records, found in G.blocks(N):
            self.relations += found
            self.created.update({r["id"]: r["createdAt"] for r in records})
        self.per_base: dict[str, set[str]] = defaultdict(set)
        self.quantized: dict[str, list[str]] = defaultdict(list)
        for repo, base, relation in self.relations:
            self.per_base[base].add(repo)
            if relation == "quantized":
                self.quantized[base].append(self.created[repo])

    def month(self, repo: str) -> str:
        return self.created[repo][:7]

    def days(self, base: str, k: int) -> int | None:
        """Days from the listed ``base``'s creation to its ``k``-th quantized copy."""
        copies = sorted(self.quantized.get(base, []))
        if base not in self.created or len(copies) < k:
            return None
        return (
            dt.date.fromisoformat(copies[k - 1][:10]) - dt.date.fromisoformat(self.created[base][:10])
        ).days


@pytest.fixture(scope="module")
def truth() -> Truth:
    return Truth()


def refs(url: str, rows: list[tuple[str, str]]) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO model_refs (model_id, source, ref, position) VALUES (:m, 'hf', :r, :p)"),
            [{"m": m, "r": r, "p": 90 + n} for n, (m, r) in enumerate(rows)],
        )
    engine.dispose()


def test_the_sums_are_the_generators(store: str, listing: Replay, truth: Truth) -> None:
    """Per base its derivatives, its 1st and 10th quantized copies; the derivatives with several bases;
    the derivatives that are bases themselves; licences counting each derivative once."""
    list_all(store, listing)
    totals = {str(b): (int(str(n)), q1, q10) for b, n, q1, q10 in query(
        store, "SELECT base, derivatives, first_quantized, tenth_quantized FROM hub_base_totals"
    )}  # fmt: skip
    wanted = {}
    for base, repos in truth.per_base.items():
        copies = sorted(truth.quantized.get(base, []))
        wanted[base] = (len(repos), copies[0] if copies else None, copies[9] if len(copies) >= 10 else None)
    assert totals == wanted
    assert any(v[2] for v in wanted.values()) and any(v[1] and not v[2] for v in wanted.values())
    bases_of: dict[str, set[str]] = defaultdict(set)
    for repo, base, _ in truth.relations:
        bases_of[repo].add(base)
    shared = {
        (str(r), str(b), str(rel))
        for r, b, rel in query(store, "SELECT repo_id, base, relation FROM hub_shared")
    }
    assert shared == {(r, b, rel) for r, b, rel in truth.relations if len(bases_of[r]) > 1} and shared
    inner = set(query(store, "SELECT base, repo_id FROM hub_inner"))
    assert inner == {(b, r) for r, b, _ in truth.relations if r in truth.per_base} and inner
    licences = dict(query(store, "SELECT key, derivatives FROM hub_field WHERE kind = 'licence'"))
    assert sum(int(str(n)) for n in licences.values()) == len(bases_of)  # each derivative once


def python_tree(url: str, base: str) -> dict[str, Any]:
    """``ecosystem --depth all`` the slow way: every relation read, the tree walked in Python."""
    children: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for repo, parent, relation, month in query(url, "SELECT repo_id, base, relation, month FROM hub_bases"):
        children[str(parent)].add((str(repo), str(relation), str(month or "unknown")))
    seen, frontier, edges = {base}, [base], set()
    while frontier:
        for repo, relation, month in children.get(frontier.pop(), ()):
            if repo != base:
                edges.add((repo, relation, month))
            if repo not in seen:
                seen.add(repo)
                frontier.append(repo)
    by_month: dict[str, dict[str, int]] = defaultdict(dict)
    for _, relation, month in edges:
        by_month[month][relation] = by_month[month].get(relation, 0) + 1
    counts = {r: sum(1 for _, rel, _ in edges if rel == r) for r in G.RELATIONS}
    return {
        "base": base,
        "depth": "all",
        "derivatives": {"total": len({r for r, _, _ in edges}), **counts},
        "by_month": {m: by_month[m] for m in sorted(by_month)},
    }


def test_the_whole_tree_counts_each_repo_once_and_a_cycle_back_to_the_base_not_at_all(
    store: str, listing: Replay, truth: Truth
) -> None:
    list_all(store, listing)
    engine = make_engine(store)
    try:
        nested = sorted(b for b in truth.per_base if b in truth.created)
        samples = [G.popular_base(0), G.popular_base(3), *nested[:40]]
        for base in samples:
            assert ecosystem(engine, base, "all") == python_tree(store, base), base
        deep = ecosystem(engine, G.popular_base(0), "all")["derivatives"]["total"]
        assert deep > ecosystem(engine, G.popular_base(0))["derivatives"]["total"]
        # a cycle: the base becomes a merge of one of its own derivatives (and of another base)
        base = next(b for b in nested if len(truth.per_base[b]) >= 2)
        child = sorted(truth.per_base[base])[0]
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO hub_bases (repo_id, base, relation, stated, month) "
                    "VALUES (:r, :b, 'merge', true, :m)"
                ),
                [{"r": base, "b": parent, "m": truth.month(base)} for parent in (child, G.popular_base(1))],
            )
            landscape_tables.refresh(conn)
        before = len(truth.per_base[base])
        found = ecosystem(engine, base, "all")
        assert found == python_tree(store, base) and found["derivatives"]["total"] >= before
        assert ecosystem(engine, child, "all") == python_tree(store, child)
        assert (
            ecosystem(engine, child, "all")["derivatives"]["total"]
            > ecosystem(engine, child)["derivatives"]["total"]
        )
    finally:
        engine.dispose()


def test_a_models_repos_add_up_each_derivative_once(store: str, listing: Replay, truth: Truth) -> None:
    """A merge of two of a model's repos is one derivative of the model, in its month and relation."""
    list_all(store, listing)
    first, second = G.popular_base(0), G.popular_base(1)
    repos = truth.per_base[first] | truth.per_base[second]
    assert len(repos) < len(truth.per_base[first]) + len(truth.per_base[second])  # some are shared
    engine = make_engine(store)
    try:
        found = derivatives_of(engine, [first, second])
        alone = derivatives_of(engine, [first])
    finally:
        engine.dispose()
    assert found is not None and alone is not None
    assert found["total"] == len(repos) and alone["total"] == len(truth.per_base[first])
    by_relation = {
        r: len({repo for repo, b, rel in truth.relations if rel == r and b in (first, second)})
        for r in G.RELATIONS
    }
    assert found["by_relation"] == {r: n for r, n in by_relation.items() if n}
    months = sorted({truth.month(r) for r in repos})
    assert found["by_month"] == {m: sum(truth.month(r) == m for r in repos) for m in months}


def test_family_growth_and_days_to_quantized_copies(store: str, listing: Replay, truth: Truth) -> None:
    """Growth per catalog model adds up its bases' recent and earlier derivatives; the 10th quantized
    copy's days exist only for a base with ten; the median days per month of release."""
    list_all(store, listing)
    first, second, third = G.popular_base(0), G.popular_base(1), G.popular_base(2)
    refs(store, [("llama", first), ("llama", second.upper()), ("zidong-taichu", third)])
    field = field_of(store, top=100_000, months=12, window=2)
    last = max(truth.month(r) for repos in truth.per_base.values() for r in repos)
    recent, before = set(months_back(last, 2)), set(months_back(last, 4)[:2])

    def window(base: str, months: set[str]) -> int:
        return sum(truth.month(r) in months for r in truth.per_base[base])

    llama = next(m for m in field["by_model"] if m["model"] == "llama")
    assert llama["recent"] == window(first, recent) + window(second, recent) > 0
    assert llama["previous"] == window(first, before) + window(second, before) > 0
    assert llama["growth"] == llama["recent"] / llama["previous"]
    assert llama["organization"] == "Meta AI" and llama["repos"] == 2
    assert [m["model"] for m in field["by_model"]] == ["llama", "zidong-taichu"]  # no base, no row
    for entry in field["top_bases"]:
        base = entry["base"]
        if base in truth.created:  # a listed base: days from its own creation
            assert entry["first_quantized_days"] == truth.days(base, 1)
            assert entry["tenth_quantized_days"] == truth.days(base, 10)
        elif base in (first, second, third):  # not listed: from its catalog model's release date
            released = dt.date(2023, 2, 24) if base != third else dt.date(2021, 7, 1)
            copies = sorted(truth.quantized[base])
            assert entry["first_quantized_days"] == (dt.date.fromisoformat(copies[0][:10]) - released).days
            assert entry["tenth_quantized_days"] == (dt.date.fromisoformat(copies[9][:10]) - released).days
        else:  # neither: no days
            assert entry["first_quantized_days"] is entry["tenth_quantized_days"] is None
    shown = set(field["months"])
    per_month: dict[str, list[int]] = defaultdict(list)
    for base in truth.per_base:
        days = truth.days(base, 1)
        if days is not None and truth.created[base][:7] in shown:
            per_month[truth.created[base][:7]].append(days)
    rows = {row["month"]: row for row in field["quantized_by_release"]}
    assert rows and {m: (r["bases"], r["first"]) for m, r in rows.items()} == {
        m: (len(d), statistics.median(d)) for m, d in per_month.items()
    }


def test_a_build_from_a_store_without_the_sums_computes_them(store: str, listing: Replay) -> None:
    """A store synced before the sums existed (schema 0007) gets them from its listing when rebuilt."""
    list_all(store, listing)
    engine = make_engine(store)
    try:
        wanted = landscape(engine, top=30), ecosystem(engine, G.popular_base(0), "all")
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0007")
    finally:
        engine.dispose()
    build_store(load_valid_catalog(TINY_CATALOG), store)
    engine = make_engine(store)
    try:
        assert (landscape(engine, top=30), ecosystem(engine, G.popular_base(0), "all")) == wanted
    finally:
        engine.dispose()


def test_the_sums_survive_a_rebuild_on_both_backends(store_url: str, listing: Replay, truth: Truth) -> None:
    """A build carries the sums; one from a store without them (their tables dropped) computes them."""
    from modelatlas.store import tables as T

    build_store(load_valid_catalog(TINY_CATALOG), store_url)
    list_all(store_url, listing)
    answers = []
    for dropped in (False, True):
        engine = make_engine(store_url)
        if dropped:
            with engine.begin() as conn:
                for name in T.SUMMARY:
                    conn.execute(text(f"DROP TABLE {name}"))
        engine.dispose()
        build_store(load_valid_catalog(TINY_CATALOG), store_url)
        engine = make_engine(store_url)
        try:
            base = G.popular_base(0)
            answers.append(
                (landscape(engine, top=5), ecosystem(engine, base), ecosystem(engine, base, "all"))
            )
        finally:
            engine.dispose()
    assert answers[0] == answers[1]
    field, direct, deep = answers[0]
    assert field["derivatives"] == sum(len(r) for r in truth.per_base.values())
    assert [b["total"] for b in field["top_bases"]] == sorted(
        (len(r) for r in truth.per_base.values()), reverse=True
    )[:5]
    assert direct["derivatives"]["total"] == len(truth.per_base[G.popular_base(0)])
    assert deep == python_tree(store_url, G.popular_base(0))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_family_growth_and_the_quantized_chart(
    store: str, listing: Replay, truth: Truth, lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    from modelatlas.config import Settings
    from modelatlas.web import create_app

    list_all(store, listing)
    refs(
        store,
        [("llama", G.popular_base(0)), ("llama", G.popular_base(1)), ("zidong-taichu", G.popular_base(2))],
    )
    field = field_of(store, top=20, months=12)
    with TestClient(create_app(Settings(db=store, catalog=TINY_CATALOG))) as client:
        page = client.get("/ecosystem", params={"lang": lang}).text
    llama = field["by_model"][0]
    row = re.search(r'<table class="models" id="family-growth">.*?</table>', page, re.S)
    assert row is not None and '<a href="/models/llama">' in row.group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
    organization = (
        "中国科学院自动化研究所" if lang == "zh" else "Institute of Automation, Chinese Academy of Sciences"
    )
    assert f"<td>{organization}</td>" in row.group(0) and len(cells) == 8
    assert cells[:4] == [
        f"{llama['total']:,}", f"{llama['recent']:,}", f"{llama['previous']:,}", times(llama["growth"])
    ]  # fmt: skip
    assert page.count('class="chart-figure"') == 2 and 'id="figure-1"' in page
    words = ("发布后多久出现量化版本", "第 10 个量化版本间隔", "各模型家族的增长")
    if lang == "en":
        words = ("How soon releases are quantized", "10th quantization after", "Growth by family")
    assert all(w in page for w in words)
    code, out, err = run(capsys, "ecosystem", "--db", store, "--top", "3")
    assert code == 0, err
    assert "growth by catalog model" in out and f"{llama['recent']:,}" in out
    code, out, err = run(capsys, "ecosystem", "--db", store, "--top", "3", "-f", "json")
    assert code == 0 and json.loads(out)["by_model"][0]["growth"] == llama["growth"]


def test_no_quantized_release_says_so(store: str, listing: Replay) -> None:
    """A listing where no released base has a quantized copy: the page says so instead of a chart."""
    from fastapi.testclient import TestClient

    from modelatlas.config import Settings
    from modelatlas.web import create_app

    list_all(store, listing)
    engine = make_engine(store)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM hub_bases WHERE relation = 'quantized'"))
        landscape_tables.refresh(conn)
    try:
        assert landscape(engine)["quantized_by_release"] == []
    finally:
        engine.dispose()
    with TestClient(create_app(Settings(db=store, catalog=TINY_CATALOG))) as client:
        page = client.get("/ecosystem").text
    assert page.count('class="chart-figure"') == 1 and 'id="no-quantized"' in page
