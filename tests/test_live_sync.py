"""``sync``, ``trending``, ``review``/``accept``/``reject`` and live ``conflicts`` against the replay server.

The store is built from the bundled catalog; the Hub, arXiv and GitHub are the local replay server
(``tests/replay.py``), reached through the real clients.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from modelatlas.catalog.validate import load_valid_catalog
from modelatlas.config import bundled_catalog
from modelatlas.live.clients import Endpoints, open_clients
from modelatlas.live.ledger import StoreCache
from modelatlas.live.sync import SourceReport, SyncOptions, sync
from modelatlas.live.targets import SOURCES, targets
from modelatlas.live.trending import trending
from modelatlas.sources._http import Policy
from modelatlas.store import tables as T
from modelatlas.store.build import build_store
from modelatlas.store.engine import make_engine
from modelatlas.store.records import load_models
from tests.catalog_support import seed_era
from tests.cli_runner import run
from tests.replay import FIXTURES, Fault, Replay

T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
FAST = {source: Policy(interval=0, backoff=0.01, timeout=5, max_wait=5) for source in SOURCES}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog as of the recorded responses (models released before 2023-08: later records
    would already hold what these responses discover) built once; each test copies the file."""
    path = tmp_path_factory.mktemp("built") / "store.db"
    build_store(seed_era(load_valid_catalog(bundled_catalog())), f"sqlite:///{path}")
    return path


@pytest.fixture
def store(built: Path, tmp_path: Path) -> str:
    copy = tmp_path / "store.db"
    copy.write_bytes(built.read_bytes())
    return f"sqlite:///{copy}"


def run_sync(
    url: str,
    replay: Replay,
    *,
    at: dt.datetime = T0,
    sources: tuple[str, ...] = SOURCES,
    budget: int | None = None,
    **options: object,
) -> dict[str, SourceReport]:
    engine = make_engine(url)
    endpoints = Endpoints(hf=replay.hf, arxiv=replay.arxiv, github=replay.github)
    clients = open_clients(sources, endpoints, policies=FAST, budget=budget, cache=StoreCache(engine))
    try:
        chosen = SyncOptions(sources=sources, **options)  # type: ignore[arg-type]
        reports = sync(engine, load_models(url), clients, chosen, now=lambda: at)
    finally:
        clients.close()
        engine.dispose()
    return {report.source: report for report in reports}


def rows(url: str, table: str) -> list[dict[str, object]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(T.metadata.tables[table])).mappings()]
    finally:
        engine.dispose()


def recorded(source: str, ref: str) -> bool:
    """Whether the replay server has a recorded answer for ``ref``."""
    if source == "hf":
        return (FIXTURES / "hf" / "models" / f"{ref}.json").exists()
    if source == "github":
        return (FIXTURES / "github" / "repos" / f"{ref}.json").exists()
    return (FIXTURES / "arxiv" / "entries" / f"{ref.replace('/', '_')}.xml").exists()


def test_sync_enriches_every_model_with_recorded_data(store: str, replay: Replay) -> None:
    reports = run_sync(store, replay, discover=False)
    plan = targets(load_models(store))
    state = {(r["source"], r["ref"]): r for r in rows(store, "sync_state")}
    observations = {(r["source"], r["ref"]) for r in rows(store, "observations")}
    snapshots = {(r["source"], r["ref"], r["metric"]) for r in rows(store, "snapshots")}
    enriched: set[str] = set()
    for source, found in plan.items():
        with_data = [t for t in found if recorded(source, t.ref)]
        assert with_data, source
        for target in found:
            status = state[(source, target.ref)]["status"]
            assert status == ("ok" if recorded(source, target.ref) else "missing"), (source, target.ref)
        for target in with_data:
            assert (source, target.ref) in observations
            enriched.update(target.models)
        assert reports[source].ok == len(with_data)
        assert reports[source].missing == len(found) - len(with_data)
        assert not reports[source].failed
    # counts were kept as snapshots: likes and downloads from the Hub, stars and forks from GitHub
    assert ("hf", "google-bert/bert-base-uncased", "likes") in snapshots
    assert ("github", "openai/whisper", "stars") in snapshots
    bert = json.loads((FIXTURES / "hf" / "models" / "google-bert" / "bert-base-uncased.json").read_text())
    likes = [r for r in rows(store, "snapshots") if r["ref"] == "google-bert/bert-base-uncased"]
    assert {r["metric"]: r["value"] for r in likes}["likes"] == bert["likes"]
    assert state[("hf", "THUDM/chatglm-6b-int8")]["status"] == "missing"
    assert {"bert", "chatglm-6b", "whisper", "llama-2", "bloom", "gpt-2"} <= enriched


