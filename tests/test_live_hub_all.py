"""``sync --source hf --all``: the whole Hub listing against a generated listing on the replay server.

The listing (``tests/hub_listing_data.py``) is made page by page by the replay server with the Hub's cursor
paging; the generator's own decisions are the truth the stored relations are compared with.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, func, select, text

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.errors import SourceDataError
from modelatlas.live.clients import Endpoints, open_clients
from modelatlas.live.hub_all import ListingReport, sync_all
from modelatlas.sources._http import Policy
from modelatlas.sources.hub_listing import EXPAND, bases_of, parse_page
from modelatlas.store import tables as T
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from tests import hub_listing_data as G
from tests.cli_runner import run
from tests.conftest import TINY_CATALOG
from tests.replay import Fault, Replay

N = 3000
PAGE = 500
T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
FAST = Policy(interval=0, backoff=0.01, timeout=5, max_wait=5)


@pytest.fixture(scope="module", name="built")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny catalog built once per module; each test copies the file (``store``)."""
    path = tmp_path_factory.mktemp("built") / "store.db"
    build_store(load_valid_catalog(TINY_CATALOG), f"sqlite:///{path}")
    return path


@pytest.fixture(name="store")
def store_copy(built: Path, tmp_path: Path) -> str:
    copy = tmp_path / "store.db"
    copy.write_bytes(built.read_bytes())
    return f"sqlite:///{copy}"


@pytest.fixture
def listing(replay: Replay) -> Replay:
    replay.listing = N
    return replay


def list_all(url: str, replay: Replay, *, at: dt.datetime = T0, **options: object) -> ListingReport:
    engine = make_engine(url)
    clients = open_clients(("hf",), Endpoints(hf=replay.hf), policies={"hf": FAST})
    assert clients.hf is not None
    try:
        return sync_all(engine, clients.hf, page_size=PAGE, now=lambda: at, **options)  # type: ignore[arg-type]
    finally:
        clients.close()
        engine.dispose()


def query(url: str, sql: str) -> list[tuple[object, ...]]:
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def field_of(url: str, **options: Any) -> dict[str, Any]:
    """The whole field (``landscape``) of the store at ``url``, with ``options``."""
    from modelatlas.live.landscape import landscape

    engine = make_engine(url)
    try:
        return landscape(engine, **options)
    finally:
        engine.dispose()


def stored_counts(url: str) -> Counter[tuple[str, str]]:
    rows = query(url, "SELECT base, relation, count(*) FROM hub_bases GROUP BY base, relation")
    return Counter({(str(base), str(relation)): int(str(n)) for base, relation, n in rows})


def listing_requests(replay: Replay) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(path).query) for path in replay.hits("/hf/api/models?")]


# --- the page decoder ------------------------------------------------------------------------------


def test_a_stated_relation_is_kept_and_a_bare_tag_alone_is_an_unstated_finetune() -> None:
    tags = [
        "base_model:org/a",
        "base_model:quantized:org/a",  # bare + stated: one relation, stated
        "base_model:org/b",  # bare only: the Hub's default, a fine-tune, not stated
        "base_model:adapter:org/c",
        "base_model:merge:org/d",
        "base_model:merge:org/e",
        "base_model:distill:org/f",  # not a Hub relation: counted as a bare tag
    ]
    assert bases_of("me/x", tags) == [
        ("me/x", "org/a", "quantized", True, None),
        ("me/x", "org/c", "adapter", True, None),
        ("me/x", "org/d", "merge", True, None),
        ("me/x", "org/e", "merge", True, None),
        ("me/x", "org/b", "finetune", False, None),
        ("me/x", "org/f", "finetune", False, None),
    ]
    assert bases_of("me/x", ["base_model:finetune:org/a", "base_model:adapter:org/a"]) == [
        ("me/x", "org/a", "finetune", True, None),
        ("me/x", "org/a", "adapter", True, None),
    ]
    assert bases_of("me/x", ["base_model:org/a"], "2025-03") == [
        ("me/x", "org/a", "finetune", False, "2025-03")
    ]
    assert bases_of("me/x", []) == []
    assert bases_of("me/x", ["base_model:", "base_model:finetune:", "base_model:org/y"]) == [
        ("me/x", "org/y", "finetune", False, None)
    ]


def test_a_page_gives_every_field_and_falls_back_on_the_card_only_without_tags() -> None:
    body = (
        b'[{"_id":"1","id":"me/x","author":"me","createdAt":"2025-01-02T03:04:05.000Z",'
        b'"lastModified":"2025-02-01T00:00:00.000Z","downloads":12,"likes":3,"pipeline_tag":"text-generation",'
        b'"library_name":"transformers","tags":["license:apache-2.0","base_model:adapter:org/a","license:mit"],'
        b'"gated":"manual","safetensors":{"parameters":{"BF16":7000},"total":7000},'
        b'"cardData":{"base_model":"org/ignored"}},'
        b'{"id":"me/y","tags":[],"gated":false,"cardData":{"base_model":["org/b","org/c"],'
        b'"base_model_relation":"merge"}},'
        b'{"id":"me/z","createdAt":"2024-12-31T23:59:59.000Z",'
        b'"cardData":{"base_model":"org/d","base_model_relation":"copy"}},'
        b'{"id":"me/w","tags":["license:cc-by-4.0"],"gated":true}]'
    )
    page = parse_page(body, "http://hub/api/models")
    x, y, z, w = page.repos
    assert x == (
        "me/x", "me", "2025-01-02T03:04:05.000Z", "2025-02-01T00:00:00.000Z", "text-generation",
        "transformers", "apache-2.0", "manual", 7000, 12, 3,
    )  # fmt: skip
    assert y == ("me/y", None, None, None, None, None, None, "no", None, None, None)
    assert z == ("me/z", None, "2024-12-31T23:59:59.000Z", None, None, None, None, None, None, None, None)
    assert w == ("me/w", None, None, None, None, None, "cc-by-4.0", None, None, None, None)
    assert page.bases == [
        ("me/x", "org/a", "adapter", True, "2025-01"),
        ("me/y", "org/b", "merge", True, None),
        ("me/y", "org/c", "merge", True, None),
        ("me/z", "org/d", "finetune", False, "2024-12"),
    ]


def test_tags_with_an_escape_are_decoded_and_read_as_the_others() -> None:
    """Tags are searched as raw bytes; an array holding a backslash is decoded first, so an escaped
    licence or base reads as its text (even ``base\\u005fmodel:``), and a record whose escaped tags
    name no base still has its card."""
    body = (
        b'[{"id":"me/e","createdAt":"2025-06-01T00:00:00.000Z","tags":["license:a\\u0062c",'
        b'"base_model:org/\\u0071","base_model:adapter:org/q","base_model:org/q\\/2"],'
        b'"cardData":{"base_model":"org/ignored"}},'
        b'{"id":"me/f","tags":["license:x\\/y","base\\u005fmodel:org/s"],"cardData":{"base_model":"org/r"}},'
        b'{"id":"me/g","tags":["mit","license:\\"q\\"","license:mit"]},'
        b'{"id":"me/h","tags":["license:x\\/y","region:us"],"cardData":{"base_model":"org/t"}}]'
    )
    page = parse_page(body, "http://hub/api/models")
    assert [(repo[0], repo[6]) for repo in page.repos] == [
        ("me/e", "abc"),
        ("me/f", "x/y"),
        ("me/g", '"q"'),
        ("me/h", "x/y"),
    ]
    assert page.bases == [
        ("me/e", "org/q", "adapter", True, "2025-06"),
        ("me/e", "org/q/2", "finetune", False, "2025-06"),
        ("me/f", "org/s", "finetune", False, None),
        ("me/h", "org/t", "finetune", False, None),
    ]


def test_the_common_tag_shapes_give_what_the_general_rule_gives() -> None:
    """One tag, or a bare tag beside a stated one, are answered first; each gives exactly what the rule
    for many tags gives (stated is 1, not stated 0), and a tag naming nothing gives nothing."""
    assert bases_of("me/x", ["base_model:org/a", "base_model:quantized:org/a"]) == [
        ("me/x", "org/a", "quantized", 1, None)
    ]
    assert bases_of("me/x", ["base_model:org/a", "base_model:adapter:org/b"]) == [
        ("me/x", "org/b", "adapter", 1, None),
        ("me/x", "org/a", "finetune", 0, None),
    ]
    # a bare tag with a colon names what follows its first word, not the stated base's text
    assert bases_of("me/x", ["base_model:b:c", "base_model:finetune:b:c"]) == [
        ("me/x", "b:c", "finetune", 1, None),
        ("me/x", "c", "finetune", 0, None),
    ]
    assert bases_of("me/x", ["base_model:finetune:b:c"]) == [("me/x", "b:c", "finetune", 1, None)]
    assert bases_of("me/x", ["base_model:a:b:c"]) == [("me/x", "b:c", "finetune", 0, None)]
    for nothing in ("base_model:", "base_model:finetune:", "base_model:distill:"):
        assert bases_of("me/x", [nothing]) == []


def test_a_cards_base_models_are_its_strings_once() -> None:
    """A card's ``base_model`` may be one repo or a list; anything else, empty or not a string, names none;
    escaped tags without a licence have none."""
    body = (
        b'[{"id":"me/a","tags":[],"cardData":{"base_model":3}},'
        b'{"id":"me/b","tags":[],"cardData":{"base_model":["org/z","",5,"org/z","org/y"]}},'
        b'{"id":"me/c","tags":["base\\u005fmodel:org/u"]}]'
    )
    page = parse_page(body, "http://hub/api/models")
    assert [repo[6] for repo in page.repos] == [None, None, None]
    assert page.bases == [
        ("me/b", "org/z", "finetune", 0, None),
        ("me/b", "org/y", "finetune", 0, None),
        ("me/c", "org/u", "finetune", 0, None),
    ]


def test_a_pages_rows_are_the_staging_tables_columns_in_order() -> None:
    """The stage hands a page's tuples to the driver as they are: their fields are the columns."""
    from modelatlas.sources.hub_listing import BASE_FIELDS, REPO_FIELDS

    assert REPO_FIELDS == tuple(c.name for c in T.hub_staged.c if c.name != "position")
    assert BASE_FIELDS == tuple(c.name for c in T.hub_staged_bases.c)


def test_a_page_that_is_not_a_list_of_records_names_its_url() -> None:
    for body in (b'[{"id": "me/x", "tags": [', b'{"error": "x"}', b'[{"author": "no id"}]'):
        with pytest.raises(SourceDataError, match=r"^http://hub/api/models\?cursor=abc: the listing page"):
            parse_page(body, "http://hub/api/models?cursor=abc")