def test_config_is_fetched_once_per_revision(store: str, replay: Replay) -> None:
    run_sync(store, replay, sources=("hf",), discover=False)
    facts = {(r["ref"], r["field"]): json.loads(str(r["value"])) for r in rows(store, "observations")}
    config = json.loads((FIXTURES / "hf" / "configs" / "THUDM" / "chatglm-6b.json").read_text())
    assert facts[("THUDM/chatglm-6b", "config")] == config
    first = len(replay.hits("/hf/THUDM/chatglm-6b/resolve/"))
    run_sync(store, replay, sources=("hf",), discover=False, min_age=dt.timedelta(0))
    assert first == 1
    assert len(replay.hits("/hf/THUDM/chatglm-6b/resolve/")) == 1  # same sha: not asked again


def test_a_second_sync_asks_nothing_until_targets_are_stale(store: str, replay: Replay) -> None:
    run_sync(store, replay, since=dt.date(2023, 1, 1))
    asked = len(replay.log)
    again = run_sync(store, replay, at=T0 + dt.timedelta(hours=1))
    assert len(replay.log) == asked
    assert all(r.due == 0 and r.requests == 0 for r in again.values())
    assert again["hf"].fresh == len(targets(load_models(store))["hf"])
    later = run_sync(store, replay, at=T0 + dt.timedelta(hours=13), sources=("github",))
    assert later["github"].due > 0
    assert later["github"].revalidated > 0  # GitHub answered 304 to the stored ETags


def test_a_rebuild_keeps_everything_observed(
    store: str, replay: Replay, capsys: pytest.CaptureFixture[str]
) -> None:
    run_sync(store, replay, since=dt.date(2023, 1, 1))
    before = {table: rows(store, table) for table in T.KEPT}
    assert all(before[t] for t in ("sync_state", "snapshots", "observations", "candidates", "http_cache"))
    code, _, err = run(capsys, "build", "--curated-only", "--db", store)
    assert code == 0, err
    after = {table: rows(store, table) for table in T.KEPT}
    for table in T.KEPT:
        key = sorted(T.metadata.tables[table].primary_key.columns.keys())
        assert sorted(before[table], key=lambda r: [str(r[k]) for k in key]) == sorted(
            after[table], key=lambda r: [str(r[k]) for k in key]
        ), table


def test_trending_ranks_the_largest_gain_first(store: str, replay: Replay) -> None:
    run_sync(store, replay, sources=("github", "hf"), discover=False)
    replay.patch(
        "/github/repos/openai/whisper", lambda b: {**b, "stargazers_count": b["stargazers_count"] + 500}
    )
    replay.patch(
        "/github/repos/lm-sys/FastChat", lambda b: {**b, "stargazers_count": b["stargazers_count"] + 80}
    )
    replay.patch("/hf/api/models/google-bert/bert-base-uncased", lambda b: {**b, "likes": b["likes"] + 12})
    later = T0 + dt.timedelta(days=2)
    run_sync(store, replay, sources=("github", "hf"), discover=False, at=later)
    owners = {(t.source, t.ref): t.models for found in targets(load_models(store)).values() for t in found}
    engine = make_engine(store)
    try:
        stars = trending(engine, owners, metric="stars", window=dt.timedelta(days=7), now=later, top=3)
        likes = trending(engine, owners, metric="likes", window=dt.timedelta(days=7), now=later, top=1)
        nothing = trending(engine, owners, metric="stars", window=dt.timedelta(days=1), now=T0, top=3)
    finally:
        engine.dispose()
    assert [(t.ref, t.gain) for t in stars[:2]] == [("openai/whisper", 500), ("lm-sys/FastChat", 80)]
    assert stars[0].per_day == pytest.approx(250)
    assert stars[0].partial  # first seen inside the window
    assert stars[2].gain == 0
    assert (likes[0].ref, likes[0].gain, likes[0].models) == ("google-bert/bert-base-uncased", 12, ("bert",))
    assert nothing == []  # a single snapshot shows no growth