# --- the whole listing -----------------------------------------------------------------------------


def test_every_repo_and_exactly_the_generators_derivatives_per_base_and_relation(
    store: str, listing: Replay
) -> None:
    report = list_all(store, listing)
    assert (report.pages, report.records, report.finished, report.resumed) == (6, N, True, False)
    truth = G.truth(N)
    assert stored_counts(store) == truth
    assert report.bases == sum(truth.values())
    # every relation kind is there, and the unstated ones are fine-tunes that no tag stated
    assert {relation for _, relation in truth} == {"finetune", "adapter", "quantized", "merge"}
    unstated = query(store, "SELECT count(*) FROM hub_bases WHERE stated = 0")[0][0]
    assert 0 < int(str(unstated)) < sum(truth.values()) // 4
    assert query(store, "SELECT count(*), count(DISTINCT id) FROM hub_repos") == [(N, N)]
    # one record, field by field, as the generator wrote it
    record = G.window(N, 1234, 1235)[0]
    tags = record["tags"]
    licence = next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
    stored = query(store, f"SELECT * FROM hub_repos WHERE id = '{record['id']}'")[0]
    assert stored == (
        record["id"],
        record["author"],
        record["createdAt"],
        record["lastModified"],
        record.get("pipeline_tag"),
        record.get("library_name"),
        licence,
        "no" if record["gated"] is False else record["gated"],
        record["safetensors"]["total"] if "safetensors" in record else None,
        record["downloads"],
        record["likes"],
        "2026-11-01",
    )


def test_the_listing_asks_for_the_expanded_fields_sorted_by_creation_and_follows_the_cursor(
    store: str, listing: Replay
) -> None:
    list_all(store, listing)
    asked = listing_requests(listing)
    assert len(asked) == 6
    first = asked[0]
    assert first == {"sort": ["createdAt"], "limit": [str(PAGE)], "expand": list(EXPAND)}
    assert EXPAND == (
        "author", "createdAt", "lastModified", "downloads", "likes", "pipeline_tag", "library_name",
        "tags", "gated", "safetensors",
    )  # fmt: skip
    for later in asked[1:]:  # the Link header's URL: the same query and a cursor
        assert {k: v for k, v in later.items() if k != "cursor"} == first
        assert len(later["cursor"]) == 1
    assert len({tuple(q["cursor"]) for q in asked[1:]}) == 5


def test_a_second_sync_on_another_day_adds_a_snapshot_and_the_same_day_replaces_it(
    store: str, listing: Replay
) -> None:
    list_all(store, listing)
    list_all(store, listing)  # the same day: the same snapshots, not new ones
    assert query(store, "SELECT count(*), count(DISTINCT observed_on) FROM hub_snapshots") == [(N, 1)]
    listing.listing_seed = 1  # a day later the counts have moved
    report = list_all(store, listing, at=T0 + dt.timedelta(days=1))
    assert (report.run_on, report.resumed) == ("2026-11-02", False)
    assert query(store, "SELECT count(*), count(DISTINCT observed_on) FROM hub_snapshots") == [(2 * N, 2)]
    record_then, record_now = G.window(N, 7, 8, seed=0)[0], G.window(N, 7, 8, seed=1)[0]
    assert query(
        store,
        f"SELECT observed_on, downloads, likes FROM hub_snapshots WHERE repo_id = '{record_now['id']}' "
        "ORDER BY observed_on",
    ) == [
        ("2026-11-01", record_then["downloads"], record_then["likes"]),
        ("2026-11-02", record_now["downloads"], record_now["likes"]),
    ]
    assert stored_counts(store) == G.truth(N, seed=1)  # relations are the latest listing's


def test_a_broken_page_keeps_what_came_before_and_the_next_run_goes_on_from_it(
    store: str, listing: Replay, tmp_path: Path
) -> None:
    listing.fail("/hf/api/models", Fault(), Fault(), Fault(truncate=True))
    with pytest.raises(SourceDataError, match="cursor=") as info:
        list_all(store, listing)
    assert "the listing page is not a JSON array" in str(info.value)
    assert query(store, "SELECT count(*) FROM hub_staged") == [(2 * PAGE,)]
    assert query(store, "SELECT count(*) FROM hub_repos") == [(0,)]  # merged when the listing is done
    saved = query(store, "SELECT next_url, pages, records, finished_at FROM hub_listing")[0]
    assert saved[1:] == (2, 2 * PAGE, None)
    assert str(saved[0]) in str(info.value)
    before = len(listing.hits("/hf/api/models?"))
    report = list_all(store, listing)
    assert (report.resumed, report.pages, report.total_pages, report.total_records) == (True, 4, 6, N)
    assert listing.hits("/hf/api/models?")[before].endswith(str(saved[0]).split("/hf", 1)[1].split("?", 1)[1])
    assert stored_counts(store) == G.truth(N)
    assert query(store, "SELECT count(*) FROM hub_snapshots") == [(N,)]
    # and a finished listing starts again from the first page
    again = list_all(store, listing, at=T0 + dt.timedelta(days=1))
    assert (again.resumed, again.pages) == (False, 6)


def test_rate_limits_and_server_errors_are_waited_out(store: str, listing: Replay) -> None:
    listing.fail(
        "/hf/api/models",
        Fault(),
        Fault(status=429, headers={"Retry-After": "0"}),
        Fault(status=503),
    )
    report = list_all(store, listing)
    assert (report.pages, report.records) == (6, N)
    assert len(listing.hits("/hf/api/models?")) == 8
    assert stored_counts(store) == G.truth(N)


def test_restart_starts_an_unfinished_listing_again(store: str, listing: Replay) -> None:
    listing.fail("/hf/api/models", Fault(), Fault(status=404))
    with pytest.raises(Exception, match="404"):
        list_all(store, listing)
    report = list_all(store, listing, restart=True)
    assert (report.resumed, report.pages, report.total_records) == (False, 6, N)
    assert stored_counts(store) == G.truth(N)


@pytest.fixture
def slow_listing(listing: Replay) -> Replay:
    listing.delay = 0.15
    return listing


def test_kill_9_halfway_and_a_resume_give_exactly_the_listing(store: str, slow_listing: Replay) -> None:
    env = {**os.environ, **slow_listing.env(), "MODELATLAS_DB": store}
    command = [sys.executable, "-c", "from modelatlas.cli import main; main()", "sync", "-s", "hf", "--all"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = make_engine(store)
    deadline = time.monotonic() + 60
    try:
        pages = 0
        while pages < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
            with engine.connect() as conn:
                pages = conn.execute(select(func.coalesce(func.max(T.hub_listing.c.pages), 0))).scalar_one()
    finally:
        engine.dispose()
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    written = query(store, "SELECT pages, records, finished_at FROM hub_listing")[0]
    assert written[2] is None and 1 <= int(str(written[0])) < 3  # killed halfway: 1000-record pages
    slow_listing.delay = 0.0
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "went on with the listing of" in done.stderr
    assert query(store, "SELECT count(*), count(DISTINCT id) FROM hub_repos") == [(N, N)]
    assert stored_counts(store) == G.truth(N)
    assert query(store, "SELECT count(*) FROM hub_snapshots") == [(N,)]
    assert query(store, "SELECT pages, records FROM hub_listing") == [(3, N)]


def test_cli_sync_all(
    store: str, listing: Replay, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in listing.env().items():
        monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "sync", "--all", "--db", store)
    assert code == 2 and "--all lists the Hub only" in err
    code, out, err = run(capsys, "sync", "-s", "hf", "--all", "--db", store, "-f", "json")
    assert code == 0, err
    assert '"records": 3000' in out and '"finished": true' in out
    listing.fail("/hf/api/models", Fault(truncate=True))
    code, out, err = run(capsys, "sync", "-s", "hf", "--all", "--db", store)
    assert code == 1
    lines = err.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("Error: http://127.0.0.1:") and "/hf/api/models?" in lines[0]
    )


def test_a_rebuild_keeps_the_listing_and_sync_all_runs_on_postgres(store_url: str, listing: Replay) -> None:
    """Both backends: the listing's SQL, then a rebuild copying the tables inside the database."""
    build_store(load_valid_catalog(TINY_CATALOG), store_url)
    listing.fail("/hf/api/models", Fault(), Fault(status=404))
    with pytest.raises(Exception, match="404"):
        list_all(store_url, listing)
    build_store(load_valid_catalog(TINY_CATALOG), store_url)  # the unfinished listing survives it
    assert query(store_url, "SELECT pages, records FROM hub_listing") == [(1, PAGE)]
    report = list_all(store_url, listing)
    assert (report.resumed, report.total_records) == (True, N)
    build_store(load_valid_catalog(TINY_CATALOG), store_url)
    assert stored_counts(store_url) == G.truth(N)
    assert query(store_url, "SELECT count(*), count(DISTINCT id) FROM hub_repos") == [(N, N)]
    assert query(store_url, "SELECT count(*) FROM hub_snapshots") == [(N,)]
    stated = query(store_url, "SELECT count(*) FROM hub_bases WHERE stated")[0][0]
    assert 0 < int(str(stated)) < sum(G.truth(N).values())


def expected_ecosystem(base: str, deep: bool) -> dict[str, object]:
    """The generator's own answer: relations and creation months from its decisions and records."""
    relations: list[tuple[str, str, str]] = []
    created: dict[str, str] = {}
    for records, found in G.blocks(N):
        relations += found
        created.update({r["id"]: r["createdAt"][:7] for r in records})
    children: dict[str, set[tuple[str, str]]] = {}
    for repo, parent, relation in relations:
        children.setdefault(parent, set()).add((repo, relation))
    seen, frontier, edges = {base}, [base], set()
    while frontier:
        parent = frontier.pop()
        for repo, relation in children.get(parent, ()):
            if repo != base:
                edges.add((repo, relation))
            if deep and repo not in seen:
                seen.add(repo)
                frontier.append(repo)
    by_month: dict[str, dict[str, int]] = {}
    for repo, relation in edges:
        cell = by_month.setdefault(created[repo], {})
        cell[relation] = cell.get(relation, 0) + 1
    counts = {r: len({repo for repo, rel in edges if rel == r}) for r in G.RELATIONS}
    return {
        "base": base,
        "depth": "all" if deep else "1",
        "derivatives": {"total": len({repo for repo, _ in edges}), **counts},
        "by_month": {month: by_month[month] for month in sorted(by_month)},
    }