def test_trending_command(store: str, replay: Replay, capsys: pytest.CaptureFixture[str]) -> None:
    run_sync(store, replay, sources=("github",), discover=False)
    replay.patch(
        "/github/repos/openai/whisper", lambda b: {**b, "stargazers_count": b["stargazers_count"] + 40}
    )
    run_sync(store, replay, sources=("github",), discover=False, at=T0 + dt.timedelta(days=3))
    code, out, err = run(
        capsys, "trending", "-m", "stars", "-w", "30d", "--until", "2026-11-05", "-f", "json", "--db", store
    )
    assert code == 0, err
    ranked = json.loads(out)
    assert ranked[0]["ref"] == "openai/whisper" and ranked[0]["gain"] == 40
    assert ranked[0]["models"] == ["whisper", "whisper-large-v2"] or "whisper" in ranked[0]["models"]
    code, _, err = run(capsys, "trending", "-m", "stars", "--until", "2026-10-01", "--db", store)
    assert code == 0 and "no stars growth" in err
    code, _, err = run(capsys, "trending", "-m", "karma", "--db", store)
    assert code == 2 and "unknown metric 'karma'" in err
    code, _, err = run(capsys, "trending", "-w", "soon", "--db", store)
    assert code == 2 and "--window 'soon' is not a duration" in err


def test_a_failing_target_is_recorded_and_keeps_its_earlier_facts(store: str, replay: Replay) -> None:
    run_sync(store, replay, sources=("hf",), discover=False)
    path = "/hf/api/models/google-bert/bert-base-uncased"
    before = [r for r in rows(store, "observations") if r["ref"] == "google-bert/bert-base-uncased"]
    replay.fail(path, *[Fault(status=500)] * (FAST["hf"].retries + 1))
    # a changed body (new ETag) whose answer arrives cut in half
    replay.patch("/hf/api/models/THUDM/chatglm-6b", lambda b: {**b, "likes": b["likes"] + 1})
    replay.fail("/hf/api/models/THUDM/chatglm-6b", Fault(truncate=True))
    reports = run_sync(store, replay, sources=("hf",), discover=False, at=T0 + dt.timedelta(days=1))
    failed = dict(reports["hf"].failed)
    assert set(failed) == {"google-bert/bert-base-uncased", "THUDM/chatglm-6b"}
    assert "HTTP 500" in failed["google-bert/bert-base-uncased"]
    assert "not valid JSON" in failed["THUDM/chatglm-6b"] and "chatglm-6b" in failed["THUDM/chatglm-6b"]
    after = [r for r in rows(store, "observations") if r["ref"] == "google-bert/bert-base-uncased"]
    assert after == before
    state = {r["ref"]: r for r in rows(store, "sync_state") if r["source"] == "hf"}
    assert state["google-bert/bert-base-uncased"]["status"] == "error"
    assert (
        reports["hf"].ok == len([t for t in targets(load_models(store))["hf"] if recorded("hf", t.ref)]) - 2
    )


def test_a_spent_budget_stops_the_source_and_the_next_run_goes_on(store: str, replay: Replay) -> None:
    first = run_sync(store, replay, sources=("github",), discover=False, budget=7)
    assert first["github"].stopped and "budget of 7" in first["github"].stopped
    assert 0 < first["github"].checked < len(targets(load_models(store))["github"])
    done = {r["ref"] for r in rows(store, "sync_state")}
    second = run_sync(store, replay, sources=("github",), discover=False, at=T0 + dt.timedelta(minutes=5))
    assert second["github"].stopped is None
    assert second["github"].resumed == []  # the first run finished as "stopped", not killed
    assert second["github"].checked == len(targets(load_models(store))["github"]) - len(done)
    runs = rows(store, "sync_runs")
    assert sorted(r["status"] for r in runs) == ["done", "stopped"]