def test_ecosystem_counts_a_bases_derivatives_per_relation_and_month(
    store: str, listing: Replay, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelatlas.live.ecosystem import ecosystem

    list_all(store, listing)
    engine = make_engine(store)
    try:
        popular = G.popular_base(0)
        direct = ecosystem(engine, popular)
        assert direct == expected_ecosystem(popular, deep=False)
        counts = direct["derivatives"]
        assert counts["total"] > 100 and all(counts[r] > 0 for r in G.RELATIONS)
        deep = ecosystem(engine, popular, "all")
        assert deep == expected_ecosystem(popular, deep=True)
        assert deep["derivatives"]["total"] > counts["total"]  # derivatives of derivatives are there
        nested = G.repo_id(N - 1)  # the oldest repo: a base only for the newer ones that picked it
        assert ecosystem(engine, nested) == expected_ecosystem(nested, deep=False)
        assert ecosystem(engine, "nobody/nothing")["derivatives"] == {
            "total": 0, "finetune": 0, "adapter": 0, "quantized": 0, "merge": 0,
        }  # fmt: skip
    finally:
        engine.dispose()
    code, out, err = run(capsys, "ecosystem", "--base", popular, "--db", store, "-f", "json")
    assert code == 0, err
    assert json.loads(out) == expected_ecosystem(popular, deep=False)
    code, out, err = run(capsys, "ecosystem", "--base", popular, "--db", store)
    assert code == 0 and f"derivatives of {popular}: {counts['total']:,} repos" in out
    code, _, err = run(capsys, "ecosystem", "--base", popular, "--depth", "2", "--db", store)
    assert code == 2 and "--depth '2': choose 1 or all" in err


def test_a_run_stopped_before_its_merge_merges_at_the_next_run_without_asking_again(
    store: str, listing: Replay, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelatlas.live import hub_ledger

    merge = hub_ledger.merge

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(hub_ledger, "merge", interrupted)
    with pytest.raises(KeyboardInterrupt):
        list_all(store, listing)
    assert query(store, "SELECT count(*) FROM hub_staged") == [(N,)]
    assert query(store, "SELECT count(*) FROM hub_repos") == [(0,)]
    assert query(store, "SELECT next_url, pages, records, finished_at FROM hub_listing") == [
        (None, 6, N, None)
    ]
    monkeypatch.setattr(hub_ledger, "merge", merge)
    asked = len(listing.hits("/hf/api/models?"))
    report = list_all(store, listing)
    assert (report.resumed, report.pages, report.total_records, report.finished) == (True, 0, N, True)
    assert len(listing.hits("/hf/api/models?")) == asked
    assert stored_counts(store) == G.truth(N)
    assert query(store, "SELECT count(*), count(DISTINCT position) FROM hub_snapshots") == [(N, N)]
    assert query(store, "SELECT count(*) FROM hub_staged") == [(0,)]
    assert query(store, "SELECT count(*) FROM hub_staged_bases") == [(0,)]


def test_a_repo_gone_from_the_hub_keeps_its_row_but_not_its_relations(store: str, listing: Replay) -> None:
    list_all(store, listing)
    listing.listing = N - 700  # the next day, the oldest 700 repos are gone
    list_all(store, listing, at=T0 + dt.timedelta(days=1))
    assert stored_counts(store) == G.truth(N - 700)
    assert query(store, "SELECT count(*) FROM hub_repos") == [(N,)]
    gone = G.repo_id(N - 1)
    assert query(store, f"SELECT listed_on FROM hub_repos WHERE id = '{gone}'") == [("2026-11-01",)]
    assert query(store, "SELECT count(*) FROM hub_repos WHERE listed_on = '2026-11-02'") == [(N - 700,)]
    assert query(store, f"SELECT count(*) FROM hub_bases WHERE repo_id = '{gone}'") == [(0,)]


def expected_landscape(top: int, months: int, window: int = 3) -> dict[str, object]:
    """The generator's own field: derivatives per base and month from its decisions and records."""
    relations: list[tuple[str, str, str]] = []
    created: dict[str, str] = {}
    for records, found in G.blocks(N):
        relations += found
        created.update({r["id"]: r["createdAt"][:7] for r in records})
    per_base: dict[str, set[str]] = {}
    for repo, base, _ in relations:
        per_base.setdefault(base, set()).add(repo)
    totals = {base: len(repos) for base, repos in per_base.items()}
    ranked = sorted(totals, key=lambda b: (-totals[b], b))[:top]
    last = max(created[repo] for repos in per_base.values() for repo in repos)
    return {"totals": totals, "ranked": ranked, "last": last, "per_base": per_base, "created": created}


def test_the_field_ranks_bases_by_derivatives_with_their_months_growth_and_catalog_models(
    store: str, listing: Replay, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22: `ecosystem` without --base: the top bases, their months and growth, the share built on
    Chinese bases, a catalog model's repos added up, exact against the generator."""
    from modelatlas.live.landscape import landscape, months_back

    list_all(store, listing)
    first, second, third = G.popular_base(0), G.popular_base(1), G.popular_base(2)
    engine = make_engine(store)
    with engine.begin() as conn:  # the catalog names two repos of llama, and one of a Chinese lab's model
        conn.execute(
            text("INSERT INTO model_refs (model_id, source, ref, position) VALUES (:m, 'hf', :r, :p)"),
            [
                {"m": "llama", "r": first, "p": 90},
                {"m": "llama", "r": second.upper(), "p": 91},  # repo ids match whatever their case
                {"m": "zidong-taichu", "r": third, "p": 90},
            ],
        )
    truth = expected_landscape(top=5, months=6)
    try:
        field = landscape(engine, top=5, months=6)
    finally:
        engine.dispose()
    totals, created, per_base = truth["totals"], truth["created"], truth["per_base"]  # type: ignore[index]
    assert field["bases"] == len(totals) and field["derivatives"] == sum(totals.values())  # type: ignore[arg-type]
    assert [b["base"] for b in field["top_bases"]] == truth["ranked"]
    shown = months_back(str(truth["last"]), 6)
    assert field["months"] == shown and shown[-1] == "2026-11"
    recent, before = set(shown[-3:]), set(shown[:3])
    for entry in field["top_bases"]:
        repos = per_base[entry["base"]]  # type: ignore[index]
        months = [created[r] for r in repos]  # type: ignore[index]
        assert entry["total"] == len(repos)
        assert entry["by_month"] == {m: months.count(m) for m in shown}
        assert entry["recent"] == sum(m in recent for m in months)
        assert entry["previous"] == sum(m in before for m in months)
        assert entry["growth"] == (entry["recent"] / entry["previous"] if entry["previous"] else None)
    named = {b["base"]: b.get("model") for b in field["top_bases"]}
    assert named[first] == named[second] == "llama" and named.get(third, "zidong-taichu") == "zidong-taichu"
    llama = next(m for m in field["by_model"] if m["model"] == "llama")
    assert llama["repos"] == 2 and llama["total"] == totals[first] + totals[second]  # type: ignore[index]
    month = shown[-1]
    made = [r for r in per_base[third] if created[r] == month]  # type: ignore[index]
    assert field["by_month"][month]["CN"] == len(made)
    assert field["by_month"][month]["total"] == sum(
        sum(created[r] == month for r in repos)  # type: ignore[index]
        for repos in per_base.values()  # type: ignore[attr-defined]
    )
    assert field["by_country"]["CN"] == totals[third]  # type: ignore[index]
    unnamed = sum(n for base, n in totals.items() if base not in (first, second, third))  # type: ignore[attr-defined]
    assert (
        field["by_country"]["unknown"] == unnamed
        and field["by_country"]["US"] == totals[first] + totals[second]
    )  # type: ignore[index]
    assert None in dict(field["by_licence"]) and "" not in dict(field["by_licence"])  # no licence tag: None
    assert sum(n for _, n in field["by_licence"]) == len({r for rs in per_base.values() for r in rs})  # type: ignore[attr-defined]
    code, out, err = run(capsys, "ecosystem", "--db", store, "--top", "3")
    assert code == 0, err
    assert f"{sum(totals.values()):,} derivatives of {len(totals):,} bases" in out  # type: ignore[attr-defined]
    assert first in out and "llama" in out
    code, out, err = run(capsys, "ecosystem", "--db", store, "--top", "3", "-f", "json")
    assert code == 0 and [b["base"] for b in json.loads(out)["top_bases"]] == truth["ranked"][:3]  # type: ignore[index]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_ecosystem_page_shows_the_field_or_says_there_is_no_listing(
    store: str, listing: Replay, lang: str
) -> None:
    from fastapi.testclient import TestClient

    from modelatlas.config import Settings
    from modelatlas.web import create_app

    with TestClient(create_app(Settings(db=store, catalog=TINY_CATALOG))) as client:
        empty = client.get("/ecosystem", params={"lang": lang})
        assert empty.status_code == 200 and 'id="no-listing"' in empty.text
    list_all(store, listing)
    field = field_of(store, top=20, months=12)
    with TestClient(create_app(Settings(db=store, catalog=TINY_CATALOG))) as client:
        page = client.get("/ecosystem", params={"lang": lang}).text
    assert 'id="no-listing"' not in page and 'class="chart-figure"' in page
    rows = re.findall(r'<tr><td>(\d+)</td><td><a href="https://huggingface.co/([^"]+)">', page)
    assert [base for _, base in rows] == [b["base"] for b in field["top_bases"]] and len(rows) == 20
    first = field["top_bases"][0]
    assert f'<td class="num">{first["total"]:,}</td><td class="num">{first["recent"]:,}</td>' in page
    lead = f"{field['derivatives']:,}"
    assert lead in page and (
        "个基础模型共有" in page if lang == "zh" else "base models on the Hugging Face Hub" in page
    )
    months = re.findall(r'<tr><td class="date">(\d{4}-\d{2})</td><td class="num">([\d,]+)</td>', page)
    assert [(m, int(n.replace(",", ""))) for m, n in months] == [
        (m, cell["total"]) for m, cell in field["by_month"].items()
    ]


def test_a_model_page_adds_up_its_repos_derivatives(
    tiny_catalog: Path, tmp_path: Path, listing: Replay
) -> None:
    """Issue 22: each model page's derivatives over time, its Hub repos added up."""
    from fastapi.testclient import TestClient

    from modelatlas.config import Settings
    from modelatlas.web import create_app

    first, second = G.popular_base(0), G.popular_base(1)
    card = tiny_catalog / "models" / "llama.yaml"
    text_ = card.read_text(encoding="utf-8").replace(
        "openness: research-only", f"openness: research-only\nweights: {{huggingface: [{first}, {second}]}}"
    )
    card.write_text(
        text_.replace("released, papers, openness]", "released, papers, openness, weights]"), encoding="utf-8"
    )
    store = f"sqlite:///{tmp_path / 'own.db'}"
    build_store(load_valid_catalog(tiny_catalog), store)
    list_all(store, listing)
    truth = expected_landscape(top=5, months=6)
    per_base, created = truth["per_base"], truth["created"]  # type: ignore[index]
    repos = per_base[first] | per_base[second]  # type: ignore[index]
    with TestClient(create_app(Settings(db=store, catalog=tiny_catalog))) as client:
        zh = client.get("/models/llama", params={"lang": "zh"}).text
        plain = client.get("/models/alpaca", params={"lang": "en"}).text
    assert f"共 {len(repos):,} 个仓库以它为基础模型" in zh
    months = re.findall(r'<tr><td class="date">(\d{4}-\d{2})</td><td class="num">([\d,]+)</td></tr>', zh)
    wanted = sorted({created[r] for r in repos})[-12:]  # type: ignore[index]
    assert [m for m, _ in months] == wanted
    assert all(int(n.replace(",", "")) == sum(created[r] == m for r in repos) for m, n in months)  # type: ignore[index]
    assert 'id="derivatives"' not in plain


def test_a_derivative_with_two_relations_counts_once_in_its_month(store: str, listing: Replay) -> None:
    """`derivatives_of`: a repo both a fine-tune and an adapter of a base is one derivative in the total and
    in its month, and one in each relation."""
    from modelatlas.live import landscape_tables
    from modelatlas.live.landscape import derivatives_of

    list_all(store, listing)
    base = G.popular_base(0)
    engine = make_engine(store)
    try:
        before = derivatives_of(engine, [base])
        assert before is not None
        repo, relation, month = query(
            store, f"SELECT repo_id, relation, month FROM hub_bases WHERE base = '{base}' LIMIT 1"
        )[0]
        other = next(r for r in G.RELATIONS if r != relation)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO hub_bases (repo_id, base, relation, stated, month) "
                    "VALUES (:r, :b, :rel, 1, :m)"
                ),
                {"r": repo, "b": base, "rel": other, "m": month},
            )
            landscape_tables.refresh(conn)  # as the end of a listing's merge does
        after = derivatives_of(engine, [base])
    finally:
        engine.dispose()
    assert after is not None
    assert after["total"] == before["total"] and after["by_month"] == before["by_month"]
    assert after["by_relation"][other] == before["by_relation"].get(other, 0) + 1
    assert derivatives_of(make_engine(store), ["nobody/nothing"]) is None


def test_months_back_crosses_a_year_and_days_count_whole_days() -> None:
    from modelatlas.live.landscape import _days_between, months_back

    assert months_back("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_back("2026-12", 1) == ["2026-12"] and months_back("2026-01", 2) == ["2025-12", "2026-01"]
    assert _days_between("2025-12-30T10:00:00.000Z", "2026-01-02T00:00:00.000Z") == 3
    assert _days_between("2026-01-02", "2025-12-30") == -3
    assert _days_between(None, "2026-01-02") is None and _days_between("2026-01-02", "") is None
    assert _days_between("not a date", "2026-01-02") is None


def test_days_to_a_bases_first_quantization_and_relations_most_first(store: str, listing: Replay) -> None:
    """A listed base's days from its own creation to its first quantized derivative, exact against the
    generator; a model's relations are ordered most first."""
    from modelatlas.live.landscape import derivatives_of, landscape

    list_all(store, listing)
    relations: list[tuple[str, str, str]] = []
    created: dict[str, str] = {}
    for records, found in G.blocks(N):
        relations += found
        created.update({r["id"]: r["createdAt"] for r in records})
    first: dict[str, str] = {}
    for repo, base, relation in relations:
        if relation == "quantized" and base in created:
            first[base] = min(first.get(base, created[repo]), created[repo])
    engine = make_engine(store)
    try:
        field = landscape(engine, top=100_000, months=3, window=1)
        popular = derivatives_of(engine, [G.popular_base(0)])
    finally:
        engine.dispose()
    days = {b["base"]: b["first_quantized_days"] for b in field["top_bases"]}
    wanted = {
        base: (dt.date.fromisoformat(first[base][:10]) - dt.date.fromisoformat(created[base][:10])).days
        for base in first
    }
    assert wanted and {b: days[b] for b in wanted} == wanted
    assert all(days[b] is None for b in days if b not in wanted)
    assert len(field["months"]) == 3 and field["window"] == 1
    assert popular is not None
    counts = list(popular["by_relation"].values())
    assert counts == sorted(counts, reverse=True) and len(counts) == 4


def test_the_api_gives_the_field_as_the_cli_does(
    store: str, listing: Replay, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastapi.testclient import TestClient

    from modelatlas.config import Settings
    from modelatlas.web import create_app

    with TestClient(create_app(Settings(db=store, catalog=TINY_CATALOG))) as client:
        empty = client.get("/api/v1/ecosystem").json()
    assert empty["bases"] == empty["derivatives"] == 0 and empty["top_bases"] == []
    list_all(store, listing)
    with TestClient(create_app(Settings(db=store, catalog=TINY_CATALOG))) as client:
        field = client.get("/api/v1/ecosystem", params={"top": 5, "months": 6})
        wrong = client.get("/api/v1/ecosystem", params={"top": 0})
    code, out, err = run(capsys, "ecosystem", "--db", store, "--top", "5", "--months", "6", "-f", "json")
    assert code == 0, err
    assert field.status_code == 200 and field.json() == json.loads(out)
    assert len(field.json()["top_bases"]) == 5 and len(field.json()["months"]) == 6
    assert field.json()["top_bases"][0]["base"] == G.popular_base(0)
    assert wrong.status_code == 422 and "top" in wrong.json()["error"]["message"]


def test_the_api_gives_a_bases_derivatives_as_the_cli_does(store: str, listing: Replay) -> None:
    from fastapi.testclient import TestClient

    from modelatlas.config import Settings
    from modelatlas.web import create_app

    list_all(store, listing)
    popular = G.popular_base(0)
    with TestClient(create_app(Settings(db=store, catalog=TINY_CATALOG))) as client:
        direct = client.get(f"/api/v1/ecosystem/{popular}")
        deep = client.get(f"/api/v1/ecosystem/{popular}", params={"depth": "all"})
        nobody = client.get("/api/v1/ecosystem/nobody/nothing").json()
        wrong = client.get(f"/api/v1/ecosystem/{popular}", params={"depth": "2"})
        documented = client.get("/openapi.json").json()["paths"]
    assert direct.status_code == 200 and direct.json() == expected_ecosystem(popular, deep=False)
    assert deep.json() == expected_ecosystem(popular, deep=True) != direct.json()
    assert nobody["base"] == "nobody/nothing" and nobody["derivatives"]["total"] == 0
    assert nobody["by_month"] == {}
    assert wrong.status_code == 422 and "depth" in wrong.json()["error"]["message"]
    assert "/api/v1/ecosystem/{base}" in documented


def test_the_merge_dates_a_relation_by_its_staged_month_looks_up_a_missing_one_and_keeps_a_given_one(
    store_url: str,
) -> None:
    """A relation takes the creation month staged with it; one staged without (by a version before the
    month was staged) takes its repo's from ``hub_repos``; a relation already dated keeps its month and
    one without gets it when a later listing gives it."""
    from modelatlas.live import hub_ledger as L
    from modelatlas.sources.hub_listing import HubBase, HubRepo, ListedPage

    def repo(rid: str, created: str | None) -> HubRepo:
        return (rid, None, created, None, None, None, None, None, None, None, None)

    def run(at: dt.datetime, repos: list[HubRepo], bases: list[HubBase]) -> None:
        listing = L.begin(engine, "http://hub/api/models?sort=createdAt", at)
        L.stage(engine, L.Statements.of(engine), [(ListedPage(repos, bases), None)], listing)
        L.merge(engine, listing, at)

    build_store(load_valid_catalog(TINY_CATALOG), store_url)
    engine = make_engine(store_url)
    try:
        run(
            T0,
            [
                repo("me/a", "2025-01-02T00:00:00.000Z"),
                repo("me/b", None),
                repo("me/c", "2025-03-04T00:00:00.000Z"),
            ],
            [
                ("me/a", "org/x", "finetune", True, "2025-01"),
                ("me/b", "org/x", "adapter", True, None),
                ("me/c", "org/y", "quantized", True, None),  # staged without its month
            ],
        )
        months = "SELECT repo_id, month FROM hub_bases ORDER BY repo_id"
        assert query(store_url, months) == [("me/a", "2025-01"), ("me/b", None), ("me/c", "2025-03")]
        run(
            T0 + dt.timedelta(days=1),
            [repo("me/a", "2099-01-01T00:00:00.000Z"), repo("me/b", "2024-07-08T00:00:00.000Z")],
            [("me/a", "org/x", "finetune", False, "2099-01"), ("me/b", "org/x", "adapter", True, "2024-07")],
        )
        assert query(store_url, months) == [("me/a", "2025-01"), ("me/b", "2024-07")]
        assert query(store_url, "SELECT repo_id, stated FROM hub_bases ORDER BY repo_id") in (
            [("me/a", False), ("me/b", True)],
            [("me/a", 0), ("me/b", 1)],
        )
    finally:
        engine.dispose()


def test_relations_staged_without_a_month_survive_a_build_and_the_merge_dates_them(
    store: str, listing: Replay
) -> None:
    """An unfinished listing staged by the version before migration 0009 (no ``month`` column) is carried
    by a build; the merge then dates those relations from their repos, as the others."""
    listing.fail("/hf/api/models", Fault(), Fault(status=404))
    with pytest.raises(Exception, match="404"):
        list_all(store, listing)
    engine = make_engine(store)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE hub_staged_bases DROP COLUMN month"))
    engine.dispose()
    build_store(load_valid_catalog(TINY_CATALOG), store)
    staged = query(store, "SELECT count(*), count(month) FROM hub_staged_bases")[0]
    assert int(str(staged[0])) > 0 and staged[1] == 0
    list_all(store, listing)
    created = {r["id"]: r["createdAt"][:7] for records, _ in G.blocks(N) for r in records}
    months = query(store, "SELECT repo_id, month FROM hub_bases")
    assert len(months) == sum(G.truth(N).values())
    assert [(repo, month) for repo, month in months if month != created[str(repo)]] == []