def test_discovery_queues_candidates_and_remembers_decisions(
    store: str, replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = run_sync(store, replay, since=dt.date(2023, 1, 1))
    assert reports["hf"].candidates >= 5 and reports["arxiv"].candidates >= 4
    code, out, err = run(capsys, "review", "-f", "json", "--db", store)
    assert code == 0, err
    queue = {c["key"]: c for c in json.loads(out)}
    assert "hf:THUDM/chatglm2-6b" in queue and queue["hf:THUDM/chatglm2-6b"]["organization"] == "tsinghua"
    assert "arxiv:2310.06825" in queue and queue["arxiv:2310.06825"]["name"] == "Mistral 7B"
    assert "arxiv:2303.18223" not in queue  # a survey introduces no model
    assert not any(key == "hf:THUDM/chatglm-6b" for key in queue)  # already in the catalog

    catalog = tmp_path / "catalog"
    import shutil

    shutil.copytree(bundled_catalog(), catalog)
    code, out, err = run(capsys, "accept", "hf:THUDM/chatglm2-6b", "--catalog", str(catalog), "--db", store)
    assert code == 2 and "cannot tell the domain of hf:THUDM/chatglm2-6b" in err  # no pipeline tag
    code, out, err = run(
        capsys, "accept", "hf:THUDM/chatglm2-6b", "--domain", "nlp", "--catalog", str(catalog), "--db", store
    )
    assert code == 0, err
    written = catalog / "models" / "chatglm2-6b.yaml"
    assert out.strip() == "chatglm2-6b" and written.exists()
    text = written.read_text(encoding="utf-8")
    assert "huggingface: [THUDM/chatglm2-6b]" in text and "huggingface-hub" in text
    assert load_valid_catalog(catalog).models  # the catalog still validates with the new file
    code, _, err = run(capsys, "accept", "hf:THUDM/chatglm2-6b", "--catalog", str(catalog), "--db", store)
    assert code == 2 and "was accepted on" in err

    code, _, err = run(capsys, "reject", "hf:microsoft/phi-2", "--reason", "small", "--db", store)
    assert code == 0, err
    code, _, err = run(capsys, "reject", "hf:nobody/nothing", "--db", store)
    assert code == 1 and "no candidate 'hf:nobody/nothing'" in err
    run_sync(store, replay, since=dt.date(2023, 1, 1), at=T0 + dt.timedelta(days=2), min_age=dt.timedelta(0))
    decided = {c["key"]: c for c in rows(store, "candidates")}
    assert decided["hf:microsoft/phi-2"]["status"] == "rejected"
    assert decided["hf:THUDM/chatglm2-6b"]["status"] == "accepted"
    code, out, _ = run(capsys, "review", "-f", "json", "--db", store)
    assert "hf:microsoft/phi-2" not in {c["key"] for c in json.loads(out)}


def test_accept_refuses_what_would_break_the_catalog(
    store: str, replay: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_sync(store, replay, since=dt.date(2023, 1, 1), sources=("arxiv",))
    import shutil

    catalog = tmp_path / "catalog"
    shutil.copytree(bundled_catalog(), catalog)
    before = sorted(p.name for p in (catalog / "models").iterdir())
    # Gemma's id would clash with nothing, but an id that is not a slug is refused before any write
    code, _, err = run(
        capsys, "accept", "arxiv:2403.08295", "--id", "Not A Slug", "--catalog", str(catalog), "--db", store
    )
    assert code == 2 and "is not a slug" in err
    code, _, err = run(
        capsys, "accept", "arxiv:2403.08295", "--id", "bert", "--catalog", str(catalog), "--db", store
    )
    assert code == 2 and "exists already" in err
    assert sorted(p.name for p in (catalog / "models").iterdir()) == before


def test_conflicts_show_what_live_sources_disagree_on(
    store: str, replay: Replay, capsys: pytest.CaptureFixture[str]
) -> None:
    run_sync(store, replay, discover=False)
    code, out, err = run(capsys, "conflicts", "--origin", "hf", "-f", "json", "--db", store)
    assert code == 0, err
    found = {(c["model_id"], c["field"]): c for c in json.loads(out)}
    # the Hub's whisper weights are Apache-2.0; the catalog says MIT (constructed fixture, real licence)
    assert found[("whisper", "license")]["other"] == "apache-2.0"
    # the same licence spelt two ways is no conflict
    assert ("llama-2", "license") not in found and ("bloom", "license") not in found
    # a Hub count is compared with the size the catalog states for that repo, not with the largest
    assert ("t5", "parameters") not in found


def test_check_store_reports_what_the_hub_disagrees_on(
    store: str, replay: Replay, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a sync, `check --store` weighs the Hub's safetensors total against the catalog's size."""
    code, out, _ = run(capsys, "check", "--store", "--db", store, "--only", "sizes.hub", "-f", "json")
    assert (code, json.loads(out)) == (0, [])
    run_sync(store, replay, discover=False)
    code, out, err = run(capsys, "check", "--store", "--db", store, "--only", "sizes,sources", "-f", "json")
    found = {(f["check"], f["model"]): f for f in json.loads(out)}
    assert "conflicting sources by field: " in err and "license 1" in err
    hub = found[("sizes.hub", "dialogpt")]
    assert hub["severity"] == "warning" and "176" in hub["message"], hub
    path, line = hub["location"].rsplit(":", 1)
    assert path.endswith("models/dialogpt.yaml") and line != "1"  # the size's line, not the file's top
    assert ("sources.conflicts", "whisper") in found  # the Hub's apache-2.0 against the catalog's MIT
    assert code == 0  # warnings only


def test_sync_command_reports_per_source(
    replay: Replay, store: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in replay.env().items():
        monkeypatch.setenv(name, value)
    replay.fail("/github/repos/openai/whisper", Fault(truncate=True))
    code, out, err = run(capsys, "sync", "-s", "github", "--no-discover", "-f", "json", "--db", store)
    assert code == 1  # a failed target makes the exit code 1 …
    report = json.loads(out)[0]
    assert report["source"] == "github" and report["failed"][0]["ref"] == "openai/whisper"
    assert "github openai/whisper:" in err and "not valid JSON" in err
    assert (
        report["ok"]
        == len([t for t in targets(load_models(store))["github"] if recorded("github", t.ref)]) - 1
    )
    code, out, err = run(capsys, "sync", "-s", "github", "--no-discover", "--db", store)
    assert code == 0, err  # … and the next run retries only what is due: the failed one is not fresh
    code, _, err = run(capsys, "sync", "-s", "gitlab", "--db", store)
    assert code == 2 and "unknown source 'gitlab'" in err
    code, _, err = run(capsys, "sync", "--min-age", "often", "--db", store)
    assert code == 2 and "--min-age 'often' is not a duration" in err


def test_sync_on_postgres(postgres_url: str, replay: Replay) -> None:
    build_store(load_valid_catalog(bundled_catalog()), postgres_url)
    reports = run_sync(postgres_url, replay, sources=("github",), since=dt.date(2023, 1, 1))
    assert reports["github"].ok > 0
    again = run_sync(postgres_url, replay, sources=("github",), at=T0 + dt.timedelta(days=1))
    releases = [
        t
        for t in targets(load_models(postgres_url))["github"]
        if (FIXTURES / "github" / "releases" / f"{t.ref}.json").exists()
    ]
    assert again["github"].revalidated == again["github"].ok + len(releases)  # every repo and release: 304
    build_store(load_valid_catalog(bundled_catalog()), postgres_url)  # a rebuild keeps the history
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert (
                conn.execute(select(func.count()).select_from(T.snapshots)).scalar()
                == 2 * 3 * reports["github"].ok
            )
    finally:
        engine.dispose()


@pytest.fixture
def slow_replay(replay: Replay) -> Iterator[Replay]:
    replay.delay = 0.05
    yield replay
    replay.delay = 0.0


def test_a_killed_sync_leaves_a_consistent_store_and_the_next_run_finishes(
    store: str, slow_replay: Replay
) -> None:
    env = {**os.environ, **slow_replay.env(), "MODELATLAS_DB": store}
    command = [
        sys.executable,
        "-c",
        "from modelatlas.cli import main; main()",
        "sync",
        "-s",
        "hf",
        "--no-discover",
    ]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(slow_replay.hits("/hf/api/models/")) < 45 and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    path = store.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        checked = conn.execute("SELECT ref, status, checked_at FROM sync_state WHERE source='hf'").fetchall()
        snapshot_refs = {r for (r,) in conn.execute("SELECT DISTINCT ref FROM snapshots WHERE source='hf'")}
        fact_refs = {r for (r,) in conn.execute("SELECT DISTINCT ref FROM observations WHERE source='hf'")}
        running = conn.execute("SELECT count(*) FROM sync_runs WHERE status='running'").fetchone()[0]
    total = len(targets(load_models(store))["hf"])
    assert 0 < len(checked) < total  # killed midway, after some batches were written
    ok = {ref for ref, status, _ in checked if status == "ok"}
    # every target is either fully written (state, facts and counts together) or not at all
    assert ok == snapshot_refs == fact_refs
    assert running == 1

    finish = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finish.returncode == 0, finish.stderr
    assert "went on after an interrupted sync" in finish.stderr
    with sqlite3.connect(path) as conn:
        after = conn.execute("SELECT count(*) FROM sync_state WHERE source='hf'").fetchone()[0]
        statuses = sorted(s for (s,) in conn.execute("SELECT status FROM sync_runs"))
    assert after == total
    assert statuses == ["done", "killed"]


def test_show_gives_the_newest_synced_counts(
    store: str, replay: Replay, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show", "whisper", "-f", "json", "--db", store)
    assert code == 0 and json.loads(out)["live"] == []  # nothing synced yet
    run_sync(store, replay, discover=False)
    code, out, err = run(capsys, "show", "whisper", "-f", "json", "--db", store)
    assert code == 0, err
    live = {(item["source"], item["ref"]): item for item in json.loads(out)["live"]}
    repo = json.loads((FIXTURES / "github" / "repos" / "openai" / "whisper.json").read_text())
    assert live[("github", "openai/whisper")]["metrics"]["stars"] == repo["stargazers_count"]
    assert live[("hf", "openai/whisper-large")]["status"] == "missing"
    code, out, _ = run(capsys, "show", "chatglm-6b", "--lang", "zh", "--db", store)
    assert "实时数据（最近同步）" in out and "THUDM/chatglm-6b-int8: 来源已无此项" in out
